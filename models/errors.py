"""The one exception type the model layer raises for problems a user can act on."""


class ModelError(Exception):
    """A model could not be resolved, loaded or run; ``str(err)`` is a message for the user."""
