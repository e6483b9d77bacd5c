"""The Upload page (AppTest): detection of the corpus files, the problems table with file,
row and column, the neutralized CSV download, the column mapping editor, the date order
choice, review without saving (the Overview switches to the uploaded data and back), the
all-or-nothing import with its counts, and what a viewer may do."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

import pagetools
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from smmkpi import datasets as ds
from smmkpi import db, formatting, ingest, periods, store
from smmkpi.kpis.catalog import CATALOG
from smmkpi.ui.context import UPLOAD_SOURCE_KEY
from smmkpi.views.overview import HEADLINE
from smmkpi.workspace import DbSource, FrameSource, Workspace

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
PAGE = "pages/upload.py"
CSV = "text/csv"
ORDERS = list(ds.get("orders").names)
MENTIONS = list(ds.get("mentions").names)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def corpus(rel: str) -> tuple[str, bytes, str]:
    p = DATA / rel
    return (p.name, p.read_bytes(), XLSX if p.suffix == ".xlsx" else CSV)


def fid(data: bytes) -> str:
    """The page's widget-key id of a file: the start of its content hash."""
    return hashlib.sha256(data).hexdigest()[:12]


def open_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(PAGE)
    at.run()
    ok(at)
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def upload(at: AppTest, *files: tuple[str, bytes, str]) -> AppTest:
    at.file_uploader(key="upload_files").set_value(list(files))
    at.run()
    ok(at)
    return at


PROBLEMS = ["file", "row", "column", "value", "problem"]


def tables(block, columns: list[str]) -> list[pl.DataFrame]:  # type: ignore[no-untyped-def]
    """The st.dataframe tables of a block (the page, an expander...) with these columns."""
    out = []
    for d in block.dataframe:
        df = d.value
        if list(df.columns) == columns:
            out.append(pl.from_pandas(df))
    return out


def summary(at: AppTest) -> pl.DataFrame:
    return tables(at, ["File", "Dataset", "Format", "Read as", "Rows", "Status"])[0]


def file_problems(at: AppTest, i: int = 0) -> pl.DataFrame:
    """The problems table of the i-th file (its expander's first tab; no file column)."""
    return tables(at.expander[i], PROBLEMS[1:])[0]


def all_problems(at: AppTest) -> pl.DataFrame:
    return tables(at, PROBLEMS)[-1]


def preview(at: AppTest, dataset_columns: list[str], i: int = 0) -> pl.DataFrame:
    return tables(at.expander[i], dataset_columns)[0]


def import_result(at: AppTest) -> pl.DataFrame | None:
    found = tables(at, ["Dataset", "Inserted", "Updated", "Unchanged"])
    return found[0] if found else None


def button(at: AppTest, key: str):  # type: ignore[no-untyped-def]
    return at.button(key=key)


def has_button(at: AppTest, key: str) -> bool:
    return any(b.key == key for b in at.button)


@pytest.fixture
def fresh_db(tmp_path, monkeypatch):
    """An empty migrated SQLite database the test may write to."""
    from smmkpi.config import get_settings

    url = f"sqlite:///{tmp_path / 'upload.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    monkeypatch.setenv("SMMKPI_DATABASE_URL", url)
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()
    db.close_pools()
    engine.dispose()


@pytest.fixture
def downloads(monkeypatch) -> pagetools.Downloads:
    """Every file the app hands to a download button (made as a click would)."""
    return pagetools.Downloads().install(monkeypatch)


# ------------------------------------------------------------------ detection and report


GOOD = {  # corpus file -> datasets it fills (tests/data/README.md)
    "good/orders_canonical.csv": "Orders",
    "good/orders_semicolon_cp1252.csv": "Orders",
    "good/orders_bom_tab_us.csv": "Orders",
    "good/orders_excel.xlsx": "Orders",
    "good/social_daily_aliases.csv": "Social media, daily",
    "good/campaigns_multiline.csv": "Campaigns",
    "good/customers_booleans.csv": "Customers",
    "good/conversations_zones.csv": "Conversations",
    "good/kpi_targets.csv": "KPI targets",
    "good/mentions_sep_line.csv": "Mentions",
    "good/ga4_traffic_acquisition.csv": "Website sessions",
    "good/shopify_orders_export.csv": "Orders, Customers",
    "good/meta_ads_daily.csv": "Social media, daily",
}


