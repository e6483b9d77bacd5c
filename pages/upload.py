"""Upload: check your own export files, review the whole dashboard on them without saving,
and import them (all or nothing) when they are right.

Parsing is `smmkpi.ingest` and the import `smmkpi.actions.imports` (the CLI's `check` and
`import` use the same code and messages); results are cached per file content hash and
options, never by hashing a frame. Text from files is shown only in tables, plain text or
Markdown-escaped, and every download goes through `smmkpi.ui.tables` (CSV and XLSX, formula-
neutralized by `smmkpi.export`)."""

from __future__ import annotations

import contextlib
import hashlib
import time
from typing import Any

import polars as pl
import streamlit as st

from smmkpi import datasets as ds
from smmkpi import ingest, store
from smmkpi.actions import imports
from smmkpi.ingest import ParsedFile
from smmkpi.ui import auth, cache
from smmkpi.ui.components import header, md_escape
from smmkpi.ui.context import CTX_KEY, REVIEW_KEY, UPLOAD_SOURCE_KEY, current
from smmkpi.ui.refresh import stored_data_changed
from smmkpi.ui.sections import section
from smmkpi.ui.tables import Col, infer, table, table_downloads
from smmkpi.workspace import FrameSource

UPLOADER = "upload_files"
SOURCE_WIDGET = "data_source"  # the sidebar's Stored data / My uploads control
REVIEW_FILES = "_upload_review_files"  # the file names of the review source
DIGESTS = "_upload_digests"  # uploaded file id -> content hash (hash each upload once)
IMPORTED = "_upload_imported"  # the last import's summary
KEPT = "_upload_kept"  # the uploaded files, kept when the page is left (widgets are not)
IGNORE = "(ignore)"
AUTO = "auto"  # a selectbox choice: detect it from the file
PREVIEW_ROWS = 20
_NAMED_HERE = {  # formats whose module gives no label of its own
    "x_tweets": "X tweet activity (by Tweet)",
    "facebook_posts": "Facebook Page post data",
    "meta_business_suite": "Meta Business Suite content",
    "linkedin_updates": "LinkedIn update engagement",
    "youtube_studio": "YouTube Studio content table",
    "tiktok_content": "TikTok Studio content",
    # daily account exports: the label names the menu that produces the file
    "x_daily": "X tweet activity by day (X Analytics: Tweets, Export data, By day)",
    "x_overview": "X account overview (X Analytics: Overview, Export data)",
    "tiktok_overview": "TikTok Studio overview (Analytics: Overview, Download data)",
    "tiktok_followers": "TikTok Studio follower history (Analytics: Followers, Download data)",
    "facebook_insights": "Facebook Page insights (Insights: Export data, Page data)",
    "meta_insights": "Meta Business Suite insights chart (Insights: a chart's Export)",
    "linkedin_visitors": "LinkedIn Page visitors (Page admin view: Analytics, Visitors, Export)",
    "linkedin_followers": "LinkedIn Page followers (Page admin view: Analytics, Followers, "
                          "Export)",
}
FORMAT_LABELS = {"canonical": "smmkpi CSV format"} | {
    f.name: f.label or _NAMED_HERE.get(f.name, f.name) for f in ingest.FORMATS}
FORMAT_MENUS = {f.name: f.menu for f in ingest.FORMATS if f.menu}  # where each is made
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
DATE_ORDERS = {"dmy": "Day first: 03/04/2026 is 3 April",
               "mdy": "Month first: 03/04/2026 is 4 March"}
PROBLEM_COLUMNS = {
    "file": Col("File", width="medium"),
    "row": Col("Row", width="small", help="Spreadsheet row: the header is row 1"),
    "column": Col("Column", width="small"),
    "value": Col("Value", width="small"),
    "problem": Col("Problem and what is expected", width="large"),
}
PROBLEM_ROW_PX = 70  # three lines of a problem's message (taller rows wrap their text)
REPORT_COLUMNS = {**PROBLEM_COLUMNS, "row": Col("Row", "count")}  # whole file: empty


