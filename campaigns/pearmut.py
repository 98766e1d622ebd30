"""Pearmut interchange: an error-span campaign out as Pearmut's campaign JSON, Pearmut's
annotation log back in (so a team can annotate in Pearmut's interface and train here).

Shapes (Pearmut 1.1.6, read from its package: README, ``cli.py`` ``_add_single_campaign``,
``app.py`` ``/log-response``, ``utils.py``, ``web/src/annotate.ts``):

* campaign: ``{"campaign_id", "info": {"assignment": "task-based", "protocol": "ESA"|"cESA",
  "users": [names], "shuffle": false, ...}, "data": [task per user: [document: [item]]]}``; an
  item is ``{"src", "tgt": {model: text}, "item_id", ...}`` and extra keys come back in the log.
  Here each annotator's queue is their task, one screen a document of one item, in queue
  order (repeats and planted-error items included, placed as on our page); ``tgt`` holds the
  screen's candidates in its left/right order (so ``shuffle`` is off), the planted copy under
  the model name ``#planted``; ``hintmt`` ties the item to its assignment.
* log (``data/annotations/<campaign>.jsonl``, or the dashboard's download
  ``{campaign_id: [lines]}``): a line is ``{"user_id", "item_i", "item": [items], "annotation":
  [{model: {"score", "error_spans": [{"start_i", "end_i", "severity", "category"}],
  "textfield"?}}], "actions": [{"time", ...}], ...}``; ``{"user_id", "annotation": "__RESET__"}``
  voids that user's earlier lines; a later line for the same (user, item_i) replaces one.

Pearmut's ``start_i``/``end_i`` are JavaScript string indices (UTF-16 code units), both ends
inclusive; an index at or past the text's end is a special token (``[missing]``). They become
code-point offsets ``[start, end)`` here, ``[missing]`` a missing-content marker at the end of
the text. Items without ``hintmt`` (a campaign built elsewhere) are matched by ``item_id`` (the
item key) and model name (the system label) and imported like ``--judgements`` rows.
"""
from __future__ import annotations

import itertools
import json
from pathlib import Path

from chat.settings import UserError
from storage.campaign_esa import check_mark
from storage.campaign_schema import SEVERITIES

PLANTED = "#planted"
PROTOCOL = {"esa": "ESA", "contrastive-esa": "cESA"}
RESET = "__RESET__"
SKIPPED = ("welcome_", "goodbye_", "random_")


def _text(assignment, side: str, outputs: dict) -> str:
    if assignment.kind == "qc" and assignment.qc_side == side:
        return assignment.qc_text
    return outputs[(assignment.item_id, assignment.system_a if side == "a" else assignment.system_b)][1]


def pearmut_campaign(campaigns, campaign) -> dict:
    """The campaign as Pearmut's campaign JSON (task-based, one task per annotator)."""
    if campaign.protocol not in PROTOCOL:
        raise UserError(f"only error-span campaigns go to Pearmut; {campaign.name!r} is "
                        f"{campaign.protocol}")
    if "/" in campaign.name or campaign.name in (".", ".."):
        raise UserError(f"Pearmut cannot store a campaign named {campaign.name!r}")
    labels = {s.id: s.label for s in campaigns.systems(campaign.id)}
    odd = [label for label in labels.values() if label.isdigit() or label == PLANTED]
    if odd:
        raise UserError(f"Pearmut cannot show a system named {odd[0]!r} (digits only, or "
                        f"{PLANTED})")
    items = {i.id: i for i in campaigns.items(campaign.id)}
    outputs = campaigns.outputs(campaign.id)
    queues: dict = {}
    for a in campaigns.assignments(campaign.id):
        queues.setdefault(a.annotator_id, []).append(a)
    users, data = [], []
    for annotator in campaigns.annotators(campaign.id):
        if not annotator.external and queues.get(annotator.id):
            users.append(annotator.name)
            data.append([[_item(campaign, a, items[a.item_id], outputs, labels)]
                         for a in queues[annotator.id]])
    return {"campaign_id": campaign.name,
            "info": {"assignment": "task-based", "protocol": PROTOCOL[campaign.protocol],
                     "users": users, "shuffle": False, "show_model_names": False,
                     "special_tokens": ["[missing]"]},
            "data": data}


