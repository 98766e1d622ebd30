"""A glossary in a turn: its terms in each segment's hint where the style takes free text (chat
models; the fixed prompts of ALMA, X-ALMA, ParroT and LLaMAX stay byte-exact), and the check of
the reply: each source term whose target term the translation lacks is missed.

The reply's stored params hold ``"glossary": {"id", "name", "src", "tgt", "terms": [...],
"missed": [...]}``, each term ``{"source", "target", "start", "end"}`` with offsets into the
user's text (the page highlights ``text[start:end]``); ``missed`` is there once the reply is
complete. The whole reply is checked at once (a target counted anywhere in it).
"""
from __future__ import annotations

from prompts import get_style, language_name
from prompts.glossary import Glossary, TermMatch, hint_with_terms, match_segments, missed_terms
from prompts.styles import FREE_HINT


def apply_glossary(glossary: Glossary | None, text: str, segments, src: str, tgt: str, style: str,
                   hint: str | None) -> tuple[list[str | None], list[TermMatch], str | None]:
    """(each segment's hint, the terms found in ``text``, a notice) for a translation turn; a
    glossary for another direction is not used, and the notice says so."""
    hints = [hint] * len(segments)
    if glossary is None:
        return hints, [], None
    if (glossary.src, glossary.tgt) != (src, tgt):
        return hints, [], (f"The glossary {glossary.name!r} is {language_name(glossary.src)} → "
                           f"{language_name(glossary.tgt)}, so it was not used for this "
                           f"{language_name(src)} → {language_name(tgt)} text.")
    per_segment = match_segments(text, segments, glossary.terms)
    if get_style(style).hints == FREE_HINT:
        hints = [hint_with_terms(hint, found) for found in per_segment]
    return hints, [m for found in per_segment for m in found], None


def glossary_record(plan, text: str | None = None) -> dict:
    """``{"glossary": ...}`` for a reply's stored params ({} without a glossary); checked
    against ``text`` when it is given (the complete reply)."""
    glossary = getattr(plan, "glossary", None)
    if glossary is None:
        return {}
    record = {"id": glossary.id, "name": glossary.name, "src": glossary.src, "tgt": glossary.tgt,
              "terms": [m.as_dict() for m in plan.terms]}
    if text is not None:
        record["missed"] = [m.as_dict() for m in missed_terms(plan.terms, text)]
    return {"glossary": record}


def recheck(params: dict | None, text: str) -> dict:
    """Stored params with their glossary check redone for ``text`` (a user's correction)."""
    params = dict(params or {})
    record = params.get("glossary")
    if isinstance(record, dict) and record.get("terms") is not None:
        terms = [TermMatch.of(t) for t in record["terms"]]
        params["glossary"] = {**record, "missed": [m.as_dict() for m in missed_terms(terms, text)]}
    return params


def glossary_note(params: dict | None) -> str | None:
    """The line under a reply: how many glossary terms it missed, and which ("Glossary: 1 of 3
    terms missed: Dach → roof."); None without a checked glossary or without terms."""
    record = (params or {}).get("glossary")
    if not isinstance(record, dict) or record.get("missed") is None or not record.get("terms"):
        return None
    total, missed = len(record["terms"]), record["missed"]
    if not missed:
        return f"Glossary: {total} of {total} term{'s' if total > 1 else ''} used."
    names = ", ".join(dict.fromkeys(f"{m['source']} → {m['target']}" for m in missed))
    return f"Glossary: {len(missed)} of {total} term{'s' if total > 1 else ''} missed: {names}."