# ------------------------------------------------------------------ cached parsing


@st.cache_data(max_entries=64, ttl=3600, show_spinner="Reading the file…")
def parse(
    digest: str,
    name: str,
    dataset: str | None,
    fmt: str | None,
    date_order: str | None,
    mapping: tuple[tuple[str, str | None], ...],
    max_bytes: int,
    _file: Any,
    year: int | None = None,
) -> ParsedFile:
    """`ingest.parse_file` of an uploaded file, cached by its content hash and the options
    (the file object itself is not hashed)."""
    return ingest.parse_file(
        _file.getvalue(), name=name, dataset=dataset, fmt=fmt,
        date_order=date_order,  # type: ignore[arg-type]
        mapping=dict(mapping) or None, max_bytes=max_bytes, year=year,
    )


@st.cache_data(max_entries=16, ttl=3600, show_spinner="Combining the files…")
def combine(key: str, _parsed: tuple[ParsedFile, ...]) -> imports.Batch:
    """`imports.combine` of the valid files, cached by their combined key."""
    return imports.combine(_parsed)


def digest_of(up: Any) -> str:
    """The content hash of an upload, computed once per uploaded file."""
    known: dict[str, str] = st.session_state.setdefault(DIGESTS, {})
    fid = getattr(up, "file_id", None) or up.name
    if fid not in known:
        known[fid] = hashlib.sha256(up.getvalue()).hexdigest()
    return known[fid]


# ------------------------------------------------------------------ small pure helpers


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def dataset_label(name: str | None) -> str:
    return ds.get(name).label if name else "no dataset"


def edited_mapping(state: object, sources: list[str], auto: dict[str, str | None]) -> dict:
    """The user's column choices from a mapping editor's edit state: {file column: canonical
    column or None}, only where they differ from the automatic mapping."""
    rows = state.get("edited_rows", {}) if isinstance(state, dict) else {}
    out: dict[str, str | None] = {}
    for i, change in rows.items():
        try:
            src = sources[int(i)]
        except (ValueError, IndexError):
            continue
        if "use" not in change:
            continue
        target = None if change["use"] in (None, IGNORE) else str(change["use"])
        if target != auto.get(src):
            out[src] = target
    return out


def first_values(preview: pl.DataFrame | None, column: str, n: int = 3) -> str:
    if preview is None or column not in preview.columns:
        return ""
    vals = preview.get_column(column).cast(pl.String).drop_nulls().head(n).to_list()
    return " · ".join(v if len(v) <= 30 else v[:29] + "…" for v in vals)


def read_as(pf: ParsedFile) -> str:
    kinds = {"xlsx": "Excel workbook", "xls": "Excel 97-2003 workbook", "xml": "XML spreadsheet"}
    if pf.encoding in kinds:
        sheet = next((n.split(", sheet ", 1)[1] for n in pf.notes
                      if n.startswith("read as ") and ", sheet " in n), None)
        several = any(n.startswith("other sheets ignored") for n in pf.notes)
        kind = kinds[pf.encoding]
        return f"{kind} (sheet {sheet})" if several and sheet else f"{kind} (first sheet)"
    if not pf.encoding:
        return "not read"
    delim = DELIMITERS.get(pf.delimiter, repr(pf.delimiter))
    return f"{pf.encoding or '?'}, {delim}-delimited"


def status(pf: ParsedFile) -> str:
    if pf.ok:
        return "ready"
    return plural(pf.problem_count or len(pf.problems), "problem")


