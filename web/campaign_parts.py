"""Pieces both campaign screens show (pairwise and error-span): the progress line and the source
sentence between its dimmed neighbours, escaped; the source may be right-to-left (``dir=auto``)."""
from __future__ import annotations

import html


def progress_html(view) -> str:  # noqa: ANN001 - an ItemView or an EsaItemView
    """"<campaign> · <annotator> · item N / TOTAL" and a progress bar."""
    return (f"<b>{html.escape(view.campaign)}</b> · {html.escape(view.annotator)} · item "
            f"{min(view.done + 1, view.total)} / {view.total} "
            f'<progress value="{view.done}" max="{max(view.total, 1)}"></progress>')


def source_html(view) -> str:  # noqa: ANN001 - an ItemView or an EsaItemView
    """The source sentence between its neighbours (dimmed), all escaped."""
    parts = []
    if view.previous:
        parts.append(f'<div class="ctx" dir="auto">{html.escape(view.previous)}</div>')
    parts.append(f'<div class="src" dir="auto"><b>{html.escape(view.source)}</b></div>')
    if view.next:
        parts.append(f'<div class="ctx" dir="auto">{html.escape(view.next)}</div>')
    return "".join(parts)
