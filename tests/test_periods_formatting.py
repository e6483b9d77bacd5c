"""Date presets, comparison periods and number formatting."""

import datetime as dt

import pytest

from smmkpi import formatting as f
from smmkpi import periods
from smmkpi.workspace import Period

D = dt.date


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("last_7", D(2026, 10, 25), D(2026, 10, 31)),
        ("last_28", D(2026, 10, 4), D(2026, 10, 31)),
        ("last_90", D(2026, 8, 3), D(2026, 10, 31)),
        ("this_month", D(2026, 10, 1), D(2026, 10, 31)),
        ("last_month", D(2026, 9, 1), D(2026, 9, 30)),
        ("this_quarter", D(2026, 10, 1), D(2026, 10, 31)),
        ("last_quarter", D(2026, 7, 1), D(2026, 9, 30)),
        ("year_to_date", D(2026, 1, 1), D(2026, 10, 31)),
    ],
)
def test_presets(preset, start, end):
    assert periods.preset_period(preset, D(2026, 10, 31)) == Period(start, end)


def test_comparisons():
    p = Period(D(2026, 10, 4), D(2026, 10, 31))
    assert periods.comparison_period(p, "previous") == Period(D(2026, 9, 6), D(2026, 10, 3))
    assert periods.comparison_period(p, "last_year") == Period(D(2025, 10, 4), D(2025, 10, 31))
    assert periods.comparison_period(p, "none") is None
    leap = Period(D(2028, 2, 29), D(2028, 3, 1))
    assert leap.last_year() == Period(D(2027, 2, 28), D(2027, 3, 1))


def test_anchor_is_last_data_day_but_never_after_today():
    assert periods.anchor_day(D(2026, 10, 31), today=D(2026, 11, 22)) == D(2026, 10, 31)
    assert periods.anchor_day(D(2027, 1, 1), today=D(2026, 11, 22)) == D(2026, 11, 22)
    assert periods.anchor_day(None, today=D(2026, 11, 22)) == D(2026, 11, 22)


def test_period_rejects_reversed_dates():
    with pytest.raises(ValueError, match="after its end"):
        Period(D(2026, 2, 1), D(2026, 1, 1))


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1234, "count", "1.2k"),
        (999, "count", "999"),
        (1_500_000, "count", "1.5M"),
        (999_950, "count", "1M"),
        (0.345, "ratio", "34.5 %"),
        (1234.5, "currency", "$1,234"),
        (12.345, "currency", "$12.35"),
        (2_345_678, "currency", "$2.3M"),
        (42, "minutes", "42 min"),
        (5.5, "minutes", "5.5 min"),
        (210, "minutes", "3.5 h"),
        (4320, "minutes", "3.0 days"),
        (12.4, "days", "12 days"),
        (None, "ratio", "n/a"),
        (float("nan"), "count", "n/a"),
    ],
)
def test_format_value(value, unit, text):
    assert f.value(value, unit) == text


def test_change():
    assert f.change(0.30, 0.25, "ratio") == "+5.0 pp"
    assert f.change(110, 100, "count") == "+10.0 %"
    assert f.change(5, 0, "count") is None
    assert f.change(100.01, 100, "count") == "0.0 %"  # not "-0.0 %" or "+0.0 %"
    assert f.change(0.12341, 0.1234, "ratio") == "0.0 pp"
    assert f.change(None, 3, "count") is None
    assert f.money(10, "EUR") == "€10.00"
    assert f.money(10, "CHF") == "10.00 CHF"


def test_template_matches_pl_format_on_plain_frames():
    import polars as pl
    import pytest

    from smmkpi.formatting import template

    df = pl.DataFrame({"a": [1, None, 3], "b": ["x", "y", None], "c": [1.5, 2.0, None]})
    got = df.select(template("{} and {}: {} days", "a", pl.col("b"), pl.col("c"))).to_series()
    want = df.select(pl.format("{} and {}: {} days", "a", "b", "c")).to_series()  # noqa
    assert got.to_list() == want.to_list() == ["1 and x: 1.5 days", None, None]
    assert df.select(template("{}", "a")).to_series().to_list() == ["1", None, "3"]
    with pytest.raises(ValueError, match="2 placeholders"):
        template("{} {}", "a")
