"""Every benchmark: the app path against the raw engine, batching, language detection
speed and accuracy, export, cold start, and the GPU decode benchmark. Used by
`python app.py bench` (cli/bench.py); not tests, they assert nothing about timings.

May import `chat`, `models`, `prompts` and `storage`; never `tests` or `cli`."""
