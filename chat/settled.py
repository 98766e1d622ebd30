"""How much of a reply still being generated is final: the prefix its cleaned, stored text is
sure to start with whatever the model adds (an API stream sends only that, then the rest).

A reply's text grows as ``raw.strip()`` (chat/pipeline.py); at the end it is cleaned once:
the runaway guard (``mark_cut``: where a loop starts, a length cap at a word boundary), the end
markers, and the style's extraction (``clean_completion``: LINE, ALPACA or PLAIN). Each bound
below is the earliest point any continuation could make one of them cut, so the text before
the first bound is a prefix of every possible final text (tests/chat/test_settled.py checks
this against the cleaning itself). ``ReplyText`` follows one reply, also one of several
segments (one completion each, put together by ``Segmented.join``). No I/O."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from models.engines.repeats import _UNIT, LONG_SPAN, MAX_UNIT, mark_cut, text_size
from models.params import GenParams, Generation
from prompts import LANGUAGES, Segmented, get_style, normalize_code, split_segments
from prompts.extract import _ALPACA_PREAMBLE, END_MARKERS, clean_completion
from prompts.styles import ALPACA, LINE

_LINE_BREAKS = re.compile(r"[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # str.splitlines' breaks
_LIVE = re.compile(r"translating (\d+)/(\d+) segments")  # chat/pipeline.py's progress notes
_DONE = re.compile(r"translated (\d+)/(\d+) segments")
_MARK = "\x00"


def settled_prefix(shown: str, kind: str, tgt: str | None, params: GenParams) -> str:
    """A prefix of ``shown`` (a completion so far, stripped) that
    ``clean_completion(kind, mark_cut(completion + more, params), tgt)`` starts with for every
    ``more``: all of it but what a cut could still remove; ``kind`` as ``Style.extract``."""
    text = shown.strip()
    markers = END_MARKERS + (("###",) if kind == ALPACA else ())
    end = min(_marker_bound(text, markers), _size_bound(text, params.max_chars),
              _repeat_bound(text) if params.repeat_guard else len(text))
    head = text[:end].rstrip()
    if kind == ALPACA:  # a completion that is (or may become) the Alpaca preamble is dropped
        return "" if _ALPACA_PREAMBLE.startswith(head) or head.startswith(_ALPACA_PREAMBLE) else head
    if kind != LINE:
        return head
    if "\n" not in params.stop:  # a later "\nGerman:" line would replace everything
        return ""
    label = _label(tgt)
    if label and label.startswith(text[:len(label)]):  # "German: Hallo" becomes "Hallo"
        if len(head) <= len(label):
            return ""
        head = head[len(label):]
    head = head.lstrip()
    cut = _LINE_BREAKS.search(head)  # the first line is the translation
    return head[:cut.start()].rstrip() if cut else head


def _label(tgt: str | None) -> str | None:
    """The "German:" a LINE completion may begin with (as prompts/extract.py reads it)."""
    try:
        return f"{LANGUAGES[normalize_code(tgt)]}:" if tgt else None
    except ValueError:
        return None


def final_text(shown: str, kind: str, tgt: str | None, params: GenParams) -> str | None:
    """The cleaned text of a finished completion known only stripped (``shown``), as the
    pipeline makes it; None where a leading space the strip removed could change it."""
    out = {clean_completion(kind, mark_cut(_generation(raw), params).text, tgt)
           for raw in (shown, " " + shown)}
    return out.pop() if len(out) == 1 else None


def _generation(text: str) -> Generation:
    return Generation(prompt="", text=text, model_id="", revision=None, adapter=None, params={},
                      prompt_tokens=0, completion_tokens=0, ttft_s=None, duration_s=0.0,
                      status="complete")


def _marker_bound(text: str, markers: tuple[str, ...]) -> int:
    """Where an end marker starts, or where the text's end could begin one."""
    found = [text.find(m) for m in markers]
    end = min([i for i in found if i >= 0], default=len(text))
    longest = max(len(m) for m in markers)
    for start in range(max(0, len(text) - longest + 1), end):
        if any(m.startswith(text[start:]) for m in markers):
            return start
    return end


def _size_bound(text: str, limit: int | None) -> int:
    """The length cap (``mark_cut``) cuts back to a space after the first word, or to the cap
    itself when its head has none (a space the completion began with is no boundary)."""
    if limit is None:
        return len(text)
    if text_size(text) <= limit:  # a later cut ends at this text's last space or after it
        return text.rindex(" ") if " " in text else len(text)
    cap = GenParams(max_chars=limit, repeat_guard=False)
    plain = mark_cut(_generation(text), cap).text.rstrip()
    spaced = mark_cut(_generation(" " + text), cap).text.strip()
    return min(len(plain), len(spaced))


