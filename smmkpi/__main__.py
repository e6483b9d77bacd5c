"""The command line: `python -m smmkpi demo | import | check | report | alerts run |
digests run | migrate | rebuild-summaries | formats | docs`.

Exit codes: 0 success, 2 bad input (a message names file, row and column), 1 anything else
(with a one-line message, never a traceback).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from smmkpi import datasets as ds
from smmkpi.config import DEMO_DIR, ROOT, get_settings

if TYPE_CHECKING:
    from smmkpi.actions.imports import Batch
    from smmkpi.ingest import DateOrder, ParsedFile, YearHint
    from smmkpi.store import WriteResult

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2
# The generated doc sections (`python -m smmkpi docs`) and the file under docs/ of each.
DOCS_DIR = ROOT / "docs"
GENERATED: dict[str, str] = {"formats": "data-formats.md", "catalog": "kpis.md"}
EXIT_BUSY = 75  # EX_TEMPFAIL: the database was busy with another write; try again


class BadInput(Exception):
    """Input the user can fix: the message says what and where."""


def _date(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a date (expected YYYY-MM-DD)") from None


def _year(s: str) -> int | dt.date:
    """`--year`: the year of the export's last day (2026), or that day (2026-01-05)."""
    t = s.strip()
    if t.isdigit() and len(t) == 4:
        return int(t)
    try:
        return dt.date.fromisoformat(t)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{s!r} is not a year (expected e.g. 2026, or the export's last day as "
            "2026-01-05)") from None