def test_every_good_corpus_file_is_detected_and_ready(app_env):
    at = upload(open_page(), *(corpus(f) for f in GOOD))
    table = summary(at)
    assert table["File"].to_list() == [Path(f).name for f in GOOD]
    assert table["Dataset"].to_list() == list(GOOD.values())
    assert set(table["Status"]) == {"✔ ready"}
    formats = dict(zip(table["File"], table["Format"], strict=True))
    assert formats["shopify_orders_export.csv"] == "Shopify orders export"
    assert formats["ga4_traffic_acquisition.csv"] == "Google Analytics 4 report"
    assert formats["meta_ads_daily.csv"] == "Meta Ads Manager export"
    assert formats["orders_canonical.csv"] == "smmkpi CSV format"
    read = dict(zip(table["File"], table["Read as"], strict=True))
    assert read["orders_semicolon_cp1252.csv"] == "cp1252, semicolon-delimited"
    assert read["orders_bom_tab_us.csv"].endswith("tab-delimited")
    assert read["orders_excel.xlsx"] == "Excel workbook (first sheet)"
    assert not at.error, [e.value for e in at.error]
    assert has_button(at, "start_review") and has_button(at, "import")


def test_bad_files_get_a_located_problems_table(app_env):
    name, data, mime = corpus("bad/bad_values.csv")
    at = upload(open_page(), (name, data, mime))
    shown = file_problems(at)
    # the same problems as the library (and so the CLI) reports, located by row and column
    expected = ingest.parse_file(data, name=name).problems
    assert shown["row"].to_list() == [str(p.row) for p in expected]
    assert list(zip(shown["row"], shown["column"], strict=True)) == [
        ("3", "ordered_at"), ("3", "revenue"), ("4", "customer_id"), ("4", "ordered_at"),
        ("4", "revenue"), ("5", "ordered_at"), ("5", "revenue")]
    assert shown["problem"].to_list() == [p.message for p in expected]
    assert "abc" in shown["value"].to_list()
    assert "7 problems" in at.expander[0].label
    assert any("cannot be imported" in e.value for e in at.error)
    # nothing to review or import
    assert not has_button(at, "import") and not has_button(at, "start_review")
    assert any("Nothing will be imported" in w.value for w in at.warning)


@pytest.mark.parametrize(("rel", "words"), [
    ("bad/empty.csv", "the file is empty"),
    ("bad/binary.csv", ""),
    ("bad/unknown_columns.csv", "no dataset recognized"),
    ("bad/missing_required.csv", "required column of orders is missing"),
    ("bad/ragged_rows.csv", ""),
    ("bad/orders_excel_bad.xlsx", "is not a number"),
])
def test_every_bad_corpus_file_gets_a_message_not_a_traceback(app_env, rel, words):
    name, data, mime = corpus(rel)
    at = upload(open_page(), (name, data, mime))
    assert any("cannot be imported" in e.value for e in at.error)
    shown = file_problems(at)
    assert shown.height >= 1 and words in " ".join(shown["problem"])
    assert not has_button(at, "import")


def test_the_report_download_is_neutralized(app_env, downloads):
    """A value that a spreadsheet would run as a formula comes out as text."""
    evil = '=HYPERLINK("http://evil.example","click")'
    data = ("order_id,customer_id,ordered_at,revenue\n"
            f'A-1,c-1,2026-03-01T10:00:00Z,"{evil.replace(chr(34), chr(34) * 2)}"\n'
            "A-2,c-2,2026-03-01T11:00:00Z,@SUM(1)\n").encode()
    at = upload(open_page(), ("=cmd.csv", data, CSV))
    shown = file_problems(at)
    assert evil in shown["value"].to_list()  # shown as typed on the page (as text)
    assert {"upload_validation_report.csv", "upload_validation_report.xlsx"} <= set(
        downloads.names)
    pagetools.assert_downloads(at, ["problems_all"])
    text = downloads.get("upload_validation_report.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Value"] for r in rows] == ["'" + evil, "'@SUM(1)"]
    assert {r["File"] for r in rows} == {"'=cmd.csv"}
    assert [r["Row"] for r in rows] == ["2", "3"]
    assert all(r["Column"] == "revenue" for r in rows)
    assert list(rows[0]) == ["File", "Row", "Column", "Value", "Problem and what is expected"]
    book = pagetools.xlsx_frame(downloads.get("upload_validation_report.xlsx"))
    assert book["Value"].to_list() == ["'" + evil, "'@SUM(1)"]  # text, never a formula
    assert book["File"].to_list() == ["'=cmd.csv"] * 2


