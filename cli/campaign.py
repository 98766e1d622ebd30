"""`python app.py campaign create|status|import|report|export`: preference campaigns.

create  generate every system's outputs (resumable), build the assignment, print the links
        (--protocol pairwise | esa | contrastive-esa)
status  progress per annotator and per system pair
import  judgements made elsewhere (CSV; JSONL for an error-span campaign; --pearmut: Pearmut's
        annotation log); rows already imported are skipped
report  leaderboard, pairwise counts, agreement, annotators (+ ESA statistics): table, --json,
        --plots
export  pairs for `train-cpo` (trl | alma-r | full; --margin for ESA), or the campaign as
        Pearmut's campaign JSON (--format pearmut)
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import quote

from models.environment import settings

HELP = "preference campaigns: blind side-by-side judgements, leaderboard, pairs for CPO"



def _db(p) -> None:
    p.add_argument("--db", default=os.environ.get("CHAT_DB_URL"),
                   help="SQLAlchemy URL or file path of the database (default: data/chat.db)")


def _qc_thresholds(p) -> None:
    p.add_argument("--qc-max-p", type=float, default=0.10,
                   help="flag an annotator whose QC p-value is above this (default 0.10)")
    p.add_argument("--qc-min-pass", type=float, default=0.7,
                   help="flag an annotator whose QC pass rate is below this (default 0.7)")


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="campaign_command", metavar="create|status|import|report|export",
                                required=True)
    c = sub.add_parser("create", help="generate the outputs, build the assignment, print the links")
    c.add_argument("name")
    c.add_argument("--test-set", required=True, help="test set: text (one segment a line) or JSONL")
    c.add_argument("--from", dest="src", help="source language (default: the JSONL src_lang)")
    c.add_argument("--to", dest="tgt", help="target language (default: the JSONL tgt_lang)")
    c.add_argument("--system", action="append", metavar="LABEL=MODEL[,adapter=PATH][,hint=TEXT][,beams=N]",
                   help="a system to compare (twice or more); also style=NAME for a non-preset model, "
                        "max_new_tokens=N")
    c.add_argument("--annotators", required=True,
                   help="comma-separated annotator names; hf:USERNAME is a Hugging Face user, "
                        "who can also sign in on the Space instead of using a link")
    c.add_argument("--redundancy", type=int, default=2, help="annotators per item (default 2)")
    c.add_argument("--repeat", type=float, default=0.1,
                   help="share of each annotator's items shown twice, far apart (default 0.1)")
    c.add_argument("--qc", type=float, default=0.1, help="share of quality-control items (default 0.1)")
    c.add_argument("--limit", type=int, help="use only the first N segments")
    c.add_argument("--seed", type=int, default=0, help="seed of the assignment (default 0)")
    c.add_argument("--protocol", choices=("pairwise", "esa", "contrastive-esa"), default="pairwise",
                   help="pairwise: choose A or B (default); esa: score one candidate at a time and "
                        "mark its error spans; contrastive-esa: both candidates side by side, each "
                        "scored and marked")
    c.add_argument("--url", default=settings().public_url,
                   help="address of the served app, for the links (env HINTMT_PUBLIC_URL)")
    _db(c)
    s = sub.add_parser("status", help="progress per annotator and per system pair")
    s.add_argument("name")
    _db(s)
    i = sub.add_parser("import", help="add judgements made elsewhere (rows already imported "
                                      "are skipped)")
    i.add_argument("name")
    source = i.add_mutually_exclusive_group(required=True)
    source.add_argument("--judgements", metavar="FILE",
                        help="pairwise: CSV annotator,item_id,system_a,system_b,choice[,seconds,"
                             "post_edit]; ESA: JSONL {annotator, item_id, system, score, spans"
                             "[, seconds, post_edit]}")
    source.add_argument("--pearmut", metavar="FILE",
                        help="Pearmut's annotation log of this campaign (annotations JSONL, or "
                             "the dashboard's annotations.json)")
    _db(i)
    r = sub.add_parser("report", help="leaderboard, agreement and annotators")
    r.add_argument("name")
    r.add_argument("--json", dest="json_out", metavar="OUT", help="also write the results as JSON")
    r.add_argument("--plots", metavar="DIR", help="also write the charts as PNG files")
    r.add_argument("--include-flagged", action="store_true",
                   help="count flagged annotators' judgements in the leaderboard")
    _qc_thresholds(r)
    _db(r)
    e = sub.add_parser("export", help="the campaign's preference pairs for train-cpo")
    e.add_argument("name")
    e.add_argument("--format", choices=("trl", "alma-r", "full", "pearmut"), default="trl",
                   help="pairs (trl, alma-r, full), or pearmut: the campaign as Pearmut's "
                        "campaign JSON (error-span campaigns)")
    e.add_argument("--out", required=True)
    e.add_argument("--min-agreement", type=float,
                   help="lowest share of judgements that must agree (default: a strict majority)")
    e.add_argument("--margin", type=float,
                   help="ESA: pair an item's best and worst candidates when their mean scores "
                        "differ by at least this many points (default 10)")
    e.add_argument("--include-flagged", action="store_true",
                   help="keep the judgements of annotators flagged by quality control")
    _qc_thresholds(e)
    _db(e)


def links(campaigns, campaign, url: str) -> list[str]:
    base = url if url.endswith("/") else url + "/"
    lines = [f"{a.name}: {base}campaign?token={a.token}"
             for a in campaigns.annotators(campaign.id) if not a.external]
    if any(a.name.startswith("hf:") for a in campaigns.annotators(campaign.id)):
        lines.append(f"signed in on the Space (hf:NAME annotators): {base}campaign?campaign="
                     f"{quote(campaign.name, safe='')}")
    return lines + [f"dashboard (owner): {base}campaign?owner={campaign.owner_token}"]


def run(args) -> int:
    from storage import CampaignStore, open_store

    store = open_store(args.db, must_exist=args.campaign_command != "create")
    try:
        campaigns = CampaignStore(store)
        return {"create": _create, "status": _status, "import": _import, "report": _report,
                "export": _export}[args.campaign_command](campaigns, args)
    finally:
        store.close()


def _create(campaigns, args) -> int:
    from campaigns.create import CreateRequest, create_campaign
    from campaigns.systems import parse_annotators, parse_systems

    request = CreateRequest(args.name, args.test_set, args.src, args.tgt, parse_systems(args.system),
                            parse_annotators(args.annotators), args.redundancy, args.repeat, args.qc,
                            args.limit, args.seed, args.protocol)
    bars: dict = {}

    def progress(label: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if label not in bars:
            for bar in bars.values():
                bar.close()
            bars[label] = tqdm(total=total, initial=done, unit="seg", file=sys.stderr,
                               desc=f"translating ({label})", mininterval=0.5)
        bar = bars[label]
        bar.update(done - bar.n)

    try:
        campaign = create_campaign(campaigns, request, progress=progress)
    finally:
        for bar in bars.values():
            bar.close()
    print(f"campaign {campaign.name}: {len(campaigns.items(campaign.id))} items, "
          f"{len(campaigns.assignments(campaign.id))} judgements to make", file=sys.stderr)
    print("\n".join(links(campaigns, campaign, args.url)))
    return 0


def _status(campaigns, args) -> int:
    from campaigns.results import progress

    campaign = campaigns.get(args.name)
    state = progress(campaigns, campaign)
    print(f"campaign {campaign.name} ({campaign.status})")
    for title, rows in (("annotator", state["annotators"]), ("system pair", state["pairs"])):
        print(f"\n{title:<32} {'judged':>12} {'imported':>9}")
        for key, row in rows.items():
            print(f"{key[:32]:<32} {row['done']:>5} / {row['total']:<5} {row['imported']:>9}")
    return 0


def _import(campaigns, args) -> int:
    campaign = campaigns.get(args.name)
    if args.pearmut:
        from campaigns.pearmut import read_pearmut

        done = campaigns.import_esa(campaign.id, read_pearmut(args.pearmut, campaigns, campaign))
    elif campaign.protocol != "pairwise":
        from campaigns.esa_import import read_esa_rows

        done = campaigns.import_esa(campaign.id, read_esa_rows(args.judgements, campaigns, campaign))
    else:
        from campaigns.csv_import import read_judgements

        done = campaigns.import_judgements(campaign.id,
                                           read_judgements(args.judgements, campaigns, campaign))
    print(f"imported {done.added} judgements into {campaign.name}; skipped {done.skipped} "
          "row(s) already imported", file=sys.stderr)
    return 0


def _report(campaigns, args) -> int:
    from campaigns.report import report_text
    from campaigns.results import compute

    campaign = campaigns.get(args.name)
    results = compute(campaigns, campaign, include_flagged=args.include_flagged,
                      max_p=args.qc_max_p, min_pass=args.qc_min_pass)
    print(report_text(campaign.name, results))
    if args.json_out:
        path = Path(args.json_out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.plots:
        from campaigns.plots import save_plots

        judged = campaigns.judgements(campaign.id) if campaign.protocol == "pairwise" \
            else campaigns.esa_judgements(campaign.id)
        paths = save_plots(results, judged, args.plots)
        print(f"plots: {', '.join(str(p) for p in paths)}", file=sys.stderr)
    return 0


def _export(campaigns, args) -> int:
    from campaigns.export import export_campaign

    campaign = campaigns.get(args.name)
    if args.format == "pearmut":
        from campaigns.pearmut import write_pearmut

        count = write_pearmut(campaigns, campaign, args.out)
        print(f"wrote {campaign.name} as a Pearmut campaign ({count} screens) to {args.out}; "
              f"load it with `pearmut add {args.out}`", file=sys.stderr)
        return 0
    count = export_campaign(campaigns, campaign, args.format, args.out, args.min_agreement,
                            args.include_flagged, args.qc_max_p, args.qc_min_pass, args.margin)
    print(f"wrote {count} pairs to {args.out}", file=sys.stderr)
    return 0