def summary_frame(items: list[tuple[str, ParsedFile]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "File": [pf.name for _, pf in items],
            "Dataset": [", ".join(ds.get(n).label for n in pf.frames) or dataset_label(pf.dataset)
                        for _, pf in items],
            "Format": [FORMAT_LABELS.get(pf.fmt, pf.fmt) for _, pf in items],
            "Read as": [read_as(pf) for _, pf in items],
            "Rows": [pf.rows for _, pf in items],
            "Status": [("✔ " if pf.ok else "✖ ") + status(pf) for _, pf in items],
        },
        schema={"File": pl.String, "Dataset": pl.String, "Format": pl.String,
                "Read as": pl.String, "Rows": pl.Int64, "Status": pl.String},
    )


def combined_key(items: list[tuple[str, ParsedFile, tuple]]) -> str:
    """One hash for a set of files read with given options (the review source's key)."""
    h = hashlib.sha256()
    for digest, pf, opts in sorted(items, key=lambda t: (t[0], t[1].name)):
        h.update(f"{digest}|{pf.name}|{opts!r}\n".encode())
    return h.hexdigest()[:32]


# ------------------------------------------------------------------ review callbacks


def start_review(frames: dict[str, pl.DataFrame], key: str, names: list[str]) -> None:
    st.session_state[UPLOAD_SOURCE_KEY] = FrameSource(frames, key="upload:" + key)
    st.session_state[REVIEW_FILES] = names
    st.session_state[SOURCE_WIDGET] = "uploads"
    st.session_state.pop(CTX_KEY, None)


def back_to_stored() -> None:
    st.session_state[SOURCE_WIDGET] = "stored"
    st.session_state.pop(CTX_KEY, None)


def keep_files() -> None:
    """The uploader changed (files added or removed by the user): remember its files, so
    they are still here when the user comes back from another page."""
    st.session_state[KEPT] = list(st.session_state.get(UPLOADER) or [])


def forget_files() -> None:
    st.session_state.pop(KEPT, None)


def forget_review() -> None:
    for k in (UPLOAD_SOURCE_KEY, REVIEW_FILES, REVIEW_KEY, SOURCE_WIDGET, CTX_KEY):
        st.session_state.pop(k, None)


# ------------------------------------------------------------------ one file