def test_tables_show_blanks_and_carry_their_formats(app_env, downloads):
    """Previews show missing values as blank cells, the problems wrap their messages, and
    a converted file can be downloaded as it will be imported."""
    name, data, mime = corpus("bad/bad_values.csv")
    at = upload(open_page(), (name, data, mime), corpus("good/shopify_orders_export.csv"))
    previews = [d for d in at.dataframe if d.proto.placeholder == "" and "order_id" in
                d.value.columns]
    assert previews, "no preview of the orders"
    assert all(d.proto.placeholder == "" for d in at.dataframe)  # blank, never "None"
    problems = next(d for d in at.dataframe if "problem" in d.value.columns)
    assert problems.proto.row_height > 64  # Streamlit wraps text in rows taller than 4rem
    summary_table = next(d for d in at.dataframe if "Read as" in d.value.columns)
    assert pagetools.formats(summary_table)["Rows"] == "%,d"
    pagetools.assert_downloads(at, ["upload_summary"])
    converted = [n for n in downloads.names
                 if n.startswith("upload_shopify_orders_export_orders")]
    assert {n.rsplit(".", 1)[1] for n in converted} == {"csv", "xlsx"}


def test_file_text_is_never_markdown(app_env):
    """A file name or column name with Markdown/HTML shows as typed and links nothing."""
    name = "[click](http://evil.example)<b>x</b>.csv"
    data = b"order_id,customer_id,ordered_at,revenue,[go](http://evil.example)\n" \
           b"A-1,c-1,2026-03-01T10:00:00Z,1,x\n"
    at = upload(open_page(), (name, data, CSV))
    label = at.expander[0].label
    assert "](http" not in label and "<b>" not in label
    assert r"\[click\]\(http" in label
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not [t for t in texts if "](http://evil" in t or "<b>x" in t]
    assert any(r"\[go\]\(http" in t for t in texts)


def test_two_files_with_a_clashing_key_are_refused_together(app_env):
    a = b"order_id,customer_id,ordered_at,revenue\nA-1,c-1,2026-03-01T10:00:00Z,10\n"
    b = b"order_id,customer_id,ordered_at,revenue\nA-1,c-1,2026-03-01T10:00:00Z,99\n"
    at = upload(open_page(), ("a.csv", a, CSV), ("b.csv", b, CSV))
    assert set(summary(at)["Status"]) == {"✔ ready"}  # each file alone is fine
    clash = all_problems(at)
    assert clash["file"].to_list() == ["b.csv"] and clash["row"].to_list() == ["2"]
    assert "a.csv row 2" in clash["problem"][0]
    assert not has_button(at, "import") and not has_button(at, "start_review")


