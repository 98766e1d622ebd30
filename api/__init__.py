"""The HTTP APIs served beside the page: LibreTranslate's (`/translate`, `/detect`,
`/languages`, `/suggest`, `/frontend/settings`) and OpenAI's chat completions (`/v1`).

FastAPI routes only (no Gradio): `app.build_routes` makes them from the session layer
(`chat.ChatSession`, `chat.feedback.Feedback`), so every call runs the page's own prompts,
hints and routing and is stored like a page turn. `cli/serve.py` hands the routes to the
page's server. May import chat, models, storage and prompts; never web, cli or gradio."""
