"""Sentences for `python app.py bench`: WMT'22 test sets when the folder is there, built-ins otherwise.

The WMT'22 files (``../shared/data/wmt22/{src}-{tgt}.jsonl``, one JSON object a line with
``source`` and ``reference``) give realistic input; the built-in sentences keep the benchmark
runnable anywhere (and are what the tests use).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from prompts import split_segments

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WMT = ROOT.parent / "shared" / "data" / "wmt22"
BUILTIN = "builtin"

# German sources (written for this benchmark) with an English rendering each.
BUILTIN_DE_EN: tuple[tuple[str, str], ...] = (
    ("Der Zug nach Hamburg hatte heute Morgen fast eine Stunde Verspätung.",
     "The train to Hamburg was almost an hour late this morning."),
    ("Meine Bestellung ist noch nicht angekommen, obwohl sie schon vor zwei Wochen verschickt wurde.",
     "My order has not arrived yet, although it was shipped two weeks ago."),
    ("Können Sie mir bitte sagen, wie ich mein Passwort zurücksetzen kann?",
     "Can you please tell me how to reset my password?"),
    ("Die Stadt plant, im nächsten Jahr drei neue Radwege zu bauen.",
     "The city plans to build three new cycle paths next year."),
    ("Das Museum bleibt wegen Renovierungsarbeiten bis Ende März geschlossen.",
     "The museum remains closed until the end of March for renovation work."),
    ("Ich habe das Paket zurückgeschickt und warte jetzt auf die Erstattung.",
     "I sent the parcel back and am now waiting for the refund."),
    ("Der neue Trainer will die Mannschaft vor allem in der Abwehr verbessern.",
     "The new coach above all wants to improve the team's defence."),
    ("Bei starkem Regen wurden mehrere Straßen in der Innenstadt gesperrt.",
     "Several streets in the city centre were closed during heavy rain."),
    ("Wir haben den Vertrag gestern unterschrieben und beginnen nächste Woche.",
     "We signed the contract yesterday and start next week."),
    ("Die Forscher haben eine neue Methode zur Wasserreinigung entwickelt.",
     "The researchers have developed a new method for purifying water."),
    ("Leider ist der Artikel in Ihrer Größe derzeit nicht auf Lager.",
     "Unfortunately the item is currently out of stock in your size."),
    ("Am Wochenende findet auf dem Marktplatz ein kleines Konzert statt.",
     "A small concert takes place on the market square at the weekend."),
    ("Die Regierung hat angekündigt, die Steuern für Familien zu senken.",
     "The government has announced that it will lower taxes for families."),
    ("Mein Kollege hat mir geholfen, den Fehler im Programm zu finden.",
     "My colleague helped me find the bug in the program."),
    ("Das Hotel liegt direkt am See und hat einen schönen Garten.",
     "The hotel is right on the lake and has a lovely garden."),
    ("Nach dem Spiel feierten die Fans bis spät in die Nacht.",
     "After the match the fans celebrated until late at night."),
    ("Die Lieferung kam beschädigt an, deshalb möchte ich mein Geld zurück.",
     "The delivery arrived damaged, so I would like my money back."),
    ("Viele Menschen arbeiten inzwischen mindestens einen Tag pro Woche von zu Hause.",
     "Many people now work from home at least one day a week."),
    ("Der Arzt empfahl mir, mehr Wasser zu trinken und früher schlafen zu gehen.",
     "The doctor advised me to drink more water and go to bed earlier."),
    ("In der Bibliothek gibt es jetzt auch Bücher in zwölf Sprachen.",
     "The library now also has books in twelve languages."),
)

# Short texts in several languages for the language-detection timing.
BUILTIN_DETECT: tuple[str, ...] = tuple(s for s, _ in BUILTIN_DE_EN) + tuple(t for _, t in BUILTIN_DE_EN) + (
    "Vlak do Prahy měl dnes ráno skoro hodinu zpoždění.",
    "Moje objednávka ještě nedorazila, i když byla odeslána před dvěma týdny.",
    "Поезд в Москву сегодня утром опоздал почти на час.",
    "Мой заказ ещё не пришёл, хотя его отправили две недели назад.",
    "今天早上去上海的火车晚点了将近一个小时。",
    "我的订单还没有到，虽然两周前就已经发货了。",
    "Lestin til Reykjavíkur var næstum klukkutíma of seinn í morgun.",
    "Pöntunin mín er ekki komin þótt hún hafi verið send fyrir tveimur vikum.",
    "Le train pour Lyon avait presque une heure de retard ce matin.",
    "El tren a Madrid llegó casi una hora tarde esta mañana.",
)


@dataclass(frozen=True)
class Corpus:
    """Where the sentences came from ("WMT'22 …" or "built-in") and the sentences."""

    source: str
    pairs: list[tuple[str, str]]  # (source sentence, reference)


def wmt_dir(data: str | None) -> Path | None:
    """The WMT'22 folder to read, or None for the built-in sentences."""
    if data == BUILTIN:
        return None
    path = Path(data).expanduser() if data else DEFAULT_WMT
    if path.is_dir():
        return path
    if data:
        raise ValueError(f"--data {data}: no such folder (give the WMT'22 folder, or '{BUILTIN}')")
    return None


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