def file_section(up: Any, digest: str, fid: str, limit: int) -> tuple[ParsedFile, tuple]:
    """Parse one upload with the options chosen for it and show it in an expander."""
    ss = st.session_state
    k_ds, k_fmt, k_order = f"ds_{fid}", f"fmt_{fid}", f"order_{fid}"
    k_year = f"year_{fid}"
    dataset = None if ss.get(k_ds, AUTO) == AUTO else ss[k_ds]
    fmt = None if ss.get(k_fmt, AUTO) == AUTO else ss[k_fmt]
    order = ss.get(k_order)
    year = ss.get(k_year)
    year = int(year) if year else None
    base = parse(digest, up.name, dataset, fmt, None, (), limit, up)
    auto = base if order is None and year is None else parse(
        digest, up.name, dataset, fmt, order, (), limit, up, year)
    editable = auto.fmt == "canonical" and auto.dataset is not None and bool(auto.mapping)
    sources = list(auto.mapping)
    k_map = f"map_{fid}_{auto.dataset}"
    mapping = edited_mapping(ss.get(k_map), sources, auto.mapping) if editable else {}
    opts = (dataset, fmt, order, tuple(sorted(mapping.items())), year)
    pf = parse(digest, up.name, dataset, fmt, order, opts[3], limit, up, year) if (
        mapping) else auto
    yearless = bool(base.needs_year or pf.needs_year) or year is not None
    ambiguous = bool(base.ambiguous_dates or auto.ambiguous_dates or pf.ambiguous_dates)
    used = {t for t in pf.mapping.values() if t}
    missing = ([c for c in ds.get(pf.dataset).required if c not in used]
               if editable and pf.dataset else [])

    held = ", ".join(ds.get(n).label for n in pf.frames) or dataset_label(pf.dataset)
    label = (f"**{md_escape(up.name)}** · {md_escape(held)} · "
             f"{plural(pf.rows, 'row')} · {status(pf)}")
    icon = ":material/check_circle:" if pf.ok else ":material/error:"
    with st.expander(label, expanded=not pf.ok, icon=icon):
        c1, c2, c3 = st.columns(3)
        detected = base.dataset if dataset is None else None
        c1.selectbox(
            "Dataset", [AUTO, *ds.DATASETS], key=k_ds,
            format_func=lambda n: (f"Detected: {dataset_label(detected)}" if detected else
                                   "Detect from the columns") if n == AUTO else
            f"{ds.get(n).label} ({n})",
            help="Detected from the column names; choose another if the guess is wrong.",
        )
        c2.selectbox(
            "Format", [AUTO, *FORMAT_LABELS], key=k_fmt,
            format_func=lambda f: (f"Detected: {FORMAT_LABELS.get(base.fmt, base.fmt)}"
                                   if fmt is None else "Detect from the header")
            if f == AUTO else FORMAT_LABELS[f],
            help="Known exports (Shopify, Google Analytics 4, Meta Ads Manager) are converted "
            "to the smmkpi datasets; 'smmkpi CSV format' reads the file by its column names.",
        )
        if ambiguous or order is not None:
            c3.radio("Dates like 03/04/2026 are", list(DATE_ORDERS), index=None, key=k_order,
                     format_func=DATE_ORDERS.get,
                     help="No date in this file tells whether the day or the month comes "
                     "first. Choose how to read them.")
        if yearless:
            c3.number_input(
                "Year of the export's last day", min_value=1900, max_value=2200, step=1,
                value=None, key=k_year, placeholder="e.g. 2026",
                help="The file's dates have no year (TikTok writes 'July 16'). Give the year "
                "of the last day the export covers: dates after that day in the calendar are "
                "read as the year before (an export across New Year reads December as the "
                "earlier year).")
        facts = [f"Read as {read_as(pf)}", f"{plural(pf.rows, 'data row')}",
                 f"format: {FORMAT_LABELS.get(pf.fmt, pf.fmt)}"]
        facts += [f"{ds.get(n).label}: {plural(f.height, 'row')}" for n, f in pf.frames.items()]
        st.caption(" · ".join(facts))
        if pf.fmt in FORMAT_MENUS:
            st.caption(f"Recognized as a {FORMAT_LABELS[pf.fmt]}, made in "
                       f"{md_escape(FORMAT_MENUS[pf.fmt])}.")
        notes = [n for n in pf.notes if not n.startswith("read as ")]
        if notes:
            st.caption("  \n".join(f"• {md_escape(n)}" for n in notes))
        if pf.ok:
            st.success(f"Ready: no problems in {plural(pf.rows, 'row')}.",
                       icon=":material/check_circle:")
        else:
            what = ("Choose the dataset above, then say which column is which in the "
                    "*Columns* tab." if pf.dataset is None and pf.rows else
                    "Give the year of the export's last day above." if pf.needs_year else
                    "Choose how to read the dates above." if pf.ambiguous_dates else
                    "Say which column of the file holds "
                    + ", ".join(f"`{c}`" for c in missing) + " in the *Columns* tab, or "
                    "fix the file and upload it again." if missing else
                    "Fix the file and upload it again.")
            st.error(f"{status(pf).capitalize()}: this file cannot be imported as it is. "
                     f"{what}", icon=":material/error:")
        names = (["Problems"] if pf.problems else []) + ["Preview", "Columns", "As in the file"]
        tabs = dict(zip(names, st.tabs(names, default="Columns" if missing else None),
                        strict=True))
        if pf.problems:
            with tabs["Problems"]:
                problems_table(pf.problems, key=f"problems_{fid}", with_file=False)
        with tabs["Preview"]:
            preview(pf)
        with tabs["Columns"]:
            columns_tab(pf, auto, editable, sources, k_map)
        with tabs["As in the file"]:
            if pf.preview is None or pf.preview.width == 0:
                st.caption("Nothing could be read from this file.")
            else:
                st.caption(f"The first {min(PREVIEW_ROWS, pf.preview.height)} rows as text, "
                           "with the file's own column names.")
                table(pf.preview.head(PREVIEW_ROWS), key=f"raw_{fid}", download="none")
    return pf, opts