def _item(campaign, assignment, item, outputs: dict, labels: dict) -> dict:
    sides = ["a"] if campaign.protocol == "esa" else ["a", "b"] if assignment.a_on_left else ["b", "a"]
    tgt, names = {}, {}
    for side in sides:
        planted = assignment.kind == "qc" and assignment.qc_side == side
        name = PLANTED if planted else labels[assignment.system_a if side == "a" else assignment.system_b]
        tgt[name] = _text(assignment, side, outputs)
        names[name] = side
    return {"src": item.source, "tgt": tgt, "item_id": item.key,
            "hintmt": {"campaign": campaign.name, "assignment": assignment.id, "sides": names}}


def write_pearmut(campaigns, campaign, out: str | Path) -> int:
    """Write the campaign JSON to ``out``; returns the number of screens (documents)."""
    doc = pearmut_campaign(campaigns, campaign)
    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    except OSError as err:
        raise UserError(f"cannot write {path}: {err.strerror or err}") from None
    return sum(len(task) for task in doc["data"])


# -- results back ---------------------------------------------------------------------------
def _entries(path: Path, name: str) -> list[tuple[str, dict]]:
    """(where, log line) from a JSONL log or the dashboard's ``{campaign_id: [lines]}``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: not UTF-8 text ({err.reason})") from None
    except OSError as err:
        raise UserError(f"{path}: {err.strerror or err}") from None
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict) and whole and all(isinstance(v, list) for v in whole.values()):
        lines = whole.get(name, next(iter(whole.values())) if len(whole) == 1 else None)
        if lines is None:
            raise UserError(f"{path}: no annotations of campaign {name!r} (it has "
                            f"{', '.join(map(repr, whole))})")
        return [(f"{path}, entry {n}", line) for n, line in enumerate(lines, 1)]
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                out.append((f"{path}, line {number}", json.loads(line)))
            except json.JSONDecodeError as err:
                raise UserError(f"{path}, line {number}: not JSON ({err.msg})") from None
    return out


def _active(entries: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """The lines that count: after each user's last reset, the last one per (user, item)."""
    for where, e in entries:
        if not isinstance(e, dict):
            raise UserError(f"{where}: expected a JSON object")
    reset = {e.get("user_id"): n for n, (_, e) in enumerate(entries) if e.get("annotation") == RESET}
    last: dict = {}
    for n, (where, e) in enumerate(entries):
        item_i = e.get("item_i")
        if n <= reset.get(e.get("user_id"), -1) or e.get("annotation") == RESET or (
                isinstance(item_i, str) and item_i.startswith(SKIPPED)):
            continue
        if isinstance(e.get("annotation"), list) and isinstance(e.get("item"), list):
            last[(e.get("user_id"), json.dumps(item_i))] = (n, where, e)
    return [(where, e) for _, where, e in sorted(last.values(), key=lambda x: x[0])]


def _seconds(actions) -> float | None:
    """Time on the screen as Pearmut counts it (gaps between actions, at most 61 s each)."""
    times = sorted(a["time"] for a in actions or [] if isinstance(a, dict)
                   and isinstance(a.get("time"), (int, float)))
    return round(sum(min(b - a, 61) for a, b in itertools.pairwise(times)), 2) if times else None