PROBE = "Danach kommt der nächste Satz."


def one_sentence(text: str, min_words: int = 5, max_words: int = 30) -> bool:
    """True for text the app translates as a single segment of a reasonable length, which
    also ends its sentence (a sentence put after it stays a segment of its own)."""
    words = len(text.split())
    return (min_words <= words <= max_words and len(split_segments(text).segments) == 1
            and len(split_segments(f"{text} {PROBE}").segments) == 2)


def sentences(data: str | None, n: int, pair: str = "de-en") -> Corpus:
    """`n` single-sentence (source, reference) pairs of `pair`, in file order, chosen so that
    the sources joined with spaces split into exactly `n` segments."""
    folder = wmt_dir(data)
    if folder is not None and (folder / f"{pair}.jsonl").is_file():
        picked: list[tuple[str, str]] = []
        for r in _rows(folder / f"{pair}.jsonl"):
            row = (r["source"].strip(), r.get("reference", ""))
            # one segment alone, and still its own segment after the ones picked so far
            if len(picked) < n and one_sentence(row[0]) and len(
                    split_segments(" ".join([s for s, _ in picked] + [row[0]])).segments) == len(picked) + 1:
                picked.append(row)
        if len(picked) == n:
            return Corpus(f"WMT'22 {pair} ({folder})", picked)
    if pair != "de-en":
        raise ValueError(f"no built-in sentences for {pair}; only de-en")
    builtin = list(BUILTIN_DE_EN)
    return Corpus("built-in", [builtin[i % len(builtin)] for i in range(n)])


def detection_texts(data: str | None, n: int) -> Corpus:
    """`n` source texts taken in turn from every WMT'22 file (several languages)."""
    folder = wmt_dir(data)
    files = sorted(folder.glob("*.jsonl")) if folder is not None else []
    if files:
        columns = [[r["source"] for r in _rows(f) if r.get("source", "").strip()] for f in files]
        picked = [col[i] for i in range(max(map(len, columns))) for col in columns if i < len(col)][:n]
        return Corpus(f"WMT'22 sources, {len(files)} files ({folder})", [(t, "") for t in picked])
    return Corpus("built-in", [(BUILTIN_DETECT[i % len(BUILTIN_DETECT)], "") for i in range(n)])


def preference_rows(data: str | None, n: int) -> tuple[str, list[tuple[str, str, str, str, str]]]:
    """`n` rows (src, tgt, source, chosen, rejected) to fill the pairs table, from the WMT'22
    references (chosen) and a system output (rejected); repeats are made unique by a number."""
    folder = wmt_dir(data)
    rows: list[tuple[str, str, str, str, str]] = []
    label = "built-in"
    if folder is not None:
        for path in sorted(folder.glob("*-*.jsonl")):
            src, tgt = path.stem.split("-", 1)
            for r in _rows(path):
                chosen, rejected = r.get("reference", ""), r.get("alma_13b_r") or r.get("wmt_winner", "")
                if r.get("source") and chosen and rejected and chosen != rejected:
                    rows.append((src, tgt, r["source"], chosen, rejected))
        rows = list(dict.fromkeys(rows))  # the test sets repeat some segments
        label = f"WMT'22 ({folder})" if rows else label
    if not rows:
        rows = [("de", "en", s, ref, s) for s, ref in BUILTIN_DE_EN]
    out = []
    for i in range(n):
        src, tgt, source, chosen, rejected = rows[i % len(rows)]
        if i >= len(rows):
            source = f"{source} ({i // len(rows)})"
        out.append((src, tgt, source, chosen, rejected))
    return label, out