def problems_table(problems: list[ingest.Problem], key: str, with_file: bool = True,
                   download: bool = False) -> None:
    """Problems located by file, row and column, messages wrapped; `download`: with the
    validation report's CSV and XLSX downloads (every problem, full values)."""
    cols = {c: col for c, col in PROBLEM_COLUMNS.items() if with_file or c != "file"}
    frame = ingest.problems_frame(problems)
    shown = frame.with_columns(pl.col("row").cast(pl.String).fill_null("whole file"))
    table(shown, cols, key=key, height=min(PROBLEM_ROW_PX * len(problems) + 38, 460),
          row_height=PROBLEM_ROW_PX, download="data" if download else "none",
          name="upload_validation_report", download_df=frame, download_columns=REPORT_COLUMNS,
          download_label="Download the validation report")


def preview(pf: ParsedFile) -> None:
    if not pf.frames:
        st.caption("No rows to preview until the file can be read as a dataset (see the "
                   "problems).")
        return
    for name, frame in pf.frames.items():
        head = frame.head(PREVIEW_ROWS)
        how = ("as it will be imported" if pf.ok else
               "as read so far: values with problems may be empty or wrong")
        st.caption(f"**{ds.get(name).label}** (`{name}`): the first {head.height} of "
                   f"{plural(frame.height, 'row')}, {how}.")
        kinds = {c.name: c.type for c in ds.get(name).columns}
        cols = {c: Col(c, "datetime", format="YYYY-MM-DD HH:mm:ss z")
                if kinds.get(c) == "datetime" else Col(c, infer(t))
                for c, t in head.schema.items()}
        stem = pf.name.rsplit(".", 1)[0]
        table(head, cols, key=f"prev_{pf.name}_{name}", name=f"upload_{stem}_{name}",
              download="data", download_df=frame,
              download_label=f"Download all {plural(frame.height, 'row')} as read",
              download_help="The rows as they will be imported, in the smmkpi CSV format "
              "(the README's column names): a converted export can be imported again as is.")


def columns_tab(pf: ParsedFile, auto: ParsedFile, editable: bool, sources: list[str],
                key: str) -> None:
    if pf.dataset is None:
        st.info("No dataset was recognized from these columns. Choose the dataset above; "
                "you can then say which column is which.", icon=":material/help:")
        return
    spec = ds.get(pf.dataset)
    if not editable:
        st.caption(f"A {FORMAT_LABELS.get(pf.fmt, pf.fmt)} is converted by its known columns "
                   "(see the README); set *Format* to 'smmkpi CSV format' to map the "
                   "columns yourself.")
        used = pl.DataFrame({"Column in the file": list(pf.mapping),
                             "Read as": [v or "not used" for v in pf.mapping.values()]},
                            schema={"Column in the file": pl.String, "Read as": pl.String})
        table(used, key=f"{key}_known", download="none")
        return
    st.caption(f"How each column of the file is read into **{spec.label}**. Names and common "
               "aliases are matched automatically; change *Use as* where the guess is wrong or "
               "a column was not recognized. Required: "
               + ", ".join(f"`{c}`" for c in spec.required) + ".")
    base = pl.DataFrame(
        {"column": sources,
         "sample": [first_values(auto.preview, s) for s in sources],
         "use": [auto.mapping[s] or IGNORE for s in sources]},
        schema={"column": pl.String, "sample": pl.String, "use": pl.String},
    )
    st.data_editor(
        base, key=key, hide_index=True, num_rows="fixed", disabled=["column", "sample"],
        column_config={
            "column": st.column_config.TextColumn("Column in the file"),
            "sample": st.column_config.TextColumn("First values"),
            "use": st.column_config.SelectboxColumn(
                "Use as", options=[IGNORE, *spec.names], required=True,
                help="The smmkpi column this file column holds, or (ignore)."),
        },
    )
    chosen = [t for t in pf.mapping.values() if t]
    missing = [c for c in spec.required if c not in chosen]
    if missing:
        st.warning("Still missing (required): " + ", ".join(f"`{c}`" for c in missing),
                   icon=":material/warning:")
    taken = {s: t for s, t in pf.mapping.items() if t}
    lost = [s for s, t in auto.mapping.items() if t and taken.get(s) != t
            and s not in edited_mapping(st.session_state.get(key), sources, auto.mapping)]
    if lost:
        st.caption("Not used any more because another column now takes their place: "
                   + ", ".join(md_escape(s) for s in lost) + ".")


