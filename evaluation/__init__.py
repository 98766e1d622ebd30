"""The evaluation tool-kit: reading test sets (text or JSONL columns), resumable batched
translation of a test set with the chat's own planning, sacreBLEU metrics and COMET, corpus
scoring and paired significance tests.

May import `chat` (the session layer: planning, settings), `models` and `prompts`; not the
web layer, `cli` or `storage`."""
