"""One formatting layer for tables, editors and downloads: the column format of each unit
(smmkpi.formatting.column_format and the table component's st.column_config), report and
data downloads, download file names, formula neutralization in CSV and XLSX, and values
typed in an editor (rates as percentages) back to what is stored."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smmkpi import export, formatting
from smmkpi.kpis import target_edits as te
from smmkpi.kpis.catalog import CATALOG
from smmkpi.ui.tables import Col, column_config, download_frame, file_stem, infer
from smmkpi.views import targets as tv

D = dt.date


# --------------------------------------------------------------------- a format per unit


def _clean(config: dict) -> dict:
    """A column config without its unset (None) entries."""
    return {k: _clean(v) if isinstance(v, dict) else v for k, v in config.items()
            if v is not None}


def _shown(values: list, unit: str, **col: object) -> tuple[list, dict]:
    """The values a table shows for one column of `unit` and its column config."""
    df = pl.DataFrame({"x": values})
    shown, config = column_config(df, {"x": Col("X", unit, **col)})  # type: ignore[arg-type]
    return shown["x"].to_list(), _clean(config["x"])


def test_counts_have_thousands_separators():
    values, config = _shown([164_796, 12, None], "count")
    assert config["type_config"] == {"type": "number", "format": "%,d"}
    assert values == [164_796, 12, None]
    assert config["label"] == "X"


def test_signed_counts_show_their_sign():
    _, config = _shown([5415, -12], "signed")
    assert config["type_config"]["format"] == "%+,d"  # +5,415 (was +5415)


@pytest.mark.parametrize(("values", "currency", "fmt"), [
    ([63_916.11, 48_424.0, 120.0], "USD", "$%,.0f"),  # whole dollars where amounts are large
    ([2.84, 0.45, 2.70], "USD", "$%,.2f"),            # cents where amounts are small
    ([63_916.11, 12.0, 15.0], "EUR", "€%,.2f"),        # typical (median) value under 100
    ([1500.0, 2500.0], "CHF", "%,.0f CHF"),            # no symbol: the code after the amount
])
def test_currency_has_its_sign_and_cents_only_for_small_amounts(values, currency, fmt):
    df = pl.DataFrame({"x": values})
    _, config = column_config(df, {"x": Col("Revenue", "currency")}, currency)
    assert config["x"]["type_config"]["format"] == fmt


def test_currency_follows_the_rule_of_formatting_money():
    """Cents below 100, none from 100 on: the same threshold as the tiles' money()."""
    assert formatting.money(99.5) == "$99.50" and formatting.money(100.0) == "$100"
    assert formatting.column_format("currency", [99.5]).printf == "$%,.2f"
    assert formatting.column_format("currency", [100.0]).printf == "$%,.0f"


def test_ratios_are_shown_as_percent():
    values, config = _shown([0.12602739726027398, 0.5, None], "ratio")
    assert config["type_config"]["format"] == "%.1f %%"  # 12.6 %
    assert values == pytest.approx([12.602739726027398, 50.0, None], nan_ok=True)
    _, two = _shown([0.0123], "ratio", digits=2)
    assert two["type_config"]["format"] == "%.2f %%"


def test_percents_are_not_scaled_again():
    values, config = _shown([71.4, 105.0], "percent")
    assert values == [71.4, 105.0] and config["type_config"]["format"] == "%.1f %%"


def test_percentage_points_show_sign_and_unit():
    _, config = _shown([4.6, -1.2], "pp")
    assert config["type_config"]["format"] == "%+.1f pp"