def _repeat_bound(text: str) -> int:
    """Where a loop (``repeat_start``) could still be found to begin: before the earliest
    unit ``p`` whose units up to the end could repeat the ones before (the last unit, maybe
    unfinished, matches any unit it begins)."""
    units = list(_UNIT.finditer(text))
    words = [u.group().casefold() for u in units]
    m = len(words)
    if not units:  # a loop begins after a unit at the earliest
        return len(text)
    open_last = units[-1].end() == len(text)

    def same(j: int, i: int) -> bool:  # unit j could turn out equal to unit i (< j)
        return words[i].startswith(words[j]) if open_last and j == m - 1 else words[i] == words[j]

    start = m
    for u in range(1, MAX_UNIT + 1):  # a span of u units said again back to back
        j = m - 1
        while j - u >= 0 and same(j, j - u):
            j -= 1
        if j < m - 1:
            start = min(start, max(u, j + 1))
    for p in range(max(LONG_SPAN, m - LONG_SPAN), m):  # a long span said again
        if any(all(same(p + t, i + t) for t in range(m - p)) for i in range(p - LONG_SPAN + 1)):
            start = min(start, p)
            break
    if start == 0:
        return 0
    return len(text) if open_last and start == m else units[start - 1].end()


@dataclass
class ReplyText:
    """One reply's text as it grows: ``update`` gives the part that is final so far. A reply
    of several segments (``Segmented.join`` of one completion each) is followed by the
    pipeline's progress notes: at the end of a batch everything but the empty segments' layout
    is final; while segment k streams, the segments before it (their cleaned texts, known from
    their last update) and what is settled of segment k."""

    kind: str
    tgt: str | None
    params: list[GenParams]            # one per completion (segment)
    segments: Segmented | None = None  # a translation of several segments
    finals: list[str] | None = field(default_factory=list)  # finished segments' texts (None: unknown)
    live: str = ""                     # the streaming segment's text
    lost: bool = False                 # not understood: nothing more until the end
    settled: str = ""

    @classmethod
    def of(cls, stored: dict, tgt: str | None, source: str, drafts: bool) -> "ReplyText":
        """From what the reply's message stores: its params (``_params_record``), target and
        source text; ``drafts``: the engine streams a greedy draft that beam search replaces."""
        params = GenParams(**{k: v for k, v in stored.items() if k in GenParams.__dataclass_fields__})
        entry = get_style(stored["style"])
        if stored.get("mode") == "chat":
            reply = cls(entry.chat_extract, None, [params])
        else:
            segs = split_segments(source)
            each = [params.for_source(text_size(s)) for s in segs.segments]
            reply = cls(entry.extract, tgt, each, segs if len(segs) > 1 else None)
        reply.lost = bool(stored.get("pivot")) or (drafts and params.num_beams > 1)
        return reply

    def update(self, text: str, note: str | None = None) -> str:
        """The final prefix of the reply's ``text`` (a streamed update with its progress note)."""
        if not self.lost:
            try:
                now = self._settle(text, note or "")
            except (ValueError, IndexError, KeyError):
                now = None
            if now is not None and now.startswith(self.settled):
                self.settled = now
            elif now is None or not self.settled.startswith(now):
                self.lost = True
        return self.settled

    def _settle(self, text: str, note: str) -> str:
        if self.segments is None:
            return settled_prefix(text, self.kind, self.tgt, self.params[0])
        count = len(self.params)
        live, done = _LIVE.fullmatch(note), _DONE.fullmatch(note)
        if not (live or done) or int((live or done).group(2)) != count or _MARK in text:
            raise ValueError("not a segment's progress")
        index = int(live.group(1)) - 1 if live else int(done.group(1))
        self._finish(index)
        if done:  # a batch ended: all is final but the layout of the empty segments after it
            if self.finals is not None and self._join(index, None) != (text, ""):
                self.finals = None
            tail = self._join(index, "", blank=True)[1]
            if not text.endswith(tail):
                raise ValueError("the text does not match its segments")
            return text[:len(text) - len(tail)]
        if self.finals is None:  # the batch came without pieces: wait for its end
            return self.settled
        head, tail = self._join(index, "")
        middle = text[len(head):len(text) - len(tail)]  # a sentence gap, then the segment
        self.live = middle[1:] if middle.startswith(" ") else middle
        if not (text.startswith(head) and text.endswith(tail)) or \
                self._join(index, self.live, whole=True) != (text, ""):
            self.finals = None  # not the text expected: wait for the batch's end
            return self.settled
        return self._join(index, settled_prefix(self.live, self.kind, self.tgt, self.params[index]))[0]

    def _finish(self, index: int) -> None:
        """The cleaned texts of the segments before ``index``, from their last update."""
        while self.finals is not None and len(self.finals) < index:
            final = final_text(self.live, self.kind, self.tgt, self.params[len(self.finals)])
            self.finals = None if final is None or _MARK in final else self.finals + [final]
            self.live = ""
        if self.finals is not None and len(self.finals) > index:
            raise ValueError("a segment streamed again")

    def _join(self, index: int, piece: str | None, whole: bool = False, blank: bool = False):
        """(the joined text up to the end of ``piece`` as segment ``index``, the layout after it
        while the later segments are empty); ``whole`` or ``piece`` None: the text and ""."""
        count = len(self.params)
        done = [""] * index if blank else list(self.finals)
        pieces = done + [piece or ""] + [""] * (count - index - 1)
        if whole or piece is None or index >= count:
            return self.segments.join(pieces[:count]), ""
        # "一" (CJK) keeps join from adding a sentence gap for an empty piece
        pieces[index] = (piece or "一") + _MARK
        head, _, tail = self.segments.join(pieces).partition(_MARK)
        return (head if piece else head[:-1]), tail