# ------------------------------------------------------------------ review and import boxes


def review_box(parsed: list, valid: list, cross: list, frames: dict, key: str) -> None:
    """Review without saving: start it, or say it is on, with the ways back."""
    source = st.session_state.get(UPLOAD_SOURCE_KEY)
    reviewing = current().reviewing_uploads
    st.markdown("**Review without saving**")
    st.caption("Every page of the dashboard runs on these files, for you and this browser "
               "session only. Nothing is written to the database; datasets you did not "
               "upload are simply absent.")
    same = source is not None and bool(key) and source.key == "upload:" + key
    if not auth.can("review_uploads"):
        st.caption("Your role does not allow reviewing uploads.")
    elif not parsed:
        pass
    elif not valid:
        st.caption("No file can be reviewed yet: every file has problems.")
    elif cross:
        st.caption("Fix the keys that clash between files first (see the report above).")
    elif not (reviewing and same):
        left_out = len(parsed) - len(valid)
        if left_out:
            st.caption(f"{plural(left_out, 'file')} with problems will be left out.")
        label = ("Review the files as they are now" if reviewing
                 else f"Review {plural(len(valid), 'file')} without saving")
        st.button(label, type="primary", icon=":material/visibility:", key="start_review",
                  on_click=start_review, args=(frames, key, [pf.name for _, pf, _ in valid]))
    if source is None:
        return
    files = ", ".join(st.session_state.get(REVIEW_FILES, [])) or "your uploads"
    if reviewing:
        st.success(f"The whole dashboard now shows only {md_escape(files)} (not stored)."
                   + ("" if same or not parsed else " The files above have changed since: "
                      "review them again to see the changes."),
                   icon=":material/visibility:")
        c1, c2 = st.columns(2)
        with c1:
            st.page_link("pages/overview.py", label="Open the Overview",
                         icon=":material/dashboard:")
        c2.button("Back to stored data", icon=":material/database:", key="back_to_stored",
                  on_click=back_to_stored)
    else:
        st.caption(f"Your review of {md_escape(files)} is kept for this session: choose *My "
                   "uploads* under *Data source* in the sidebar to see it again.")
    st.button("Forget the review", icon=":material/delete:", key="forget_review",
              on_click=forget_review, help="Drop the reviewed files from this session.")


