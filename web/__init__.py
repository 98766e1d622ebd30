"""The Gradio page: layout (ui.py), event handlers (handlers.py; the document and glossary
panels' in documents_panel.py and glossary_panel.py) and the views they return (views.py). Only
wiring: everything it does goes through the session layer in `chat/` (documents through
`documents/job.py`). The one package that imports gradio.

May import `chat`, `documents`, `campaigns`, `evaluation`, `bench`, `training`, `models`, `prompts`
and `storage`; never `cli` or `api`."""
