"""The session layer: one turn from text to a stored, streamed translation (session.py,
pipeline.py), feedback and preference pairs (feedback.py), what a turn looks like as text
(render.py), per-turn settings (settings.py), the loaded model (model_host.py) and who the
user is (identity.py). No Gradio here: the page lives in the top-level `web/` package.

May import `prompts`, `models` and `storage`; never `web`, `cli` or `tests`."""