def test_files_over_the_size_limit_are_refused(app_env, monkeypatch):
    from smmkpi.config import get_settings

    monkeypatch.setenv("SMMKPI_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    rows = "".join(f"A-{i},c-{i},2026-03-01T10:00:00Z,{i}\n" for i in range(40_000))
    data = ("order_id,customer_id,ordered_at,revenue\n" + rows).encode()
    assert len(data) > 1 << 20
    at = upload(open_page(), ("big.csv", data, CSV))
    shown = file_problems(at)
    assert "1 MB" in shown["problem"][0] or "limit" in shown["problem"][0]
    assert not has_button(at, "import")
    assert any("up to 1 MB" in c.value for c in at.caption)


# ------------------------------------------------------------------ choices and mapping


def test_a_column_mapped_by_hand_makes_the_file_ready(app_env):
    data = (b"Ref,customer_id,ordered_at,revenue\nA-1,c-1,2026-03-01T09:15:00Z,49.90\n"
            b"A-2,c-2,2026-03-02T09:15:00Z,10\n")
    at = upload(open_page(), ("refs.csv", data, CSV))
    assert "1 problem" in at.expander[0].label  # order_id is missing
    editor = at.data_editor(key=f"map_{fid(data)}_orders")
    mapping = pl.from_pandas(editor.value)
    assert mapping.row(0) == ("Ref", "A-1 · A-2", "(ignore)")
    at.session_state[f"map_{fid(data)}_orders"] = {
        "edited_rows": {0: {"use": "order_id"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    ok(at)
    assert "ready" in at.expander[0].label
    shown = preview(at, ORDERS)
    assert shown["order_id"].to_list() == ["A-1", "A-2"]


def test_unrecognized_file_can_be_given_a_dataset(app_env):
    data = b"day,network,good,meh,bad\n2026-03-01,X,5,2,1\n"
    at = upload(open_page(), ("listening.csv", data, CSV))
    assert "no dataset" in at.expander[0].label
    at.selectbox(key=f"ds_{fid(data)}").set_value("mentions")
    at.run()
    ok(at)
    key = f"map_{fid(data)}_mentions"
    at.session_state[key] = {"edited_rows": {2: {"use": "positive"}, 3: {"use": "neutral"},
                                             4: {"use": "negative"}},
                             "added_rows": [], "deleted_rows": []}
    at.run()
    ok(at)
    assert "ready" in at.expander[0].label, at.expander[0].label
    shown = preview(at, MENTIONS)
    assert shown.select("platform", "positive", "neutral", "negative").row(0) == (
        "x", 5, 2, 1)


def test_ambiguous_dates_ask_for_the_order(app_env):
    name, data, mime = corpus("bad/ambiguous_dates.csv")
    at = upload(open_page(), (name, data, mime))
    assert "1 problem" in at.expander[0].label
    radio = at.radio(key=f"order_{fid(data)}")
    assert radio.value is None
    radio.set_value("dmy")
    at.run()
    ok(at)
    assert "ready" in at.expander[0].label
    dates = preview(at, MENTIONS)["date"]
    expected = ingest.parse_file(data, date_order="dmy").frames["mentions"]["date"]
    # a date column reaches the table as a date (an Arrow date32), a timestamp as a datetime
    assert [d.date() if isinstance(d, dt.datetime) else d for d in dates] == expected.to_list()
    assert expected.to_list()[0].month == 4  # 03/04/2026 read day first: 3 April


# ------------------------------------------------------------------ review without saving


def tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_tiles(source) -> dict[str, str]:  # type: ignore[no-untyped-def]
    period = periods.preset_period("last_28", periods.anchor_day(source.bounds()[1]))
    ws = Workspace(source, period)
    return {CATALOG[k].label: formatting.value(CATALOG[k].compute(ws), CATALOG[k].unit)
            for k in HEADLINE}


def test_review_switches_every_page_to_the_uploads_and_back(app_env):
    stored = expected_tiles(DbSource(db.make_engine(app_env)))
    name, data, mime = corpus("good/orders_canonical.csv")
    at = upload(open_page(), (name, data, mime))
    button(at, "start_review").click()
    at.run()
    ok(at)
    source = at.session_state[UPLOAD_SOURCE_KEY]
    assert isinstance(source, FrameSource) and source.key.startswith("upload:")
    assert set(source.frames) == {"orders"}
    assert at.session_state["data_source"] == "uploads"
    assert any("reviewing" in w.value for w in at.warning)  # the banner

    at.switch_page("pages/overview.py")
    at.run()
    ok(at)
    shown = tiles(at)
    parsed = ingest.parse_file(data, name=name).frames
    uploaded = expected_tiles(FrameSource(parsed, key="t"))
    assert shown == uploaded
    # 3 orders, 49.90 + 120.00 + 15.50 = 185.40 in the file; sessions absent: n/a
    assert shown["Orders"] == formatting.value(3, "count")
    assert shown["Revenue"] == formatting.value(185.40, "currency")
    assert shown["Sessions"] == "n/a"
    assert shown != stored
    assert any("reviewing" in w.value for w in at.warning)

    # back on the Upload page the files are still there, and one click goes back
    at.switch_page(PAGE)
    at.run()
    ok(at)
    assert r"orders\_canonical\.csv" in at.expander[0].label
    button(at, "back_to_stored").click()
    at.run()
    ok(at)
    assert at.session_state["data_source"] == "stored"
    at.switch_page("pages/overview.py")
    at.run()
    ok(at)
    assert tiles(at) == stored
    assert not any("reviewing" in w.value for w in at.warning)


def test_every_page_runs_on_a_review_of_a_few_datasets(app_env):
    """Uploads with two datasets only (orders; Meta's social_daily): every page runs on
    them, the others' datasets simply absent, with no exception and no error box."""
    from smmkpi.ui.shell import page_files

    at = upload(open_page(), corpus("good/orders_canonical.csv"),
                corpus("good/meta_ads_daily.csv"))
    button(at, "start_review").click()
    at.run()
    ok(at)
    for page in page_files():
        at.switch_page(page)
        at.run()
        ok(at)
        assert not at.error, (page, [e.value for e in at.error])
        assert page == "pages/admin.py" or any("reviewing" in w.value for w in at.warning), page


def test_review_leaves_out_bad_files_and_stores_nothing(fresh_db):
    good = corpus("good/orders_canonical.csv")
    bad = corpus("bad/bad_values.csv")
    at = upload(open_page(), good, bad)
    assert any("1 file with problems will be left out" in c.value for c in at.caption)
    button(at, "start_review").click()
    at.run()
    ok(at)
    assert at.session_state[UPLOAD_SOURCE_KEY].frames["orders"].height == 3
    assert store.read_dataset(fresh_db, "orders").height == 0
    button(at, "forget_review").click()
    at.run()
    ok(at)
    assert UPLOAD_SOURCE_KEY not in at.session_state


# ------------------------------------------------------------------ import


def import_counts(at: AppTest) -> dict[str, tuple[int, int, int]]:
    res = import_result(at)
    assert res is not None
    return {r[0]: (r[1], r[2], r[3]) for r in res.iter_rows()}


def test_import_writes_and_shows_counts_then_changes_nothing(fresh_db):
    shopify = corpus("good/shopify_orders_export.csv")
    orders = corpus("good/orders_canonical.csv")
    at = upload(open_page(), shopify, orders)
    assert "Import 2 files" in button(at, "import").label
    button(at, "import").click()
    at.run()
    ok(at)
    # Shopify: 4 orders less 1 cancelled = 3 (#1001, #1003, #1004), of 2 customers (ann
    # ordered twice, #1003 is a guest); plus the 3 canonical orders A-1001..A-1003
    assert import_counts(at) == {"Orders (orders)": (6, 0, 0),
                                 "Customers (customers)": (2, 0, 0)}
    assert any("Imported 2 files" in s.value for s in at.success)
    # the page ran again after the import: the sidebar already knows the new data
    assert "Data: stored data, 01 Mar 2026 – 20 Mar 2026" in [c.value for c in at.caption]
    assert (store.read_dataset(fresh_db, "orders").height,
            store.read_dataset(fresh_db, "customers").height) == (6, 2)
    stored = store.read_dataset(fresh_db, "orders").sort("order_id")
    parsed, _ = ingest.combine([ingest.parse_file(d, name=n) for n, d, _ in (shopify, orders)])
    assert stored.equals(parsed["orders"].sort("order_id"))
    log = store.audit_log(fresh_db)
    assert set(log["actor"]) == {"local user"} and set(log["action"]) == {"import"}

    # the same files again: nothing changes. (AppTest drops the first click that follows
    # a run ended by st.rerun, as the import's is; a browser does not: one plain run first)
    at.run()
    button(at, "import").click()
    at.run()
    ok(at)
    assert import_counts(at) == {"Orders (orders)": (0, 0, 6),
                                 "Customers (customers)": (0, 0, 2)}
    assert store.read_dataset(fresh_db, "orders").sort("order_id").equals(stored)


def test_a_bad_file_imports_nothing_of_its_batch(fresh_db):
    at = upload(open_page(), corpus("good/orders_canonical.csv"), corpus("bad/bad_values.csv"))
    assert not has_button(at, "import")
    warning = " ".join(w.value for w in at.warning)
    assert "Nothing will be imported" in warning and "bad\\_values\\.csv" in warning
    assert store.available(fresh_db) == frozenset()


def test_a_refused_import_says_so_and_stores_nothing(fresh_db, monkeypatch):
    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise store.StoreError("the database refused the import, nothing was stored: boom")

    monkeypatch.setattr(store, "write_frames", fail)
    at = upload(open_page(), corpus("good/orders_canonical.csv"))
    button(at, "import").click()
    at.run()
    ok(at)
    assert any("Nothing was imported" in e.value and "boom" in e.value for e in at.error)
    assert import_result(at) is None


def test_a_viewer_may_review_but_not_import(fresh_db, monkeypatch):
    from smmkpi.ui import auth

    viewer = auth.User(email="vic@example.com", name="Vic", role="viewer", local=False)
    monkeypatch.setattr(auth, "current_user", lambda: viewer)
    at = upload(open_page(), corpus("good/orders_canonical.csv"))
    assert not has_button(at, "import")
    assert any("editor role" in i.value for i in at.info)
    assert has_button(at, "start_review")


def test_a_known_export_is_named_with_the_menu_that_made_it(app_env):
    at = upload(open_page(), corpus("good/zendesk_tickets.csv"), corpus("bad/ga4_events.csv"))
    formats = dict(zip(summary(at)["File"], summary(at)["Format"], strict=True))
    assert formats == {"zendesk_tickets.csv": "Zendesk ticket export",
                       "ga4_events.csv": "Google Analytics 4 report"}
    captions = " ".join(c.value for c in at.caption)
    assert "Recognized as a Zendesk ticket export, made in Zendesk Admin Center" in captions
    assert "Recognized as a Google Analytics 4 report, made in GA4" in captions
    # the known report that cannot be used says what it is and what to download instead
    (problem,) = all_problems(at)["problem"].to_list()
    assert problem.startswith("this is a GA4 Events report covering 20260301 to 20260331")
    assert not at.exception