def import_box(parsed: list, cross: list, batch: imports.Batch, key: str) -> None:
    """Import every file in one transaction, or say why not."""
    st.markdown("**Import into the stored data**")
    st.caption("All files in one transaction: rows are added, or replaced by their key "
               "(re-importing the same file changes nothing). If anything fails, nothing is "
               "stored.")
    bad = [pf for _, pf, _ in parsed if not pf.ok]
    if not auth.can("import"):
        st.info("Importing needs the editor role: ask an editor or admin to import these "
                "files. You can still review them without saving.", icon=":material/lock:")
    elif bad:
        names = ", ".join(md_escape(pf.name) for pf in bad)
        one = len(bad) == 1
        st.warning(f"Nothing will be imported: {plural(len(bad), 'file')} ({names}) "
                   f"{'has' if one else 'have'} problems, and a batch is imported whole or not "
                   f"at all. Fix or remove {'it' if one else 'them'} (the other files can be "
                   "reviewed without saving meanwhile).", icon=":material/block:")
    elif cross:
        st.warning("Nothing will be imported: keys clash between files (see the report "
                   "above).", icon=":material/block:")
    else:
        if st.button(f"Import {plural(len(parsed), 'file')} ({plural(batch.rows, 'row')})",
                     type="primary", icon=":material/database_upload:", key="import"):
            run_import(batch, key)
    done = st.session_state.get(IMPORTED)
    if done and done["key"] == key:
        res = pl.DataFrame(done["results"], orient="row", schema={
            "Dataset": pl.String, "Inserted": pl.Int64, "Updated": pl.Int64,
            "Unchanged": pl.Int64})
        res = res.with_columns(pl.col("Dataset").replace_strict(
            {n: f"{ds.get(n).label} ({n})" for n in ds.DATASETS}, default=pl.col("Dataset")))
        took = f"{done['seconds']:.1f} s" if done["seconds"] >= 0.1 else "under 0.1 s"
        st.success(f"Imported {plural(len(done['files']), 'file')} in {took}: the stored data "
                   "now includes them.", icon=":material/check_circle:")
        table(res, {"Dataset": Col(), "Inserted": Col(unit="count"),
                    "Updated": Col(unit="count"), "Unchanged": Col(unit="count")},
              key="import_result", name="upload_import_result")


