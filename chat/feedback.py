"""Feedback acts that become preference pairs the moment they happen (no post-processing).

Every pair's prompt is the exact prompt the model was given, so the export feeds
TRL's CPO trainer unchanged. A reply translated in several segments yields one pair
per segment that differs, when both sides have the same segments.
"""
from __future__ import annotations

from dataclasses import dataclass

from prompts import split_segments

from chat.glossary_check import recheck
from chat.settings import UserError

# "term missed": a glossary term's target is not in the translation (chat/glossary_check.py)
REASONS = ("mistranslation", "omission", "fluency", "terminology", "term missed", "wrong language", "other")
PICKS = ("a", "b", "tie", "both-bad")


@dataclass(frozen=True)
class Outcome:
    """What a feedback act did: pairs written (of ``kind``), the new message it made (a
    correction's alternative), and the sentence the page shows."""

    kind: str
    pairs: int
    message: str
    message_id: int | None = None


@dataclass(frozen=True)
class PairSide:
    """One side of a comparison: per-segment prompts and outputs of a message."""

    prompts: list[str]
    outputs: list[str]


def segments_of(msg) -> PairSide:
    """The (prompt, output) segments of an assistant message."""
    segs = (msg.params or {}).get("segments")
    if segs:
        return PairSide([s["prompt"] for s in segs], [s["output"] for s in segs])
    return PairSide([msg.prompt or ""], [msg.content or ""])


