"""gettext PO catalogues (.po; read and written with translate-toolkit): each entry is a segment
(the header and obsolete ``#~`` entries are not), with its ``msgctxt`` and references as
context and its extracted (``#.``) and translator (``#``) comments as the note; ``Language:``
in the header is the target language.

Writing fills empty ``msgstr`` and flags each new translation ``fuzzy`` (machine translation,
to be reviewed); entries with a translation are left alone unless ``overwrite``. A plural entry
is two segments, the singular (``id``) and the plural (``id:plural``): ``msgstr[0]`` gets the
singular's translation and every other form the plural's (a language with one form gets the
plural's). Leading and trailing whitespace (``\\n``) of the source is kept, as gettext requires.
Everything else — comments, flags, references, the header, the file's line wrapping — is kept."""
from __future__ import annotations

from documents.base import Document, DocumentError, Segment, respace


def _plural_count(store) -> int:
    forms = store.parseheader().get("Plural-Forms", "")
    for part in forms.split(";"):
        name, _, value = part.partition("=")
        if name.strip() == "nplurals" and value.strip().isdigit():
            return max(1, int(value))
    return 2


class PoDocument(Document):
    """A PO file, entry by entry."""

    description = "gettext PO catalogue"

    def _store(self, data: bytes):
        from translate.storage import pypo
        from translate.storage.poparser import PoParseError

        try:
            store = pypo.pofile.parsestring(data)
        except PoParseError as error:
            raise DocumentError(f"this is not a valid PO file: {error}") from None
        except (ValueError, UnicodeDecodeError) as error:
            raise DocumentError(f"this is not a readable PO file: {error}") from None
        if not any(unit.source for unit in store.units if not unit.isheader()):
            raise DocumentError("no entries (msgid) were found in it")
        return store

    def _walk(self, store):
        """(segment, unit, plural?) for every segment, always in the same order."""
        number = 0
        for unit in store.units:
            if unit.isheader() or unit.isobsolete() or not unit.source:
                continue
            number += 1
            notes = "\n".join(filter(None, [unit.getnotes("developer"), unit.getnotes("translator")]))
            context = "; ".join(filter(None, [unit.getcontext(), " ".join(unit.getlocations())]))
            sources = unit.source.strings if unit.hasplural() else [unit.source]
            targets = unit.target.strings if unit.hasplural() else [unit.target or ""]
            existing = [t for t in targets if t]
            done = bool(existing)
            yield Segment(str(number), str(sources[0]).strip(), "entry", context, notes,
                          str(targets[0]) if targets and targets[0] else "", done), unit, False
            if unit.hasplural():
                yield Segment(f"{number}:plural", str(sources[1]).strip(), "plural", context, notes,
                              str(targets[1]) if len(targets) > 1 else "", done), unit, True

    def _read(self, data: bytes) -> list[Segment]:
        store = self._store(data)
        self.target_lang = store.gettargetlanguage() or None
        self.source_lang = store.getsourcelanguage() or None
        if self.source_lang == "en" and "X-Source-Language" not in store.parseheader():
            self.source_lang = None  # translate-toolkit's default, not the file's word
        return [segment for segment, _, _ in self._walk(store) if segment.text]

    def _write(self, chosen: dict[str, str], target_lang: str | None) -> bytes:
        from translate.misc.multistring import multistring

        store = self._store(self._data)
        if target_lang and not store.gettargetlanguage():
            store.updateheader(add=True, Language=target_lang)
        forms = _plural_count(store)
        for segment, unit, plural in list(self._walk(store)):
            if plural or segment.id not in chosen:
                continue
            if unit.hasplural():
                sources = unit.source.strings
                one = respace(sources[0], chosen[segment.id])
                many = chosen.get(f"{segment.id}:plural")
                many = respace(sources[1], many) if many else one
                unit.target = multistring([many] if forms == 1 else [one] + [many] * (forms - 1))
            else:
                unit.target = respace(unit.source, chosen[segment.id])
            unit.markfuzzy(True)
        for segment, unit, plural in list(self._walk(store)):  # a plural form sent alone
            if plural and segment.id in chosen and segment.id.split(":")[0] not in chosen:
                targets = list(unit.target.strings) if unit.hasplural() else []
                many = respace(unit.source.strings[1], chosen[segment.id])
                first = targets[0] if targets and targets[0] and forms > 1 else many
                unit.target = multistring([many] if forms == 1 else [first] + [many] * (forms - 1))
                unit.markfuzzy(True)
        return bytes(store)