YEAR_HELP = ("the year of the export's last day, for dates written without a year "
             "(TikTok's 'July 16'), or that day as YYYY-MM-DD; later days of the calendar are "
             "read as the year before")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m smmkpi",
        description="smmkpi: KPI dashboard for social media marketing. Database: "
        "SMMKPI_DATABASE_URL (default: SQLite file under data/).",
    )
    p.add_argument("--database", metavar="URL", help="SQLAlchemy URL (overrides "
                   "SMMKPI_DATABASE_URL)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    d = sub.add_parser("demo", help="load the demo data (data/demo/*.csv) into the database",
                       description="Load the demo data set into the database (upsert).")
    d.add_argument("--if-empty", action="store_true",
                   help="only when the database holds no data yet (used by `make run`)")
    d.add_argument("--regenerate", action="store_true",
                   help="rewrite data/demo/*.csv from the generator first")

    i = sub.add_parser("import", help="validate files and store them (all or nothing)",
                       description="Validate CSV/XLSX files and store them in one transaction, "
                       "upserting by each dataset's key. Any problem: nothing is stored, exit 2.")
    i.add_argument("files", nargs="+", type=Path, metavar="FILE")
    i.add_argument("--dataset", choices=list(ds.DATASETS),
                   help="the dataset of every file (default: detected from the columns)")
    i.add_argument("--date-order", choices=["dmy", "mdy"],
                   help="how to read ambiguous dates like 03/04/2026")
    i.add_argument("--year", type=_year, metavar="YEAR", help=YEAR_HELP)
    i.add_argument("--record-refusal", action="store_true",
                   help="when the import is refused, note it in the audit log for the "
                   "'An import is refused' alert (for scheduled imports; without it a "
                   "refused import leaves the database file exactly as it was)")

    c = sub.add_parser("check", help="validate files without storing anything",
                       description="Validate CSV/XLSX files and report every problem with file, "
                       "row and column. Stores nothing. Exit 2 if any problem.")
    c.add_argument("files", nargs="+", type=Path, metavar="FILE")
    c.add_argument("--dataset", choices=list(ds.DATASETS))
    c.add_argument("--date-order", choices=["dmy", "mdy"])
    c.add_argument("--year", type=_year, metavar="YEAR", help=YEAR_HELP)

    r = sub.add_parser("report", help="every catalog KPI for a period",
                       description="Every KPI of the catalog for a period, from the database or "
                       "a folder of CSV files, with the targets' attainment and status.")
    r.add_argument("--data", type=Path, metavar="DIR",
                   help="read CSV files from this folder instead of the database")
    r.add_argument("--from", dest="start", type=_date, metavar="DATE",
                   help="first day (default: 27 days before --to)")
    r.add_argument("--to", dest="end", type=_date, metavar="DATE",
                   help="last day (default: the last day with data)")
    r.add_argument("--compare", choices=["previous", "last_year", "none"], default="none",
                   help="add a comparison period (default: none)")
    r.add_argument("--format", choices=["json", "csv", "md"], default="json")
    r.add_argument("--year", type=_year, metavar="YEAR",
                   help="with --data: " + YEAR_HELP)

    al = sub.add_parser("alerts", help="evaluate the alert rules and send what is new",
                        description="Evaluate every enabled alert rule (Alerts page) as of the "
                        "last day with data, record each new occurrence once and send it by "
                        "email and webhook; deliveries that failed before are tried again. "
                        "Run it every hour (cron, Kubernetes CronJob: docs/hosting.md).")
    al.add_argument("action", choices=["run"])
    dg = sub.add_parser("digests", help="send the digests that are due",
                        description="Send every subscription's digest (HTML email with a "
                        "PDF) whose period has ended and was not sent yet; failed sends are "
                        "tried again. Run it every hour, like `alerts run`.")
    dg.add_argument("action", choices=["run"])
    dg.add_argument("--today", type=_date, metavar="DATE",
                    help="act as if today were DATE (to send a past period's digest)")

    sub.add_parser("migrate", help="apply database migrations",
                   description="Bring the database schema up to date (Alembic).")
    sub.add_parser("rebuild-summaries", help="recompute the customer summaries, cohort "
                   "cells, repeat counts, content and channel sums and conversation day counts "
                   "from every stored "
                   "order, web session and conversation",
                   description="Recompute the summaries the store keeps beside the orders "
                   "(customer_summary, cohort_cells, repeat_days, repeat_pairs, and each "
                   "order's place in its customer's history on the order row) from the "
                   "whole order history, the web sessions' content and channel sums "
                   "(content_sessions, channel_sessions) from every session and "
                   "the conversations' day counts (conversation_days) from every "
                   "conversation, in one transaction. Imports keep them current; this is "
                   "a repair tool.")
    sub.add_parser("formats", help="print the CSV format tables (Markdown)",
                   description="Print the CSV formats of every dataset, from the specs.")
    docs = sub.add_parser("docs", help="regenerate the generated sections of docs/",
                          description="Rewrite the CSV format tables of docs/data-formats.md "
                          "and the KPI catalog of docs/kpis.md between their "
                          "<!-- name:start --> / <!-- name:end --> markers.")
    docs.add_argument("--formats", type=Path, default=DOCS_DIR / GENERATED["formats"],
                      metavar="FILE", help="the file with the formats section (default: "
                      "docs/data-formats.md)")
    docs.add_argument("--kpis", type=Path, default=DOCS_DIR / GENERATED["catalog"],
                      metavar="FILE", help="the file with the catalog section (default: "
                      "docs/kpis.md)")
    return p


def _engine(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from smmkpi import db, store

    engine = db.make_engine(args.database or get_settings().database_url)
    db.migrate(engine)
    store.ensure_summaries(engine)
    return engine


def _parse(files: Sequence[Path], dataset: str | None, date_order: DateOrder | None,
           year: YearHint | None = None) -> tuple[list[ParsedFile], Batch]:
    """Parse every file and combine them per dataset: (parsed files, batch). Raise BadInput
    listing every problem (file, row, column) when any file has one."""
    from smmkpi.actions import imports

    try:
        parsed = imports.read_files(files, dataset=dataset, date_order=date_order, year=year)
    except FileNotFoundError as e:
        raise BadInput(str(e)) from None
    batch = imports.combine(parsed)
    if not batch.ok:
        total = batch.total
        shown = "\n".join(f"  {p}" for p in batch.problems[:200])
        more = f"\n  ... {total - 200} more (python -m smmkpi check lists them per file)" if (
            total > 200) else ""
        raise BadInput(f"{total} problem(s), nothing stored:\n{shown}{more}")
    return parsed, batch


def cmd_check(args: argparse.Namespace) -> int:
    from smmkpi.ingest import FORMATS

    parsed, _ = _parse(args.files, args.dataset, args.date_order, args.year)
    for pf in parsed:
        sets = ", ".join(f"{n} ({df.height:,} rows)" for n, df in pf.frames.items())
        print(f"{pf.name}: OK: {sets} [{pf.fmt}, {pf.encoding}, delimiter {pf.delimiter!r}]")
        known = next((f for f in FORMATS if f.name == pf.fmt), None)
        if known is not None and known.label:
            made = f", made in {known.menu}" if known.menu else ""
            print(f"  recognized as a {known.label}{made}")
        for note in pf.notes:
            print(f"  note: {note}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from smmkpi.actions import imports
    from smmkpi.store import StoreError

    try:
        _, batch = _parse(args.files, args.dataset, args.date_order, args.year)
        engine = _engine(args)
        _print_results(imports.write(engine, batch, actor="cli"))
    except (BadInput, StoreError) as e:
        if args.record_refusal:
            _note_refusal(args, e)
        raise
    return EXIT_OK


def _note_refusal(args: argparse.Namespace, error: Exception) -> None:
    """Record a refused import for the "import refused" alert; a database that cannot
    take the note is said on stderr, never hides the refusal itself."""
    from smmkpi.actions import imports

    try:
        imports.record_refusal(_engine(args), actor="cli",
                               files=[str(f) for f in args.files], reason=str(error))
    except Exception as e:  # noqa: BLE001
        print(f"note: the refusal could not be recorded ({type(e).__name__}: {e})",
              file=sys.stderr)


def cmd_alerts(args: argparse.Namespace) -> int:
    from smmkpi.notify import alerts

    report = alerts.run(_engine(args))
    for line in report.lines():
        print(line)
    return EXIT_OK


def cmd_digests(args: argparse.Namespace) -> int:
    from smmkpi.notify import digests

    report = digests.run(_engine(args), today=args.today)
    for line in report.lines():
        print(line)
    return EXIT_OK


def _print_results(results: Mapping[str, WriteResult]) -> None:
    for r in results.values():
        print(f"{r.dataset}: {r.inserted:,} inserted, {r.updated:,} updated, "
              f"{r.unchanged:,} unchanged")


def cmd_demo(args: argparse.Namespace) -> int:
    from smmkpi import ingest, store

    if args.regenerate:
        from smmkpi import demo, demo_targets

        demo.write_csvs(demo_targets.generate(), DEMO_DIR)
    engine = _engine(args)
    if args.if_empty and store.available(engine):
        print("the database already holds data; demo not loaded")
        return EXIT_OK
    frames, problems = ingest.load_folder(DEMO_DIR)
    if problems:
        raise BadInput("the demo files have problems:\n" + "\n".join(map(str, problems[:50])))
    results = store.write_frames(engine, frames, actor="cli", action="demo",
                                 detail=str(DEMO_DIR))
    _print_results(results)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from smmkpi import periods, report
    from smmkpi.workspace import DbSource, FrameSource, Period, Workspace

    if args.data is not None:
        from smmkpi import ingest

        if not args.data.is_dir():
            raise BadInput(f"{args.data}: not a folder")
        frames, problems = ingest.load_folder(args.data, year=args.year)
        if problems:
            raise BadInput("\n".join(str(p) for p in problems[:200]))
        source = FrameSource(frames, key=f"folder:{args.data}")
        settings = get_settings()
    else:
        from smmkpi import config, store

        engine = _engine(args)
        source = DbSource(engine)
        # the settings admins changed in the app count here too (SLA, currency, ...)
        settings = config.with_overrides(get_settings(), store.setting_overrides(engine))
    end = args.end or periods.anchor_day(source.bounds()[1])
    start = args.start or end - dt.timedelta(days=27)
    if start > end:
        raise BadInput(f"--from {start} is after --to {end}")
    period = Period(start, end)
    ws = Workspace(source, period, settings=settings)
    compare = periods.comparison_period(period, args.compare)
    rep = report.build(ws, compare)
    text = {"json": report.to_json, "csv": report.to_csv}.get(args.format)
    out = text(rep) if text else report.to_markdown(rep, settings.currency)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    from smmkpi import db

    engine = _engine(args)
    print(f"schema at revision {db.current_revision(engine)} ({db.describe(engine)})")
    return EXIT_OK


def cmd_rebuild_summaries(args: argparse.Namespace) -> int:
    import time

    from smmkpi import store

    engine = _engine(args)
    t = time.perf_counter()
    n = store.rebuild_summaries(engine)
    print(f"rebuilt the summaries of {n:,} customers in {time.perf_counter() - t:.1f} s")
    return EXIT_OK


def cmd_formats(args: argparse.Namespace) -> int:
    print(ds.format_tables_markdown())
    return EXIT_OK


def generated_sections() -> dict[str, str]:
    """The doc sections generated from code, by name (the files are `GENERATED`; a test
    checks they are current)."""
    from smmkpi.kpis.catalog import catalog_markdown

    return {"formats": ds.format_tables_markdown(), "catalog": catalog_markdown()}


def cmd_docs(args: argparse.Namespace) -> int:
    import re

    files = {"formats": args.formats, "catalog": args.kpis}
    bodies = generated_sections()
    texts: dict[Path, str] = {}
    for name, path in files.items():
        try:
            text = texts.get(path) or path.read_text(encoding="utf-8")
        except OSError as e:
            raise BadInput(f"{path}: {e.strerror or e}") from None
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            raise BadInput(f"{path}: no <!-- {name}:start --> ... <!-- {name}:end --> pair")
        texts[path] = pattern.sub(lambda m, b=bodies[name]: m.group(1) + b + m.group(2), text)
    for path, text in texts.items():  # written only once every file had its markers
        path.write_text(text, encoding="utf-8")
    print("updated " + ", ".join(f"{name} in {path}" for name, path in files.items()))
    return EXIT_OK


COMMANDS = {
    "docs": cmd_docs,
    "demo": cmd_demo,
    "import": cmd_import,
    "check": cmd_check,
    "report": cmd_report,
    "migrate": cmd_migrate,
    "alerts": cmd_alerts,
    "digests": cmd_digests,
    "rebuild-summaries": cmd_rebuild_summaries,
    "formats": cmd_formats,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from smmkpi.store import StoreBusy, StoreError

    try:
        return COMMANDS[args.command](args)
    except BadInput as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except StoreBusy as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BUSY
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_ERROR
    except Exception as e:  # noqa: BLE001 - the CLI never shows a traceback
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