def convert_spans(where: str, text: str, error_spans) -> list[dict]:
    """Pearmut's spans (UTF-16, inclusive, special tokens past the end) as ours."""
    units = [i for i, ch in enumerate(text) for _ in range(2 if ord(ch) > 0xFFFF else 1)]
    out = []
    for span in error_spans or []:
        if not isinstance(span, dict):
            raise UserError(f"{where}: a span is not an object: {span!r}")
        start, end = span.get("start_i"), span.get("end_i")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise UserError(f"{where}: a span without whole-number start_i/end_i: {span!r}")
        severity = str(span.get("severity") or "").lower()
        if severity not in SEVERITIES:
            raise UserError(f"{where}: span severity must be {' or '.join(SEVERITIES)}, got "
                            f"{span.get('severity')!r}")
        if start >= len(units) and end >= start:
            out.append({"start": len(text), "end": len(text), "severity": severity})
        elif 0 <= start <= end < len(units):
            out.append({"start": units[start], "end": units[end] + 1, "severity": severity})
        else:
            raise UserError(f"{where}: span {start}–{end} is outside the text")
    return out


def read_pearmut(path: str | Path, campaigns, campaign) -> list[dict]:
    """Rows for `CampaignStore.import_esa` from Pearmut's annotation log; a bad line is named
    and nothing is imported."""
    path = Path(path)
    if campaign.protocol not in PROTOCOL:
        raise UserError(f"Pearmut results go into error-span campaigns; {campaign.name!r} is "
                        f"{campaign.protocol}")
    assignments = {a.id: a for a in campaigns.assignments(campaign.id)}
    names = {a.id: a.name for a in campaigns.annotators(campaign.id)}
    items = {i.key: i.id for i in campaigns.items(campaign.id)}
    systems = {s.label: s.id for s in campaigns.systems(campaign.id)}
    outputs = campaigns.outputs(campaign.id)
    rows = []
    for where, entry in _active(_entries(path, campaign.name)):
        user, seconds = str(entry.get("user_id") or ""), _seconds(entry.get("actions"))
        for item, answer in zip(entry["item"], entry["annotation"]):
            if not isinstance(answer, dict) or not isinstance(item, dict):
                continue  # a skipped item, or a form
            for model, response in answer.items():
                if isinstance(response, dict):
                    rows.append(_row(where, user, item, model, response, seconds, assignments,
                                     names, items, systems, outputs, campaign.name))
    if not rows:
        raise UserError(f"{path}: no annotations in the file")
    return rows


def _row(where, user, item, model, response, seconds, assignments, names, items, systems,
         outputs, name) -> dict:
    link = item.get("hintmt")
    if isinstance(link, dict):
        if link.get("campaign") != name:
            raise UserError(f"{where}: an item of campaign {link.get('campaign')!r}, not {name!r}")
        a = assignments.get(link.get("assignment"))
        side = (link.get("sides") or {}).get(model)
        if a is None or side not in ("a", "b"):
            raise UserError(f"{where}: candidate {model!r} of assignment "
                            f"{link.get('assignment')!r} is not in this campaign")
        if names[a.annotator_id] != user:
            raise UserError(f"{where}: user {user!r} annotated {names[a.annotator_id]}'s item")
        text = _text(a, side, outputs)
        row = {"assignment_id": a.id, "side": side, "item_id": a.item_id,
               "system_id": a.system_a if side == "a" else a.system_b}
    else:
        key = str(item.get("item_id"))
        if key not in items or model not in systems:
            raise UserError(f"{where}: item_id {item.get('item_id')!r} / model {model!r} is not "
                            "an item / system of this campaign")
        if (items[key], systems[model]) not in outputs:
            raise UserError(f"{where}: system {model!r} has no output for item {key!r}")
        text = outputs[(items[key], systems[model])][1]
        row = {"item_id": items[key], "system_id": systems[model]}
    if not user:
        raise UserError(f"{where}: no user_id")
    spans = convert_spans(where, text, response.get("error_spans"))
    try:
        score, spans = check_mark(text, response.get("score"), spans)
    except ValueError as err:
        raise UserError(f"{where}: {model}: {err}") from None
    edited = response.get("textfield")
    edited = edited.strip() if isinstance(edited, str) and edited.strip() != text.strip() else None
    return {**row, "annotator": user, "score": score, "spans": spans, "seconds": seconds,
            "post_edit": edited or None}
