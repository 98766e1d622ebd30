"""What Word and PowerPoint files share: the package check and the run policy.

A package is refused before it is opened when it is not a ZIP archive or would unpack to more
than `MAX_UNPACKED` bytes (a ZIP bomb).

A paragraph's runs (stretches of one character formatting) are one segment, so a sentence with
one bold word is translated as one sentence. Its translation goes into the first run that has
the paragraph's dominant formatting (the formatting of the most non-space characters; the
earliest on a tie) and the paragraph's other text runs are emptied: paragraph formatting (style,
alignment, numbering, spacing) is kept, and so is the formatting of a paragraph in one format,
but character formatting inside the sentence (the bold word, a hyperlink's text) is not. Fields
with no letters in their result (page numbers, dates) are never touched: they split a paragraph
into segments around them."""
from __future__ import annotations

import io
import zipfile
from typing import Callable, Sequence, TypeVar

from lxml import etree

from documents.base import DocumentError

Run = TypeVar("Run")
MAX_UNPACKED = 512 * 1024 * 1024


def check_package(data: bytes, what: str) -> None:
    """Refuse ``data`` unless it is a ZIP archive of a sane unpacked size (``what`` names the
    format for the message)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise DocumentError(f"this is not a readable {what}: it is not a ZIP package") from None
    if size > MAX_UNPACKED:
        raise DocumentError(f"this {what} is too large: it unpacks to {size // 2**20} MiB "
                            f"(at most {MAX_UNPACKED // 2**20} MiB)")


def open_package(data: bytes, what: str, extension: str, old: str, load: Callable[[io.BytesIO], object]):
    """``load`` of a checked package (``check_package``); a failure says what the file is not
    (``old``: the earlier binary format's extension, to be saved as ``extension`` first)."""
    check_package(data, f"{what} ({extension})")
    try:
        return load(io.BytesIO(data))
    except Exception:
        raise DocumentError(f"this is not a readable {what} ({extension}, Office 2007 or later; an "
                            f"older {old} file must be saved as {extension} first)") from None


def formatting_key(properties) -> bytes:
    """A run properties element (or None) as bytes that compare equal for equal formatting."""
    return b"" if properties is None else etree.tostring(properties, method="c14n")


def dominant(runs: Sequence[Run], text: Callable[[Run], str], key: Callable[[Run], bytes]) -> Run:
    """The run a paragraph's translation goes into (see the module's docstring)."""
    weights: dict[bytes, int] = {}
    for run in runs:
        weights[key(run)] = weights.get(key(run), 0) + len("".join(text(run).split()))
    best = max(weights.values())
    winner = next(k for k, weight in weights.items() if weight == best)
    same = [run for run in runs if key(run) == winner]
    return next((run for run in same if text(run).strip()), same[0])
