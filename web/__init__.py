"""The Gradio page: layout (ui.py), event handlers (handlers.py) and the views they
return (views.py). Only wiring: everything it does goes through the session layer in
`chat/`. The one package that imports gradio.

May import `chat`, `evaluation`, `bench`, `training`, `models`, `prompts` and `storage`; never `cli`."""
