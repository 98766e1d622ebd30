"""The one exception type the model layer raises for problems a user can act on."""


class ModelError(Exception):
    """A model could not be resolved, loaded or run; ``str(err)`` is a message for the user."""


def error_text(exc: BaseException) -> str:
    """What a failed generation's record says: a ModelError's own message, else the type and
    the message of anything else."""
    return str(exc) if isinstance(exc, ModelError) else f"{type(exc).__name__}: {exc}"