@pytest.mark.parametrize(("values", "fmt", "scale"), [
    ([4.0, 6.5, 8.0], "%,.1f min", 1.0),        # a few minutes: one decimal
    ([27.0, 32.0, 14.0], "%,.0f min", 1.0),     # tens of minutes
    ([970.0, 1360.0], "%,.1f h", 1 / 60),       # 16.2 h, as duration_minutes says it
    ([4000.0, 5000.0], "%,.1f days", 1 / 1440),  # days
])
def test_minutes_take_the_scale_of_their_typical_value(values, fmt, scale):
    shown, config = _shown(values, "minutes")
    assert config["type_config"]["format"] == fmt
    assert shown == pytest.approx([v * scale for v in values])
    # the same unit as the tiles for a typical value
    typical = sorted(values)[len(values) // 2]
    assert formatting.duration_minutes(typical).split()[-1] == fmt.split()[-1]


def test_days_have_their_unit():
    _, config = _shown([62.0, 31.0], "days")
    assert config["type_config"]["format"] == "%,.0f days"  # was "62.0"
    _, small = _shown([4.5, 3.0], "days")
    assert small["type_config"]["format"] == "%,.1f days"


def test_other_numbers_have_two_decimals():
    _, config = _shown([1.17, 1.11], "number")
    assert config["type_config"]["format"] == "%,.2f"


def test_dates_times_links_and_flags():
    df = pl.DataFrame({
        "d": [D(2026, 10, 4)], "t": [dt.datetime(2026, 10, 4, 9, 30)],
        "u": ["https://example.com"], "b": [True], "s": ["x"]})
    _, config = column_config(df, {
        "d": Col("Day", "date", format="ddd YYYY-MM-DD"), "t": Col("Opened", "datetime"),
        "u": Col("Link", "link"), "b": Col("Social", "bool"), "s": Col("Name", pinned=True,
                                                                     width="medium")})
    assert _clean(config["d"])["type_config"] == {"type": "date", "format": "ddd YYYY-MM-DD"}
    assert config["t"]["type_config"]["format"] == "YYYY-MM-DD HH:mm"
    assert config["u"]["type_config"]["type"] == "link"
    assert config["b"]["type_config"]["type"] == "checkbox"
    assert config["s"]["pinned"] is True and config["s"]["width"] == "medium"


def test_columns_not_described_are_hidden_and_without_columns_all_are_shown():
    df = pl.DataFrame({"a": [1], "b": [1.5], "c": ["x"], "d": [D(2026, 1, 1)]})
    shown, config = column_config(df, {"b": Col("B", "number")})
    assert shown.columns == ["b"] and list(config) == ["b"]
    shown, config = column_config(df)
    assert shown.columns == ["a", "b", "c", "d"]
    assert [infer(t) for t in df.dtypes] == ["count", "number", "text", "date"]
    assert config["a"]["type_config"]["format"] == "%,d"
    with pytest.raises(KeyError):
        column_config(df, {"nope": Col()})


def test_an_unknown_number_unit_is_refused():
    with pytest.raises(ValueError):
        formatting.column_format("furlongs")


# ------------------------------------------------------------------------------ downloads


SPLIT = pl.DataFrame({
    "group": ["Email", "Direct"],
    "customers": [730, 404],
    "revenue": [48_424.4149, 26_852.1],
    "repeat_purchase_rate": [0.12602739726027398, 0.129],
    "median_days_to_second_order": [62.0, 54.25],
    "median_first_response_minutes": [27.345, 31.0],
})
SPLIT_COLS = {
    "group": Col("Channel", export_label="Acquisition channel"),
    "customers": Col("Customers", "count"),
    "revenue": Col("Revenue", "currency"),
    "repeat_purchase_rate": Col("Repeat rate", "ratio", export_label="Repeat purchase rate"),
    "median_days_to_second_order": Col("Days to 2nd", "days", export_label="Days to 2nd order"),
    "median_first_response_minutes": Col("Median response", "minutes"),
}


def test_a_report_download_is_rounded_with_people_s_headers():
    report = download_frame(SPLIT, SPLIT_COLS, "report")
    assert report.columns == ["Acquisition channel", "Customers", "Revenue (USD)",
                              "Repeat purchase rate (%)", "Days to 2nd order",
                              "Median response (min)"]
    assert report.row(0) == ("Email", 730, 48_424.41, 12.6, 62.0, 27.3)
    assert report.schema["Customers"] == pl.Int64
    text = export.safe_csv_bytes(report).decode("utf-8-sig")
    assert "12.602739726027398" not in text and "12.6" in text


def test_a_data_download_keeps_every_digit():
    data = download_frame(SPLIT, SPLIT_COLS, "data")
    assert data["Repeat purchase rate"].to_list() == SPLIT["repeat_purchase_rate"].to_list()
    assert data["Revenue (USD)"].to_list() == SPLIT["revenue"].to_list()
    assert data["Median response (min)"].to_list() == [27.345, 31.0]


def test_report_values_per_row_unit():
    assert export.report_value(0.12603, "ratio") == 12.6
    assert export.report_value(48_424.4149, "currency") == 48_424.41
    assert export.report_value(1234.6, "count") == 1235
    assert export.report_value(None, "ratio") is None
    assert export.report_value(float("nan"), "days") is None
    assert [export.unit_word(u) for u in ("ratio", "currency", "minutes", "count", "number")] \
        == ["%", "USD", "min", "count", ""]
    assert export.report_header("Median days to second order", "days") == (
        "Median days to second order")


def test_download_file_names_say_page_period_and_filters():
    assert export.file_name("community_unanswered", D(2026, 10, 4), D(2026, 10, 31),
                            "instagram", ext="xlsx") == (
        "community_unanswered_2026-10-04_2026-10-31_instagram.xlsx")
    assert export.file_name("upload_validation_report", None, "", ext="csv") == (
        "upload_validation_report.csv")
    # anything a file system dislikes becomes a dash; long names are cut
    assert export.file_name("upload_My File: Q4/../x", ext="csv") == "upload_my-file-q4-..-x.csv"
    assert len(export.file_name("x" * 400, ext="csv")) <= export.MAX_NAME + 4


def test_file_stems_from_the_context():
    from types import SimpleNamespace

    from smmkpi.workspace import Filters

    ctx = SimpleNamespace(ws=SimpleNamespace(start=D(2026, 10, 4), end=D(2026, 10, 31)),
                          filters=Filters(platforms=("instagram",)))
    assert file_stem("community_unanswered", ctx) == (  # type: ignore[arg-type]
        "community_unanswered_2026-10-04_2026-10-31_instagram")
    ctx.filters = Filters(campaigns=("spring_sale",), platforms=("x", "tiktok"))
    assert file_stem("traffic_channels", ctx) == (  # type: ignore[arg-type]
        "traffic_channels_2026-10-04_2026-10-31_x-tiktok_spring_sale")
    ctx.filters = Filters(platforms=("x", "tiktok", "instagram", "facebook"))
    assert file_stem("t", ctx).endswith("_4-platforms")  # type: ignore[arg-type]
    assert file_stem("admin_audit_log") == "admin_audit_log"


EVIL = '=HYPERLINK("http://x")'


def test_a_formula_comes_out_as_text_in_csv_and_xlsx():
    df = pl.DataFrame({"Channel": [EVIL, "@SUM(1+1)", "Email", None], "Orders": [1, 2, 3, 4],
                       "Share": [-0.5, 0.1, 0.2, None]})
    rows = list(csv.reader(io.StringIO(export.safe_csv_bytes(df).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["'" + EVIL, "'@SUM(1+1)", "Email", ""]
    assert rows[1][2] == "-0.5"  # numbers stay numbers

    data = export.safe_xlsx_bytes(df, sheet="Repeat sales: by channel")
    book = zipfile.ZipFile(io.BytesIO(data))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    strings = book.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet  # no cell is a formula
    assert "<t>'=HYPERLINK(\"http://x\")</t>" in strings and "<t>'@SUM(1+1)</t>" in strings
    back = pl.read_excel(io.BytesIO(data))
    assert back["Channel"].to_list() == ["'" + EVIL, "'@SUM(1+1)", "Email", None]
    assert back["Orders"].to_list() == [1, 2, 3, 4]
    assert "Repeat sales  by channel" in book.read("xl/workbook.xml").decode()


def test_the_xlsx_writer_never_writes_a_formula_or_link_even_unneutralized():
    """Belt and braces: xlsxwriter's own string conversion is off."""
    from xlsxwriter import Workbook

    buf = io.BytesIO()
    with Workbook(buf, export.XLSX_OPTIONS) as wb:
        pl.DataFrame({"t": [EVIL, "http://example.com"]}).write_excel(wb)
    sheet = zipfile.ZipFile(io.BytesIO(buf.getvalue())).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"hyperlink" not in sheet.lower()


def test_xlsx_takes_times_with_zones_durations_and_empty_columns():
    df = pl.DataFrame({
        "at": [dt.datetime(2026, 10, 4, 9, 30, tzinfo=dt.UTC)],
        "wait": [dt.timedelta(minutes=90)], "none": [None], "day": [D(2026, 10, 4)]})
    back = pl.read_excel(io.BytesIO(export.safe_xlsx_bytes(df)))
    assert back["at"].to_list() == [dt.datetime(2026, 10, 4, 9, 30)]
    assert back["wait"].to_list() == [5400]
    assert back["day"].cast(pl.Date).to_list() == [D(2026, 10, 4)]


# -------------------------------------------------------------- values typed in an editor


@pytest.mark.parametrize(("value", "unit", "text"), [
    (0.038, "ratio", "3.8 %"),
    (0.113, "ratio", "11.3 %"),
    (715_000.0, "currency", "$715,000"),
    (12.5, "currency", "$12.50"),
    (45.0, "minutes", "45 min"),
    (14.0, "days", "14 days"),
    (12_000.0, "count", "12,000"),
    (1.25, "number", "1.25"),
    (None, "ratio", ""),
])
def test_stored_values_as_the_editor_shows_them(value, unit, text):
    assert formatting.entry_text(value, unit) == text
    assert formatting.parse_entry(text, unit) == value


@pytest.mark.parametrize(("text", "unit", "value"), [
    ("12.5 %", "ratio", 0.125),
    ("12.5", "ratio", 0.125),          # a rate is typed as a percentage, with or without %
    ("$1.2k", "currency", 1200.0),
    ("715 000 USD", "currency", 715_000.0),
    ("1.5 h", "minutes", 90.0),
    ("2 days", "minutes", 2880.0),
    ("12k", "count", 12_000.0),
    ("1,234.5", "number", 1234.5),
    ("", "ratio", None),
    (12345.0, "count", 12345.0),
])
def test_what_people_type(text, unit, value):
    assert formatting.parse_entry(text, unit) == pytest.approx(value) if value else (
        formatting.parse_entry(text, unit) is value)


@pytest.mark.parametrize(("text", "unit"), [("abc", "ratio"), ("12k %", "ratio"),
                                            ("5 weeks", "minutes"), ("1.2.3", "count")])
def test_what_is_no_number_says_what_to_type(text, unit):
    with pytest.raises(ValueError, match="not a number: write"):
        formatting.parse_entry(text, unit)


@given(st.floats(min_value=1e-6, max_value=1.0, allow_nan=False))
def test_a_rate_round_trips_through_its_percent_text(x):
    assert formatting.parse_entry(formatting.entry_text(x, "ratio"), "ratio") == (
        pytest.approx(x, rel=1e-9, abs=1e-12))


def _editor_rows() -> pl.DataFrame:
    stored = pl.DataFrame({
        "campaign_id": [None, "spring"], "kpi": ["ctr", "revenue"],
        "period_start": [D(2026, 10, 1)] * 2, "period_end": [D(2026, 12, 31)] * 2,
        "target": [0.038, 715_000.0]})
    return te.editor_frame(stored)


def test_rates_entered_as_percent_in_the_targets_editor_round_trip_to_the_stored_fraction():
    original = _editor_rows()
    shown = tv.entry_frame(original, CATALOG)
    assert shown["target"].to_list() == ["3.8 %", "$715,000"]
    # untouched: the stored values to the last digit, so nothing counts as changed
    back, errors = tv.parse_targets(shown, CATALOG, original=original)
    assert not errors and back["target"].to_list() == [0.038, 715_000.0]
    changes, rule_errors = te.check_edits(original, back, catalog=CATALOG,
                                          campaign_ids={"spring"})
    assert changes.empty and not rule_errors
    # typed: 4.5 % (or 4.5) is stored as 0.045; $750k as 750000
    edited = shown.with_columns(pl.Series("target", ["4.5", "$750k"]))
    back, errors = tv.parse_targets(edited, CATALOG, original=original)
    assert not errors and back["target"].to_list() == [0.045, 750_000.0]
    changes, _ = te.check_edits(original, back, catalog=CATALOG, campaign_ids={"spring"})
    assert changes.updated == 2


def test_targets_refused_as_typed_name_the_row_and_the_text():
    original = _editor_rows()
    edited = tv.entry_frame(original, CATALOG).with_columns(
        pl.Series("target", ["120 %", "-5"]))
    back, errors = tv.parse_targets(edited, CATALOG, original=original)
    assert [str(e) for e in errors] == [
        "Row 1, Target = 120 %: this KPI is a share: at most 100 %",
        "Row 2, Target = -5: " + tv.ABOVE_ZERO]
    _, rules = te.check_edits(original, back, catalog=CATALOG, campaign_ids={"spring"})
    assert tv.merge_errors(errors, rules) == errors  # no second message for the same cell
    bad = edited.with_columns(pl.Series("target", ["lots", "$1k"]))
    _, errors = tv.parse_targets(bad, CATALOG, original=original)
    assert [e.row for e in errors] == [1] and "a percentage" in errors[0].rule


def test_suggestions_keep_their_value_when_accepted_as_shown():
    sug = te.suggest([CATALOG["ctr"], CATALOG["impressions"]],
                     {"ctr": 0.1028, "impressions": 1234.0}, "spring",
                     __import__("smmkpi.workspace", fromlist=["Period"]).Period(
                         D(2026, 10, 1), D(2026, 10, 31)))
    shown = tv.entry_frame(sug, CATALOG)
    assert shown["target"].to_list() == ["11.3 %", "1,358"]  # beside "10.3 %", not 0.113
    back, errors = tv.parse_targets(shown, CATALOG, original=sug, match_on="kpi")
    assert not errors and back["target"].to_list() == sug["target"].to_list()