def run_import(batch: imports.Batch, key: str) -> None:
    """Import the files (all ok, no clashes) with a progress bar, then a fresh run."""
    bar = st.progress(0.0, text="Starting the import…")

    def progress(fraction: float, text: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    t0 = time.perf_counter()
    try:
        results = imports.write(cache.engine(current().settings.database_url), batch,
                                actor=auth.actor(), origin="upload", progress=progress)
    except store.StoreError as e:
        bar.empty()
        st.error(f"Nothing was imported. {e}", icon=":material/error:")
        with contextlib.suppress(Exception):  # the refusal is shown above in any case
            imports.record_refusal(cache.engine(current().settings.database_url),
                                   actor=auth.actor(), files=batch.files, reason=str(e))
        return
    except Exception as e:  # e.g. the database cannot be reached: a message, no traceback
        bar.empty()
        st.error(f"Nothing was imported: the database could not be used ({type(e).__name__}: "
                 f"{e}).", icon=":material/error:")
        return
    bar.empty()
    st.session_state[IMPORTED] = {
        "key": key, "seconds": time.perf_counter() - t0, "files": list(batch.files),
        "results": [(r.dataset, r.inserted, r.updated, r.unchanged) for r in results.values()],
    }
    stored_data_changed()


# ------------------------------------------------------------------ the page

ctx = current()
header("Upload", "Are my export files right? Check them, look at the dashboard on them "
       "without saving, then import them.", ctx)

limit_mb = ctx.settings.max_upload_mb
server_mb = int(st.get_option("server.maxUploadSize"))
uploads = st.file_uploader(
    "CSV or Excel files", type=["csv", "tsv", "txt", "xlsx", "xls", "xml"],
    accept_multiple_files=True,
    key=UPLOADER, max_upload_size=min(limit_mb, server_mb) if limit_mb > 0 else server_mb,
    help="One file per dataset or export; several files at once are fine. Nothing is stored "
    "until you import.", on_change=keep_files,
)
st.caption(
    f"CSV (comma, semicolon, tab or pipe; UTF-8, UTF-16 or Windows-1252) or Excel .xlsx or "
    f".xls (first sheet, or the sheet a known export keeps its table in), up to {limit_mb:,} "
    "MB per file. Known exports are converted: Shopify and WooCommerce orders, Google "
    "Analytics 4 reports and explorations, Universal Analytics, Meta Ads Manager, Google Ads, "
    "Microsoft Advertising, Mailchimp and Klaviyo campaigns, Zendesk and Freshdesk tickets, "
    "the daily exports of X, TikTok Studio, Facebook and Meta Business Suite, and the post "
    "exports of X, Facebook, Meta Business Suite, LinkedIn, YouTube Studio and TikTok Studio. "
    "Each file says which export it was read as. Column names and formats: see the data "
    "formats in the docs."
)
if not uploads and st.session_state.get(KEPT):
    # back from another page: Streamlit forgot the widget's files, this session did not
    uploads = st.session_state[KEPT]
    st.caption(f"Showing the {plural(len(uploads), 'file')} you uploaded earlier in this "
               "session. Drop files above to replace them.")
    st.button("Clear these files", icon=":material/close:", key="forget_files",
              on_click=forget_files)
summary_box = st.container()

parsed: list[tuple[str, ParsedFile, tuple]] = []
if uploads:
    seen: dict[str, int] = {}
    for up in uploads:
        digest = digest_of(up)
        n = seen[digest] = seen.get(digest, 0) + 1
        fid = digest[:12] + (f"_{n}" if n > 1 else "")
        with section(f"The file {md_escape(up.name)}"):
            pf, opts = file_section(up, digest, fid, limit_mb << 20)
            parsed.append((digest, pf, opts))
elif st.session_state.get(UPLOAD_SOURCE_KEY) is None:
    st.info(
        "Drop your exports above: orders, website sessions, social media insights, "
        "conversations, mentions, campaigns or targets. Each file is checked at once: which "
        "dataset it holds, how its columns are read, and every problem with its row and "
        "column. You can then look at the whole dashboard on these files without saving "
        "anything, and import them when they are right.", icon=":material/upload_file:")

valid = [(d, pf, o) for d, pf, o in parsed if pf.ok]
key = combined_key(valid) if valid else ""
batch = combine(key, tuple(pf for _, pf, _ in valid)) if valid else imports.Batch()
frames, cross = batch.frames, batch.problems
problems = [p for _, pf, _ in parsed for p in pf.problems] + list(cross)
if len(parsed) > 1:
    with summary_box:
        table(summary_frame([(d, pf) for d, pf, _ in parsed]),
              {"File": Col(pinned=True), "Dataset": Col(), "Format": Col(), "Read as": Col(),
               "Rows": Col(unit="count"), "Status": Col()},
              key="upload_summary", name="upload_files")

# ------------------------------------------------------------------ validation report
with section("The validation report"):
    if problems:
        st.subheader("Validation report")
        bad_files = [pf for _, pf, _ in parsed if not pf.ok]
        total = sum(pf.problem_count or len(pf.problems) for pf in bad_files) + len(cross)
        where = (f"in {plural(len(bad_files), 'file')} of {len(parsed)}" if bad_files else
                 "between the files")
        st.caption(f"{plural(total, 'problem')} {where}. Each names the file, the spreadsheet row "
                   "(the header is row 1), the column, the value and what is expected.")
        if cross:
            st.error("The same key appears in two files with different values; a key must "
                     "identify one row. Fix one of the files.", icon=":material/error:")
        if len(parsed) > 1 or cross:
            problems_table(problems, key="problems_all", download=True)
        else:  # the file's own table is above, in its section: its downloads here
            table_downloads(ingest.problems_frame(problems), REPORT_COLUMNS, key="problems_all",
                            name="upload_validation_report", mode="data",
                            label="Download the validation report")

# ------------------------------------------------------------------ review and import
with section("Review or import"):
    if parsed or st.session_state.get(UPLOAD_SOURCE_KEY) is not None:
        st.subheader("Review or import")
        left, right = st.columns(2)
        with left, st.container(border=True):
            review_box(parsed, valid, cross, frames, key)
        if parsed:
            with right, st.container(border=True):
                import_box(parsed, cross, batch, key)