class Feedback:
    """Ratings, picks, edits and hint contrasts for one store."""

    def __init__(self, store):
        self.store = store

    def _pair_common(self, user_id: int, msg, source: str) -> dict:
        params = msg.params or {}
        return dict(source=source, src=msg.src, tgt=msg.tgt, style=params.get("style"),
                    hint=params.get("hint"), model=msg.model_id,
                    conversation_id=msg.conversation_id)

    def _write_pairs(self, user_id: int, kind: str, chosen_msg, rejected_msg, *,
                     chosen_text: str | None = None, decision_seconds: float | None = None,
                     chosen_prompt: bool = False) -> int:
        """Write one pair per differing segment; returns how many were written.

        ``chosen_prompt``: the pair's prompt is the chosen side's (hint contrast: both outputs
        answer the "no errors" prompt, the "major errors" one being the negative)."""
        source = self.store.get_message(user_id, rejected_msg.parent_id).content
        rejected = segments_of(rejected_msg)
        if chosen_prompt:
            good_side = segments_of(chosen_msg)
            if len(good_side.prompts) == len(rejected.prompts):
                rejected = PairSide(good_side.prompts, rejected.outputs)
        count = len(rejected.prompts)
        if chosen_text is not None:
            chosen = PairSide(rejected.prompts, _split_like(chosen_text, count))
        else:
            chosen = segments_of(chosen_msg)
        sources = _split_like(source, count)
        misaligned = "" in sources[1:] or (chosen_text is not None and "" in chosen.outputs[1:])
        if chosen.prompts != rejected.prompts or misaligned:
            # Not aligned segment by segment: one pair over the whole turn.
            whole = "\n\n".join(rejected.prompts)
            chosen = PairSide([whole], ["\n".join(chosen.outputs)])
            rejected = PairSide([whole], ["\n".join(rejected.outputs)])
            sources = [source]
        common = self._pair_common(user_id, rejected_msg, source)
        written = 0
        for prompt, good, bad, src_text in zip(rejected.prompts, chosen.outputs,
                                               rejected.outputs, sources):
            good, bad = good.strip(), bad.strip()
            if not good or good == bad:
                continue
            self.store.add_pair(
                user_id, prompt=prompt, chosen=good, rejected=bad, kind=kind,
                chosen_message_id=chosen_msg.id, rejected_message_id=rejected_msg.id,
                decision_seconds=decision_seconds, **{**common, "source": src_text})
            written += 1
        return written

    def rate(self, user_id: int, msg_id: int, rating: int, reasons=(), comment: str = "") -> Outcome:
        """Thumbs up/down; a liked and a disliked alternative of one turn make a pair."""
        msg = self.store.get_message(user_id, msg_id)
        if msg.role != "assistant":
            raise UserError("Only translations can be rated.")
        self.store.rate(user_id, msg_id, rating, list(reasons), comment)
        written = 0
        for other in self.store.alternatives(user_id, msg.parent_id):
            if other.id == msg.id or not other.content:
                continue
            fb = self.store.feedback_for(user_id, other.id)
            if fb is None or fb.rating == rating:
                continue
            good, bad = (msg, other) if rating > 0 else (other, msg)
            written += self._write_pairs(user_id, "rating", good, bad)
        thanks = "Thanks: rated 👍." if rating > 0 else "Thanks: rated 👎."
        return Outcome("rating", written, thanks + (f" {written} preference pair(s) saved." if written else ""))

    def pick(self, user_id: int, a_id: int, b_id: int, choice: str,
             decision_seconds: float | None = None) -> Outcome:
        """'Which is better?' between two alternatives of one turn."""
        if choice not in PICKS:
            raise UserError(f"Unknown choice {choice!r}.")
        a = self.store.get_message(user_id, a_id)
        b = self.store.get_message(user_id, b_id)
        if a.parent_id != b.parent_id or a.role != "assistant" or b.role != "assistant":
            raise UserError("Only alternatives of the same turn can be compared.")
        earlier = self.store.pairs_between(user_id, "pick", a.id, b.id)
        good, bad = (a, b) if choice == "a" else (b, a)
        if choice in ("a", "b") and earlier and set(earlier) == {good.id}:
            return Outcome("pick", 0, "You picked this one already: nothing new saved.")
        changed = " (your earlier pick was replaced)" if earlier else ""
        if earlier:  # a changed mind replaces the earlier pick: never both A>B and B>A
            self.store.drop_pairs_between(user_id, "pick", a.id, b.id)
        if choice == "tie":
            return Outcome("pick", 0, f"Recorded: a tie, no pair saved{changed}.")
        if choice == "both-bad":
            for msg in (a, b):
                self.store.rate(user_id, msg.id, -1, ["other"], "both bad (pick)")
            return Outcome("pick", 0, f"Recorded: both are bad{changed}. Edit the translation to teach the model "
                                      "the right one.")
        written = self._write_pairs(user_id, "pick", good, bad, decision_seconds=decision_seconds)
        if not written:
            return Outcome("pick", 0, "Both are the same text: no pair saved.")
        return Outcome("pick", written, f"Saved {written} preference pair(s){changed}.")

    def edit(self, user_id: int, msg_id: int, corrected: str) -> Outcome:
        """A user's correction: stored as a new alternative (``message_id``; None when nothing
        new was stored) and as chosen over the model's output."""
        msg = self.store.get_message(user_id, msg_id)
        if msg.role != "assistant":
            raise UserError("Only translations can be corrected.")
        corrected = (corrected or "").strip()
        if not corrected:
            raise UserError("The corrected translation is empty.")
        if corrected == (msg.content or "").strip():
            return Outcome("edit", 0, "Nothing changed.")
        if any(alt.model_id == "human" and (alt.params or {}).get("edited_from") == msg.id
               and (alt.content or "").strip() == corrected
               for alt in self.store.alternatives(user_id, msg.parent_id)):
            return Outcome("edit", 0, "This correction of this translation is stored already.")
        new_id = self.store.add_message(
            user_id, msg.conversation_id, "assistant", corrected, parent_id=msg.parent_id,
            src=msg.src, tgt=msg.tgt, prompt=msg.prompt, model_id="human",
            params={**recheck(msg.params, corrected), "edited_from": msg.id})
        new_msg = self.store.get_message(user_id, new_id)
        written = self._write_pairs(user_id, "edit", new_msg, msg, chosen_text=corrected)
        return Outcome("edit", written, f"Correction saved; {written} preference pair(s).", new_id)

    def hint_contrast(self, user_id: int, good_msg_id: int, bad_msg_id: int) -> Outcome:
        """A ParroT "no errors" output (chosen) against its "major errors" output (rejected)."""
        good = self.store.get_message(user_id, good_msg_id)
        bad = self.store.get_message(user_id, bad_msg_id)
        written = self._write_pairs(user_id, "hint-contrast", good, bad, chosen_prompt=True)
        return Outcome("hint-contrast", written, f"Saved {written} hint-contrast pair(s).")


def _split_like(text: str, count: int) -> list[str]:
    """Split text into `count` segments the way inputs are split, else keep it whole."""
    if count <= 1:
        return [text]
    parts = split_segments(text).segments
    if len(parts) == count:
        return list(parts)
    return [text] + [""] * (count - 1)
