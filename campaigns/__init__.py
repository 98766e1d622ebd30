"""Preference campaigns: blind side-by-side judgements of two or more systems on a test set.

Creation (every system's output generated up front through `evaluation.batch`), the
assignment with repeats and quality-control items, statistics (Bradley–Terry leaderboard,
agreement, per-annotator QC), CSV import, export of pairs for `train-cpo`, and the report.
Error-span campaigns (``--protocol esa | contrastive-esa``: a score and error spans per
candidate) live in the ``esa_*`` modules and ``pearmut`` (Pearmut campaign out, annotations in).

Layer: above `bench | evaluation | training` (it uses the batched translation path), below
`web | api` and `cli`. It may import evaluation, chat, models, storage and prompts; it never
imports gradio, web, api or cli.
"""
