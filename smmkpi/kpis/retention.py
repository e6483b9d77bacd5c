"""Retention and repeat sales: repeat KPIs, cohort retention, splits by customer attributes.

Definitions (see `docs/kpis.md`), with the choices made where a definition leaves them open:

- An order belongs to a day by the UTC date of `ordered_at`; a period [start, end] is inclusive.
- A customer's orders are put in order by (`ordered_at`, `order_id`): of two orders at the same
  timestamp, the one with the smaller `order_id` (text order) is the earlier one. The first in
  that order is the customer's *first-ever* order, the next one the *second* order, and so on
  (`seq` = 0, 1, 2, ...). History means every order up to `end`; first-ever orders may lie
  before the period.
- `orders`, `revenue`, `customers`: orders, their revenue and the distinct customers with an
  order in the period.
- `repeat_purchase_rate`: of the period's customers, the share with two or more orders in it.
- `returning_customer_rate`: of the period's customers, the share with an order in the period
  that is not their first-ever order (they had ordered before their last order in the period).
- `returning_revenue_share`: revenue of the period's orders that are not first-ever orders /
  the period's revenue.
- `orders_per_customer` = orders / customers.
- `median_days_to_second_order`: over the customers whose *second* order falls in the period,
  the median number of calendar days (UTC dates) from their first-ever to their second order
  (0 when both are on the same day). The same customers make the histogram
  (`days_to_second_order`).
- Cohort = the calendar month (or Monday-starting week) of the customer's first-ever order.
  Cell (cohort, k) = the share of the cohort with at least one order in month cohort + k,
  counting orders up to `until`; k = 0 is 100 %. A cell is *reachable* when month cohort + k
  is not after the month of `until` (the month of `until` itself counts, although it may be
  incomplete); cells not reachable are null, never 0.
- `m1_retention`, `m3_retention` for a period read *complete* calendar months only, so that a
  rolling period (the last 28 days, say) compares fairly with the one before: the months
  whose last day lies in [start, end] or, when no month ends inside the period (1–20 October,
  say), the last complete month before `end` (September). For each such month m, the cohort
  m − k (k = 1 or 3) and who of it ordered at any time in month m (days of m before `start`
  count too); m_k = the cohort customers who ordered in their month m / all customers of those
  cohorts (cohort-size weighted). So March's m1 is February's cohort coming back in March, and
  the last 28 days ending 3 October give September's cohort-of-August figure. No such cohort
  customers → None.

Everything is Polars. `prepare` puts each customer's orders in order once and records, per
order, its place in the history and the days of the customer's previous and next order;
every figure for a period is then a filter and a group-by over the few rows it needs (the
period's orders, the orders of the months m, the first orders of the cohorts), so nothing
loops over customers or cohorts in Python and nothing depends on the rows' order afterwards.
On the database (`DbSource`) the catalog's figures are sums of the counts the store keeps
per day and pair of days (`_counted`), and on PostgreSQL the splits are counted by the
database (`split`): the same definitions, checked against this module's Polars by tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack

import polars as pl

from smmkpi.kpis.base import KPI, Area, additive, ratio, ratio_expr, ratio_of
from smmkpi.periods import EPOCH_MONDAY_SHIFT, month_index, week_index

if TYPE_CHECKING:
    from smmkpi.workspace import Workspace

Grain = Literal["month", "week"]
Measure = Literal["customers", "revenue"]
SplitBy = Literal["acquisition_channel", "follows_on_social", "channel"]

KPI_KEYS: tuple[str, ...] = (
    "orders",
    "revenue",
    "customers",
    "repeat_purchase_rate",
    "returning_customer_rate",
    "returning_revenue_share",
    "orders_per_customer",
    "median_days_to_second_order",
    "m1_retention",
    "m3_retention",
)
UNKNOWN = "unknown"
FOLLOWERS = "followers"
NON_FOLLOWERS = "non-followers"

_EPOCH_MONDAY_SHIFT = EPOCH_MONDAY_SHIFT
_KS = (1, 3)  # the retention months of the catalog: m1, m3


@dataclass(frozen=True)
class Prepared:
    """Orders with their place in the customer's history, computed once and reused.

    `frame` has one row per order: customer_id, cust (the customer's number, 0, 1, ...),
    day (UTC date), revenue, channel, seq (0 = first-ever order of the customer), first_day
    (day of the first-ever order), prev_day and next_day (day of the customer's previous /
    next order, null if none), month and cohort (month numbers, `_period_index`, of day and
    first_day) and new_month (the customer's first order in its calendar month). A customer's
    rows are together and in (ordered_at, order_id) order, but nothing below relies on it.
    Because every column only looks back in time except next_day, which functions compare
    with `end`, one Prepared over all orders serves any `end`.

    `customers`, when `prepare` was given the customers dataset, has one row per customer
    number (row `cust`): acquisition_channel and follows_on_social from the customer's row
    (the last one of a duplicated id; null when missing), so that splits by them need no
    join of orders and customers.
    """

    frame: pl.DataFrame
    customers: pl.DataFrame | None = None


Orders = pl.LazyFrame | pl.DataFrame | Prepared


def _customer_hash(customer_id: pl.Expr) -> pl.Expr:
    """A 64-bit number per customer id: sorting numbers is several times faster than sorting
    text. Two ids with one hash are detected by `prepare`, which then sorts the text."""
    return customer_id.hash()


def _history_order(base: pl.DataFrame) -> pl.Series:
    """Row indices that put `base` in (customer hash, ordered_at, order_id) order.

    One numeric sort by (hash, timestamp); only the rows that share a customer hash and a
    timestamp (rare) are sorted again with their order_id and put back in their places.
    """
    keys = base.select(h=_customer_hash(pl.col("customer_id")), ts=pl.col("ordered_at"))
    keys = keys.with_columns(pl.col("ts").to_physical())
    idx = keys.select(pl.arg_sort_by("h", "ts")).to_series()
    h, ts = pl.col("h"), pl.col("ts")
    same = (h == h.shift(1)) & (ts == ts.shift(1))
    ties = (
        keys.select(pl.all().gather(idx))
        .with_columns(row=idx)
        .with_row_index("pos")
        .filter(same | same.shift(-1))
    )
    if ties.height:
        again = ties.with_columns(order_id=base["order_id"].gather(ties["row"])).sort(
            "h", "ts", "order_id"
        )
        idx = idx.scatter(ties["pos"], again["row"])
    return idx


def prepare(
    orders: Orders, customers: pl.LazyFrame | pl.DataFrame | None = None
) -> Prepared:
    """Number every customer's orders by (ordered_at, order_id): one sort. With `customers`,
    also look up each customer's attributes once (`Prepared.customers`)."""
    if isinstance(orders, Prepared):
        if customers is None:
            return orders
        return Prepared(orders.frame, _customer_table(orders.frame, customers))
    lf = orders.lazy()
    schema = lf.collect_schema()
    ts = pl.col("ordered_at")
    tz = getattr(schema["ordered_at"], "time_zone", None)
    if tz is not None and tz != "UTC":
        ts = ts.dt.convert_time_zone("UTC")
    channel = pl.col("channel") if "channel" in schema else pl.lit(None, dtype=pl.String)
    base = (
        lf.select(
            "customer_id",
            "order_id",
            ts.alias("ordered_at"),
            pl.col("revenue").cast(pl.Float64),
            channel.cast(pl.String).alias("channel"),
        )
        .drop_nulls(["customer_id", "ordered_at"])  # required columns; no place in a history
        .collect()
        .rechunk()  # gathering from many chunks is several times slower
    )
    ordered = base.select(pl.exclude("order_id").gather(_history_order(base)))
    cid = pl.col("customer_id")
    h = _customer_hash(cid)
    clash = ordered.select(((h == h.shift(1)) & (cid != cid.shift(1))).any()).item()
    if clash:  # two customer ids with one hash: sort the text instead
        ordered = base.sort("customer_id", "ordered_at", "order_id").drop("order_id")
    del base  # the peak memory is the numbering below
    frame = _number(ordered.lazy()).collect()
    del ordered
    return Prepared(frame, None if customers is None else _customer_table(frame, customers))


def _customer_attributes(customers: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """customer_id, acquisition_channel, follows_on_social: one row per customer id (the
    last row of a duplicated id)."""
    return (
        customers.lazy()
        .select(
            "customer_id",
            pl.col("acquisition_channel").cast(pl.String),
            pl.col("follows_on_social").cast(pl.Boolean),
        )
        .unique("customer_id", keep="last")
    )


def _customer_table(frame: pl.DataFrame, customers: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """`Prepared.customers`: the attributes of customer number 0, 1, ... of `frame`."""
    return (
        frame.lazy()
        .filter(pl.col("seq") == 0)  # one row per customer, in customer-number order
        .select("cust", "customer_id")
        .join(_customer_attributes(customers), on="customer_id", how="left")
        .sort("cust")
        .select("acquisition_channel", "follows_on_social")
        .collect()
    )


def _number(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Add seq, first_day, prev_day, next_day, month, cohort, new_month to orders that are in
    customer-then-time order."""
    cid, day = pl.col("customer_id"), pl.col("day")
    idx = pl.int_range(pl.len(), dtype=pl.Int64)
    new_customer = (cid != cid.shift(1)).fill_null(True)
    last_of_customer = (cid != cid.shift(-1)).fill_null(True)
    month = _period_index(day, "month")
    return (
        lf.with_columns(
            day=pl.col("ordered_at").dt.date(),
            seq=idx - pl.when(new_customer).then(idx).forward_fill(),
            cust=(new_customer.cum_sum() - 1).cast(pl.UInt32),
            new_customer=new_customer,
            last_of_customer=last_of_customer,
        )
        .with_columns(
            first_day=pl.when(pl.col("seq") == 0).then(day).forward_fill(),
            prev_day=pl.when(~pl.col("new_customer")).then(day.shift(1)),
            next_day=pl.when(~pl.col("last_of_customer")).then(day.shift(-1)),
            month=month,
        )
        .with_columns(
            cohort=pl.when(pl.col("seq") == 0).then(pl.col("month")).forward_fill(),
            new_month=pl.col("new_customer") | (pl.col("month") != pl.col("month").shift(1)),
        )
        .select(
            "customer_id", "cust", "day", "revenue", "channel", "seq", "first_day", "prev_day",
            "next_day", "month", "cohort", "new_month",
        )
    )


def _upto(orders: Orders, end: dt.date) -> pl.LazyFrame:
    """The prepared history up to `end`."""
    return prepare(orders).frame.lazy().filter(pl.col("day") <= end)


def _period_index(day: pl.Expr, grain: Grain) -> pl.Expr:
    """A running number of calendar months (year * 12 + month - 1) or Monday weeks."""
    if grain == "month":
        return month_index(day)
    if grain == "week":
        return week_index(day)
    raise ValueError(f"grain must be 'month' or 'week', got {grain!r}")


def _index_of(day: dt.date, grain: Grain) -> int:
    if grain == "month":
        return day.year * 12 + day.month - 1
    if grain == "week":
        return ((day - dt.date(1970, 1, 1)).days + _EPOCH_MONDAY_SHIFT) // 7
    raise ValueError(f"grain must be 'month' or 'week', got {grain!r}")


def _period_start(index: pl.Expr, grain: Grain) -> pl.Expr:
    """The first day of a period number (inverse of `_period_index`)."""
    if grain == "month":
        return pl.date(index // 12, index % 12 + 1, 1)
    return (index * 7 - _EPOCH_MONDAY_SHIFT).cast(pl.Date)


def retention_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The complete calendar months that m1/m3 read for [start, end], as (first day of the
    first month, last day of the last month): the months whose last day lies in the period,
    or else the last complete month before `end`."""
    lo, hi = _retention_month_range(start, end)
    first = dt.date(lo // 12, lo % 12 + 1, 1)
    last = dt.date((hi + 1) // 12, (hi + 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return first, last


def _retention_month_range(start: dt.date, end: dt.date) -> tuple[int, int]:
    """Month numbers (first, last) of `retention_months`."""
    hi = _index_of(end + dt.timedelta(days=1), "month") - 1  # the last month ending by `end`
    return min(_index_of(start, "month"), hi), hi


# --------------------------------------------------------------------------- repeat KPIs


def _relevant(orders: Orders, start: dt.date, end: dt.date) -> pl.LazyFrame:
    """The only rows the repeat KPIs of [start, end] read: the period's orders, the orders in
    the retention months by customers of cohort month − 1 or − 3, and those cohorts' first
    orders. None of them is after `end`."""
    lo, hi = _retention_month_range(start, end)
    day, month, cohort = pl.col("day"), pl.col("month"), pl.col("cohort")
    return (
        prepare(orders)
        .frame.lazy()
        .filter(
            day.is_between(start, end)
            | (month.is_between(lo, hi) & (month - cohort).is_in(_KS))
            | (
                (pl.col("seq") == 0)
                & pl.any_horizontal(cohort.is_between(lo - k, hi - k) for k in _KS)
            )
        )
    )


def _kpi_table(
    e: pl.LazyFrame, start: dt.date, end: dt.date, *, customer_groups: bool
) -> pl.DataFrame:
    """Every repeat KPI per value of `group`.

    `e` holds the `_relevant` rows with a String column `group`. With `customer_groups` the
    group is a customer attribute (the same on all of a customer's orders) and cohorts are
    split by it; otherwise it is an order attribute (the order's channel): the period's
    quantities count the group's orders, while first-ever orders and cohorts come from the
    customer's whole history, so m1/m3 read "the share of the whole cohort that came back
    through this channel".
    """
    lo, hi = _retention_month_range(start, end)
    day, seq, month, cohort = pl.col("day"), pl.col("seq"), pl.col("month"), pl.col("cohort")
    in_period = day.is_between(start, end)
    first_in_period = in_period & (pl.col("prev_day").is_null() | (pl.col("prev_day") < start))
    next_in_period = pl.col("next_day").is_not_null() & (pl.col("next_day") <= end)
    second = in_period & (seq == 1)
    days = (day.cast(pl.Int32) - pl.col("first_day").cast(pl.Int32)).filter(second)

    def back(k: int) -> pl.Expr:  # an order of cohort m - k in a retention month m
        return month.is_between(lo, hi) & ((month - cohort) == k)

    def base(k: int) -> pl.Expr:  # a first-ever order of a cohort m - k
        return (seq == 0) & cohort.is_between(lo - k, hi - k)

    money = [
        in_period.sum().alias("orders"),
        pl.col("revenue").filter(in_period).sum(),
        pl.col("revenue").filter(in_period & (seq >= 1)).sum().alias("returning_revenue"),
        second.sum().alias("second_orders"),
        days.median().alias("median_days_to_second_order"),
    ]
    if customer_groups:  # each customer in one group: count rows that stand for customers
        out = e.group_by("group").agg(
            *money,
            customers=first_in_period.sum(),
            repeat_customers=(first_in_period & next_in_period).sum(),
            # not returning: the first-ever order is the customer's only one in the period
            returning_customers=first_in_period.sum()
            - (in_period & (seq == 0) & ~next_in_period).sum(),
            **{f"m{k}_retained": (back(k) & pl.col("new_month")).sum() for k in _KS},
            **{f"m{k}_cohort_customers": base(k).sum() for k in _KS},
        )
    else:  # a customer's orders spread over groups: count customers per group
        per_customer = e.group_by("group", "cust").agg(
            n=in_period.sum(),
            max_seq=seq.filter(in_period).max(),
            **{f"m{k}_back": back(k).any() for k in _KS},
        )
        out = (
            e.group_by("group")
            .agg(*money, shown=(in_period | pl.any_horizontal(back(k) for k in _KS)).any())
            .filter("shown")  # a channel that only brought cohort customers has no row
            .join(
                per_customer.group_by("group").agg(
                    customers=(pl.col("n") >= 1).sum(),
                    repeat_customers=(pl.col("n") >= 2).sum(),
                    returning_customers=(pl.col("max_seq") >= 1).sum(),
                    **{f"m{k}_retained": pl.col(f"m{k}_back").sum() for k in _KS},
                ),
                on="group",
                how="left",
                nulls_equal=True,
            )
            .join(  # the cohort base is the whole cohort, the same for every order group
                e.select(**{f"m{k}_cohort_customers": base(k).sum() for k in _KS}),
                how="cross",
            )
        )
    return _finish(out)


def _finish(out: pl.LazyFrame) -> pl.DataFrame:
    """`_kpi_table`'s frame from the counts per group: group, orders, revenue,
    returning_revenue, second_orders, median_days_to_second_order, customers,
    repeat_customers, returning_customers, m{k}_retained and m{k}_cohort_customers."""
    counts = [
        "orders",
        "customers",
        "repeat_customers",
        "returning_customers",
        "second_orders",
        *(f"m{k}_{c}" for k in _KS for c in ("retained", "cohort_customers")),
    ]
    return (
        out.with_columns(
            [pl.col(c).fill_null(0).cast(pl.Int64) for c in counts]
            + [pl.col(c).fill_null(0.0) for c in ("revenue", "returning_revenue")]
        )
        .select(
            "group",
            "orders",
            "revenue",
            "customers",
            repeat_purchase_rate=ratio_expr("repeat_customers", "customers"),
            returning_customer_rate=ratio_expr("returning_customers", "customers"),
            returning_revenue_share=ratio_expr("returning_revenue", "revenue"),
            orders_per_customer=ratio_expr("orders", "customers"),
            median_days_to_second_order=pl.col("median_days_to_second_order").cast(pl.Float64),
            m1_retention=ratio_expr("m1_retained", "m1_cohort_customers"),
            m3_retention=ratio_expr("m3_retained", "m3_cohort_customers"),
            second_orders="second_orders",
            m1_cohort_customers="m1_cohort_customers",
            m3_cohort_customers="m3_cohort_customers",
        )
        .sort("group", nulls_last=True)
        .collect()
    )


def repeat_kpis(orders: Orders, start: dt.date, end: dt.date) -> dict[str, float | int | None]:
    """Every repeat-sales KPI for [start, end]; `orders` is the history (later rows ignored).

    Keys: KPI_KEYS. Counts are 0 and ratios None when the period has no orders.
    """
    e = _relevant(orders, start, end).with_columns(group=pl.lit(None, dtype=pl.String))
    row = _kpi_table(e, start, end, customer_groups=True)
    out: dict[str, float | int | None] = {k: None for k in KPI_KEYS}
    out.update(orders=0, revenue=0.0, customers=0)
    if row.height:
        rec = row.row(0, named=True)
        out.update({k: rec[k] for k in KPI_KEYS})
    return out


def _label(by: SplitBy) -> pl.Expr:
    """The group label from a customer's attributes (null = unknown)."""
    if by == "acquisition_channel":
        return pl.col("acquisition_channel")
    return (
        pl.when(pl.col("follows_on_social"))
        .then(pl.lit(FOLLOWERS))
        .when(pl.col("follows_on_social").not_())
        .then(pl.lit(NON_FOLLOWERS))
    )


def repeat_kpis_by(
    orders: Orders,
    customers: pl.LazyFrame | pl.DataFrame | None,
    start: dt.date,
    end: dt.date,
    by: SplitBy,
) -> pl.DataFrame:
    """Every repeat KPI per group: one row per `group` (String), sorted by group.

    `by` = "acquisition_channel" or "follows_on_social" (groups "followers", "non-followers")
    splits customers by their row in `customers`; a customer missing there or with an empty
    value is in group "unknown". `customers` may be None when `orders` is a Prepared made
    with the customers dataset (`prepare(orders, customers)`): its table is used, no join.

    `by` = "channel" splits the *orders* by their own `channel` (empty → "unknown"); a
    customer then counts in every channel they ordered through. Each group's period figures
    use only its orders, while "first-ever order" and the cohort still come from the
    customer's whole history: returning_revenue_share is the share of the channel's revenue
    from repeat orders, median days to second order covers second orders placed through the
    channel, and m1/m3 are the share of the *whole* cohort that came back through the channel
    (so channels may add up to more than the overall figure).

    Besides the KPIs the frame has the sizes behind them: customers (with an order in the
    period), second_orders (customers whose second order is in the period) and
    m1/m3_cohort_customers (the cohort customers the retention is a share of).
    """
    prepared = prepare(orders)
    e = _relevant(prepared, start, end)
    if by == "channel":
        e = e.with_columns(group=pl.col("channel").fill_null(UNKNOWN))
        return _kpi_table(e, start, end, customer_groups=False)
    if by not in ("acquisition_channel", "follows_on_social"):
        raise ValueError(f"cannot split repeat KPIs by {by!r}")
    if "follows_on_social" in prepared.frame.columns:  # a `period_history` window
        pass
    elif customers is not None:
        e = e.join(_customer_attributes(customers), on="customer_id", how="left")
    elif prepared.customers is not None:  # look the rows' customer numbers up
        rows = e.collect()
        e = rows.hstack(prepared.customers[rows["cust"]]).lazy()
    else:
        raise ValueError(f"splitting by {by} needs the customers dataset (or, for a "
                         "window of stored orders, period_history(ws, attributes=True))")
    e = e.with_columns(group=_label(by).fill_null(UNKNOWN))
    return _kpi_table(e, start, end, customer_groups=True)


_GAP_ROWS: tuple[tuple[str, str, str, float], ...] = (
    # kpi, size column, unit of the difference, factor
    ("repeat_purchase_rate", "customers", "pp", 100.0),
    ("returning_customer_rate", "customers", "pp", 100.0),
    ("returning_revenue_share", "customers", "pp", 100.0),
    ("orders_per_customer", "customers", "orders", 1.0),
    ("median_days_to_second_order", "second_orders", "days", 1.0),
    ("m1_retention", "m1_cohort_customers", "pp", 100.0),
    ("m3_retention", "m3_cohort_customers", "pp", 100.0),
)


def follower_gap(
    orders: Orders,
    customers: pl.LazyFrame | pl.DataFrame | None,
    start: dt.date,
    end: dt.date,
) -> pl.DataFrame:
    """Followers against non-followers, one row per repeat KPI (the remarketing question).

    Columns: kpi, followers, non_followers, difference (followers − non-followers, in
    percentage points for shares, else in orders or days: `difference_unit`), and the number
    of customers behind each value (followers_n, non_followers_n). Customers of unknown
    follower status are left out. A missing value on either side gives a null difference.
    `customers` may be None as in `repeat_kpis_by`.
    """
    return _gap(repeat_kpis_by(orders, customers, start, end, "follows_on_social"))


def _gap(table: pl.DataFrame) -> pl.DataFrame:
    """`follower_gap` from the split by follower status (`repeat_kpis_by`'s frame)."""

    def side(label: str) -> dict[str, Any]:
        rows = table.filter(pl.col("group") == label)
        return rows.row(0, named=True) if rows.height else {}

    f, n = side(FOLLOWERS), side(NON_FOLLOWERS)
    rows = []
    for kpi, size, unit, factor in _GAP_ROWS:
        fv, nv = f.get(kpi), n.get(kpi)
        diff = None if fv is None or nv is None else (fv - nv) * factor
        rows.append(
            {
                "kpi": kpi,
                "followers": fv,
                "non_followers": nv,
                "difference": diff,
                "difference_unit": unit,
                "followers_n": int(f.get(size) or 0),
                "non_followers_n": int(n.get(size) or 0),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "kpi": pl.String,
            "followers": pl.Float64,
            "non_followers": pl.Float64,
            "difference": pl.Float64,
            "difference_unit": pl.String,
            "followers_n": pl.Int64,
            "non_followers_n": pl.Int64,
        },
    )


def days_to_second_order(orders: Orders, start: dt.date, end: dt.date) -> pl.DataFrame:
    """customer_id, days: calendar days from first to second order, for every customer whose
    second order falls in [start, end] (the population of `median_days_to_second_order`)."""
    return (
        _upto(orders, end)
        .filter(pl.col("seq") == 1, pl.col("day") >= start)
        .select(
            "customer_id",
            days=(pl.col("day").cast(pl.Int32) - pl.col("first_day").cast(pl.Int32)).cast(
                pl.Int64
            ),
        )
        .sort("customer_id")
        .collect()
    )


# --------------------------------------------------------------------------- cohorts


def cohort_matrix_long(
    orders: Orders,
    *,
    until: dt.date,
    grain: Grain = "month",
    measure: Measure = "customers",
    since: dt.date | None = None,
) -> pl.DataFrame:
    """One row per reachable cell: cohort (first day of the month/week), k, cohort_size,
    customers (of the cohort with an order in cohort + k), revenue (of the cohort's orders in
    cohort + k), cohort_revenue (revenue in k = 0) and share.

    share = customers / cohort_size for measure "customers" (k = 0 is 1.0), or
    revenue / cohort_revenue for "revenue" (null when the cohort's k = 0 revenue is 0).
    Reachable cells run from k = 0 to the period of `until`; cells with no orders are 0.
    Cohorts start no earlier than the month/week containing `since`.
    """
    if measure not in ("customers", "revenue"):
        raise ValueError(f"measure must be 'customers' or 'revenue', got {measure!r}")
    last = _index_of(until, grain)
    if grain == "month":  # computed once by `prepare`
        index, cohort, new_k = pl.col("month"), pl.col("cohort"), pl.col("new_month")
    else:  # the customer's first order in this week: the previous one is in another week
        index = _period_index(pl.col("day"), grain)
        cohort = _period_index(pl.col("first_day"), grain)
        prev = pl.col("prev_day")
        new_k = prev.is_null() | (_period_index(prev, grain) != index)
    e = _upto(orders, until).select(
        "seq", "revenue", cohort.alias("cohort"), (index - cohort).alias("k"), new_k.alias("new_k")
    )
    if since is not None:
        e = e.filter(pl.col("cohort") >= _index_of(since, grain))
    sizes = e.filter(pl.col("seq") == 0).group_by("cohort").agg(cohort_size=pl.len())
    cells = e.group_by("cohort", "k").agg(
        customers=pl.col("new_k").sum(), revenue=pl.col("revenue").sum()
    )
    return _long_from_cells(sizes, cells, last, grain, measure)


def _long_from_cells(
    sizes: pl.LazyFrame, cells: pl.LazyFrame, last: int, grain: Grain, measure: Measure
) -> pl.DataFrame:
    """`cohort_matrix_long` from the cohort sizes (cohort, cohort_size) and the non-empty
    cells (cohort, k, customers, revenue) up to period number `last`."""
    grid = sizes.with_columns(k=pl.int_ranges(0, last - pl.col("cohort") + 1, dtype=pl.Int32))
    long = (
        grid.explode("k")
        .join(cells, on=["cohort", "k"], how="left")
        .with_columns(
            pl.col("customers").fill_null(0).cast(pl.Int64),
            pl.col("revenue").fill_null(0.0),
            pl.col("cohort_size").cast(pl.Int64),
        )
        .with_columns(
            cohort_revenue=pl.col("revenue").filter(pl.col("k") == 0).first().over("cohort")
        )
    )
    share = (
        ratio_expr("customers", "cohort_size")
        if measure == "customers"
        else ratio_expr("revenue", "cohort_revenue")
    )
    return (
        long.select(
            _period_start(pl.col("cohort"), grain).alias("cohort"),
            pl.col("k").cast(pl.Int64),
            "cohort_size",
            "customers",
            "revenue",
            "cohort_revenue",
            share.alias("share"),
        )
        .sort("cohort", "k")
        .collect()
    )


class CohortOptions(TypedDict, total=False):
    """The optional keywords of `cohort_matrix_long`, passed on by its wrappers."""

    grain: Grain
    measure: Measure
    since: dt.date | None


def cohort_matrix(
    orders: Orders, *, until: dt.date, **options: Unpack[CohortOptions]
) -> pl.DataFrame:
    """The heatmap / download table: cohort, cohort_size, then one column per k ("0", "1",
    ...) holding the share; unreachable cells are null. See `cohort_matrix_long`."""
    return widen_cohorts(cohort_matrix_long(orders, until=until, **options))


def widen_cohorts(long: pl.DataFrame) -> pl.DataFrame:
    """`cohort_matrix` from a `cohort_matrix_long` result (pages compute the long form once
    and derive the wide table and the curve from it)."""
    if long.height == 0:
        return pl.DataFrame(schema={"cohort": pl.Date, "cohort_size": pl.Int64})
    ks = list(range(int(long["k"].max()) + 1))  # type: ignore[arg-type]
    wide = long.with_columns(pl.col("k").cast(pl.String)).pivot(
        "k",
        on_columns=[str(k) for k in ks],
        index=["cohort", "cohort_size"],
        values="share",
    )
    return wide.select("cohort", "cohort_size", *[str(k) for k in ks]).sort("cohort")


def retention_curve(
    orders: Orders, *, until: dt.date, **options: Unpack[CohortOptions]
) -> pl.DataFrame:
    """The average retention curve: per k, the cohort-size-weighted share over the cohorts that
    reach k (for "revenue": their revenue in k / their k = 0 revenue).

    Columns: k, cohorts (how many cohorts reach k), cohort_size (their customers), customers,
    revenue, cohort_revenue, share.
    """
    long = cohort_matrix_long(orders, until=until, **options)
    return curve_from_long(long, options.get("measure", "customers"))


def curve_from_long(long: pl.DataFrame, measure: Measure = "customers") -> pl.DataFrame:
    """`retention_curve` from a `cohort_matrix_long` result."""
    num, den = (
        ("customers", "cohort_size") if measure == "customers" else ("revenue", "cohort_revenue")
    )
    return (
        long.lazy()
        .group_by("k")
        .agg(
            cohorts=pl.len().cast(pl.Int64),
            cohort_size=pl.col("cohort_size").sum(),
            customers=pl.col("customers").sum(),
            revenue=pl.col("revenue").sum(),
            cohort_revenue=pl.col("cohort_revenue").sum(),
        )
        .with_columns(share=ratio_expr(num, den))
        .sort("k")
        .collect()
    )


# --------------------------------------------------------------------------- catalog


def default_cohort_since(start: dt.date, end: dt.date, grain: Grain = "month") -> dt.date:
    """The first cohort a page shows for the period [start, end]: the last 18 monthly (26
    weekly) cohorts up to `end`, or every cohort starting in the period when the period is
    longer than that, but never more than 36 months (52 weeks) of cohorts."""
    last = _index_of(end, grain)
    recent, most = (18, 36) if grain == "month" else (26, 52)
    first = max(min(last - recent + 1, _index_of(start, grain)), last - most + 1)
    return pl.select(_period_start(pl.lit(first, pl.Int32), grain)).item()


def prepared_history(ws: Workspace) -> Prepared | None:
    """Every order of the workspace's source, prepared (sorted per customer, customers looked
    up) once per source and shared by every workspace on it (`Workspace.shared_memo`): a
    Prepared serves any period, so the period, the comparison period, the targets and the
    pages all reuse one sort. None when orders are absent."""

    def load() -> Prepared | None:
        orders = ws.everything("orders")
        return None if orders is None else prepare(orders, ws.everything("customers"))

    return ws.shared_memo("orders", ("retention", "prepared"), load)  # type: ignore[no-any-return]


def _keeps_summaries(ws: Workspace) -> bool:
    """The source keeps customer summaries and cohort cells (the database does)."""
    return bool(getattr(ws.source, "keeps_summaries", False))


def period_history(ws: Workspace, *, attributes: bool = False) -> Prepared | None:
    """The orders the figures of the workspace's period need, as a Prepared: on a source
    that keeps summaries, only the rows `_relevant` reads for this period, built from the
    period's orders (with their places in the customers' histories) and the first orders
    of the cohorts before them (`_window`); otherwise every order (`prepared_history`).
    Either gives the same figures for [start, end] through `repeat_kpis`,
    `repeat_kpis_by`, `follower_gap`, `days_to_second_order` and the daily series; the
    windowed one serves no other period. With `attributes` its rows also carry the
    customers' acquisition channel and follower status (copied into the summaries by the
    store), which the splits by them need: read once per window, apart, as no other
    figure needs them. None when orders are absent."""
    if not _keeps_summaries(ws):
        return prepared_history(ws)
    if not ws.has("orders"):
        return None
    lo, _ = _retention_month_range(ws.start, ws.end)
    # One window per source and data version, shared by every period it covers: a window
    # built for [F, E] serves any period whose retention months start on or after F (its
    # `_relevant` rows are all in it). E is the last day with data (or the first period's
    # end if later), so the comparison period and the targets' periods reuse it; a period
    # reaching further back extends it by the orders of the months before F only (the first
    # orders of the cohorts before the new F are read again: a few months).
    windows: list[_Window] = ws.shared_memo("orders", ("retention", "windows"), list)
    current = windows[0] if windows else None
    # a window always reaches the last day with data (of this data version): a period
    # ending later finds no order it lacks
    if current is None or current.lo > lo:
        current = _read_window(ws, lo, current, attributes)
        windows[:] = [current]
    if not attributes:
        return current.prepared
    window = current

    def with_attributes() -> Prepared:
        read = (window.attributes if window.attributes is not None
                else ws.source.window_attributes(window.first))  # type: ignore[attr-defined]
        attrs = pl.concat([
            read, window.firsts.select("customer_id", "acquisition_channel",
                                       "follows_on_social"),
        ]).unique("customer_id", keep="first")
        return Prepared(window.prepared.frame.join(attrs, on="customer_id", how="left",
                                                   maintain_order="left"))

    return ws.shared_memo(  # type: ignore[no-any-return]
        "orders", ("retention", "attributes", window.first, window.end), with_attributes)


def _read_window(ws: Workspace, lo: int, current: _Window | None,
                 attributes: bool) -> _Window:
    """The window `period_history` needs for retention months from `lo` on: its orders,
    the first orders of the cohorts before it and, when asked, its customers' attributes,
    in one batch of reads (`DbSource.window`)."""
    src: Any = ws.source
    prev = ws.period.previous()  # pages compare with it: read it with the same window
    lo_w = min(lo, _retention_month_range(prev.start, prev.end)[0])
    first = pl.select(_period_start(pl.lit(lo_w, pl.Int32), "month")).item()
    since = pl.select(_period_start(pl.lit(lo_w - max(_KS), pl.Int32), "month")).item()
    if current is not None:  # extend back: read only the months before it
        end_w = current.end
        read = src.window(first, current.first - dt.timedelta(days=1), since,
                          attributes=attributes)
        rows = pl.concat([read["orders"], current.rows])
    else:
        end_w = max(ws.end, src.bounds()[1] or ws.end)
        read = src.window(first, end_w, since, attributes=attributes)
        rows = read["orders"]
    firsts = read["firsts"]
    return _Window(lo_w, first, end_w, rows, firsts, Prepared(_window(rows, firsts, first)),
                   read.get("attributes"))


@dataclass(frozen=True)
class _Window:
    """The orders read for `period_history`: months from `lo` (its first day `first`) to
    `end`, as read (`rows`, and `firsts`: the first orders of the cohorts just before) and
    prepared, and the attributes of its customers when they were read with it."""

    lo: int
    first: dt.date
    end: dt.date
    rows: pl.DataFrame
    firsts: pl.DataFrame
    prepared: Prepared
    attributes: pl.DataFrame | None = None  # of the customers with an order from `first`


def _window(rows: pl.DataFrame, firsts: pl.DataFrame, first: dt.date) -> pl.DataFrame:
    """A `Prepared.frame` for the periods whose `_relevant` rows lie in the window of
    `rows`, every order of [first, end] with its customer's summary (first month of the
    window: a month's first day), plus one row per first-ever order before `first` of the
    customers in `firsts` (the cohorts m1/m3 count, `_relevant`'s third kind of row).

    Within the window every column is the full history's: seq is 0 or 1 for the customer's
    first and second order by the summary, else 2 (nothing reads more than seq >= 1);
    prev_day is the previous order in the window or, for an order that is not the first-ever,
    a day before the window (all `_kpi_table` asks is whether it is before the period);
    next_day is the next order up to `end` (later orders are not read, nor needed: they are
    after the period); new_month is exact because the window starts on a month's first day.
    Customer attributes, when `rows` has them, ride along as columns, so splits need no
    join."""
    cid, day = pl.col("customer_id"), pl.col("day")
    same_prev = (cid == cid.shift(1)).fill_null(False)
    same_next = (cid == cid.shift(-1)).fill_null(False)
    attrs = ({"acquisition_channel": pl.col("acquisition_channel").cast(pl.String),
              "follows_on_social": pl.col("follows_on_social").cast(pl.Boolean)}
             if "follows_on_social" in rows.columns else {})
    before = first - dt.timedelta(days=1)
    # (ordered_at, seq) is the history's order wherever it matters: of orders at one time
    # the first-ever comes first, then the second; the order of later ones at one time
    # changes no figure (same day, same month). Customers are put together by a hash of
    # their id (numbers sort several times faster than text), by the text on a clash.
    h = _customer_hash(cid)
    ordered = rows.with_columns(_h=h).sort("_h", "ordered_at", "seq").drop("_h")
    if ordered.select(((h == h.shift(1)) & (cid != cid.shift(1))).any()).item():
        ordered = rows.sort("customer_id", "ordered_at", "seq")
    inside = (
        ordered.lazy()
        .with_columns(day=pl.col("ordered_at").dt.date(), seq=pl.col("seq").cast(pl.Int64),
                      first_day=pl.col("first_ordered_at").dt.date())
        .with_columns(month=_period_index(day, "month"),
                      cohort=_period_index(pl.col("first_day"), "month"))
        .select(
            "customer_id",
            cust="customer_id",
            day="day",
            revenue=pl.col("revenue").cast(pl.Float64),
            channel=pl.col("channel").cast(pl.String),
            seq="seq",
            first_day="first_day",
            prev_day=pl.when(same_prev).then(day.shift(1))
            .when(pl.col("seq") != 0).then(pl.lit(before)),
            next_day=pl.when(same_next).then(day.shift(-1)),
            month="month",
            cohort="cohort",
            new_month=~same_prev | (pl.col("month") != pl.col("month").shift(1)),
            **attrs,
        )
    )
    first_day = pl.col("first_ordered_at").dt.date()
    cohorts = firsts.lazy().select(
        "customer_id",
        cust="customer_id",
        day=first_day,
        revenue=pl.col("first_revenue").cast(pl.Float64),
        channel=pl.col("first_channel").cast(pl.String),
        seq=pl.lit(0, pl.Int64),
        first_day=first_day,
        prev_day=pl.lit(None, pl.Date),
        next_day=pl.lit(None, pl.Date),
        month=_period_index(first_day, "month"),
        cohort=_period_index(first_day, "month"),
        new_month=pl.lit(True),
        **attrs,
    )
    return pl.concat([inside, cohorts], how="vertical_relaxed").collect()


def cohorts_long(ws: Workspace, *, grain: Grain = "month", measure: Measure = "customers",
                 since: dt.date | None = None) -> pl.DataFrame | None:
    """`cohort_matrix_long` of the workspace's orders up to its end; on a source that keeps
    summaries from the stored cohort cells of the complete periods and the orders of the
    period of `end` only (the cells of that period count orders up to `end`). None when
    orders are absent."""
    if not _keeps_summaries(ws):
        prepared = prepared_history(ws)
        return None if prepared is None else cohort_matrix_long(
            prepared, until=ws.end, grain=grain, measure=measure, since=since)
    if not ws.has("orders"):
        return None
    if measure not in ("customers", "revenue"):
        raise ValueError(f"measure must be 'customers' or 'revenue', got {measure!r}")
    last = _index_of(ws.end, grain)
    low = -(2**31) if since is None else _index_of(since, grain)
    src: Any = ws.source
    start = pl.select(_period_start(pl.lit(last, pl.Int32), grain)).item()
    # the running period's cells, counted by the database per day of the first orders (a
    # customer's first day is one, so the days of a cohort add up to its customers)
    recent = src.cohort_recent(start, ws.end).lazy().select(
        "customers", "revenue", cohort=_period_index(pl.col("first_day"), grain),
    ).filter(pl.col("cohort") >= low).group_by("cohort").agg(
        k=pl.lit(last, pl.Int32) - pl.col("cohort").first(),
        customers=pl.col("customers").sum(),
        revenue=pl.col("revenue").sum(),
    )
    stored = src.cohort_cells(grain, low, last).lazy().select(
        "cohort", k=pl.col("period") - pl.col("cohort"), customers="customers",
        revenue="revenue")
    cells = pl.concat([
        stored.with_columns(pl.col("k").cast(pl.Int32), pl.col("customers").cast(pl.Int64)),
        recent.with_columns(pl.col("k").cast(pl.Int32), pl.col("customers").cast(pl.Int64)),
    ]).with_columns(pl.col("cohort").cast(pl.Int32))
    sizes = cells.filter(pl.col("k") == 0).select("cohort", cohort_size="customers")
    return _long_from_cells(sizes, cells, last, grain, measure)


def _counted(ws: Workspace) -> dict[str, pl.DataFrame] | None:
    """What the period's repeat figures count, from a source that keeps the counts
    (`DbSource.repeat_figures` where `counts_repeat_figures`: sums of the rows the store
    keeps per day and pair of days, no order held in the app); None for any other source,
    or when orders are absent. Shared by every workspace of the source, as orders carry no
    campaign or platform."""
    counts = getattr(ws.source, "repeat_figures", None)
    if (counts is None or not getattr(ws.source, "counts_repeat_figures", False)
            or not ws.has("orders")):
        return None
    return ws.shared_memo(  # type: ignore[no-any-return]
        "orders", ("repeat_figures", ws.start, ws.end), lambda: counts(ws.start, ws.end))


def _median_of_counts(values: pl.DataFrame) -> float | None:
    """The median of a multiset given as (days, customers) rows: the middle value, or the
    mean of the two middle ones, as Polars' `median` of the values one by one."""
    h = values.filter(pl.col("customers") > 0).sort("days")
    n = int(h["customers"].sum()) if h.height else 0
    if n == 0:
        return None
    upto = h["customers"].cum_sum()
    days = h["days"]

    def at(pos: int) -> float:  # the value at 0-based position `pos` of the sorted values
        return float(days[int(upto.search_sorted(pos + 1, side="left"))])

    return (at((n - 1) // 2) + at(n // 2)) / 2.0


def _retention_from_cells(ws: Workspace) -> dict[str, float | None]:
    """m1/m3 of the workspace's period from the cohort cells the source keeps: for each
    retention month m, cell (m − k, m) is cohort m − k's customers who ordered in m, and
    cell (c, c) is cohort c's size (every customer orders in their first month). The
    retention months end by `end`, so their cells count no order after it."""
    lo, hi = _retention_month_range(ws.start, ws.end)
    cells = ws.source.cohort_cells("month", lo - max(_KS), hi + 1)  # type: ignore[attr-defined]
    cohort, period, n = pl.col("cohort"), pl.col("period"), pl.col("customers")
    out: dict[str, float | None] = {}
    for k in _KS:
        row = cells.select(
            retained=n.filter(period.is_between(lo, hi) & (period - cohort == k)).sum(),
            size=n.filter(cohort.is_between(lo - k, hi - k) & (period == cohort)).sum(),
        ).row(0)
        out[f"m{k}_retention"] = ratio(row[0], row[1])
    return out


def _repeat_counted(ws: Workspace,
                    counted: dict[str, pl.DataFrame]) -> dict[str, float | int | None]:
    """`repeat_kpis` of the period from what the database counted (`_counted`) and the
    cohort cells: the same figures, by the definitions at the top of this module."""
    days, who = counted["days"], counted["customers"].row(0, named=True)
    orders = int(days["orders"].sum())
    revenue = float(days["revenue"].sum())
    customers = int(who["customers"])
    out: dict[str, float | int | None] = {
        "orders": orders,
        "revenue": revenue,
        "customers": customers,
        "repeat_purchase_rate": ratio(who["repeat_customers"], customers),
        "returning_customer_rate": ratio(who["returning_customers"], customers),
        "returning_revenue_share": ratio(float(days["returning_revenue"].sum()), revenue),
        "orders_per_customer": ratio(orders, customers),
        "median_days_to_second_order": _median_of_counts(counted["second"]),
    }
    out.update(_retention_from_cells(ws))
    return out


def _repeat(ws: Workspace) -> dict[str, float | int | None] | None:
    """`repeat_kpis` of the workspace's period, shared by every workspace of the source
    (orders carry no campaign or platform: the Goals page's campaigns share one). Counted
    by the database where the source does (`_counted`), else from the prepared orders."""

    def load() -> dict[str, float | int | None] | None:
        counted = _counted(ws)
        if counted is not None:
            return _repeat_counted(ws, counted)
        prepared = period_history(ws)
        return None if prepared is None else repeat_kpis(prepared, ws.start, ws.end)

    return ws.shared_memo("orders", ("repeat_kpis", ws.start, ws.end), load)  # type: ignore[no-any-return]


def _counts_splits(ws: Workspace) -> bool:
    """The source counts the splits of the repeat figures (`DbSource.repeat_split` where
    `counts_splits`)."""
    return (getattr(ws.source, "repeat_split", None) is not None
            and bool(getattr(ws.source, "counts_splits", False)))


def _medians(second: pl.DataFrame) -> pl.DataFrame:
    """group, median_days_to_second_order from (group, days, customers) rows."""
    groups = second["group"].unique().to_list()
    return pl.DataFrame(
        {"group": groups,
         "median_days_to_second_order": [
             _median_of_counts(second.filter(pl.col("group") == g).select("days", "customers"))
             for g in groups]},
        schema={"group": pl.String, "median_days_to_second_order": pl.Float64})


def _split_counted(ws: Workspace, by: SplitBy) -> pl.DataFrame:
    """`repeat_kpis_by` of the workspace's period from what the database counted
    (`DbSource.repeat_split`): the same frame, no order held in the app."""
    customer_attr = by != "channel"
    kind = "customer" if customer_attr else "channel"

    def read_counts() -> dict[str, pl.DataFrame]:
        lo, hi = _retention_month_range(ws.start, ws.end)
        months = pl.select(_period_start(pl.lit(lo, pl.Int32), "month"),
                           _period_start(pl.lit(hi, pl.Int32), "month").alias("hi")).row(0)
        return ws.source.repeat_split(  # type: ignore[attr-defined, no-any-return]
            ws.start, ws.end, kind, months, _KS, UNKNOWN)

    # one read of both customer attributes serves the splits by either
    read = ws.shared_memo("orders", ("retention", "split_counts", kind, ws.start, ws.end),
                          read_counts)
    if by == "follows_on_social":
        g = pl.col(by)
        label = (pl.when(g == "true").then(pl.lit(FOLLOWERS))
                 .when(g == "false").then(pl.lit(NON_FOLLOWERS)).otherwise(pl.lit(UNKNOWN)))
    else:
        label = pl.col(by if customer_attr else "group").fill_null(UNKNOWN)
    cells = read["cells"].with_columns(group=label)
    is_second = pl.col("second_day").is_not_null()
    second = cells.filter(is_second).select(
        "group", days=(pl.col("second_day").cast(pl.Int32)
                       - pl.col("first_day").cast(pl.Int32)).cast(pl.Int64),
        customers="orders")
    money = cells.group_by("group").agg(
        pl.col("shown").sum(), pl.col("orders").sum(), pl.col("revenue").sum(),
        pl.col("returning_revenue").sum(),
        second_orders=pl.col("orders").filter(is_second).sum(),
        **({"customers": pl.col("customers").sum(),
            "repeat_customers": pl.col("pairs").sum() - pl.col("middles").sum(),
            "returning_customers": pl.col("returning_later").sum()
            + pl.col("returning_new").sum(),
            **{f"m{k}_retained": pl.col(f"m{k}_retained").sum() for k in _KS}}
           if customer_attr else {}),
    ).join(_medians(second), on="group", how="left")
    sizes = [f"m{k}_cohort_customers" for k in _KS]
    if customer_attr:
        cohorts = read["cohorts"].with_columns(group=label).group_by("group").agg(
            pl.col(sizes).sum())
        out = money.join(cohorts, on="group", how="full", coalesce=True).filter(
            (pl.col("shown").fill_null(0) > 0)
            | pl.any_horizontal(pl.col(c).fill_null(0) > 0 for c in sizes))
    else:
        out = (money.filter(pl.col("shown") > 0)
               .join(read["customers"], on="group", how="left")
               .join(read["cohorts"], how="cross"))
    return _finish(out.lazy().drop("shown"))


def split(ws: Workspace, by: SplitBy) -> pl.DataFrame:
    """`repeat_kpis_by` of the workspace's period (orders carry no campaign or platform:
    shared by every workspace of the source): counted by the database where the source
    does (`_counts_splits`), else from the period's window of orders (`period_history`).
    Raises as `repeat_kpis_by` does when orders are absent."""

    def load() -> pl.DataFrame:
        if _counts_splits(ws) and ws.has("orders"):
            return _split_counted(ws, by)
        prepared = period_history(ws, attributes=by != "channel")
        if prepared is None:
            raise ValueError("splitting repeat KPIs needs orders")
        return repeat_kpis_by(prepared, None, ws.start, ws.end, by)

    return ws.shared_memo("orders", ("retention", "split", by, ws.start, ws.end), load)  # type: ignore[no-any-return]


def gap(ws: Workspace) -> pl.DataFrame:
    """`follower_gap` of the workspace's period, from `split` by follower status."""
    return _gap(split(ws, "follows_on_social"))


def second_order_days(ws: Workspace) -> pl.Series:
    """The days from first to second order of every customer whose second order is in
    the period (`days_to_second_order`'s days, in no particular order): from the counts
    of the database where it counts (`_counted`), else from the window of orders."""
    counted = _counted(ws)
    if counted is not None:
        return counted["second"].select(
            pl.col("days").repeat_by("customers").explode().drop_nulls())["days"]
    prepared = period_history(ws)
    if prepared is None:
        return pl.Series("days", [], pl.Int64)
    return days_to_second_order(prepared, ws.start, ws.end)["days"]


def period_orders(ws: Workspace) -> tuple[int, int] | None:
    """The period's orders and those of them with a channel; None when orders are
    absent. From the database's counts where it counts them (`_counted`)."""
    counted = _counted(ws)
    if counted is not None:
        days = counted["days"]
        return int(days["orders"].sum()), int(days["channel_orders"].sum())
    prepared = period_history(ws)
    if prepared is None:
        return None
    in_period = prepared.frame.lazy().filter(pl.col("day").is_between(ws.start, ws.end))
    n, with_channel = in_period.select(
        pl.len(), pl.col("channel").is_not_null().sum()).collect().row(0)
    return int(n), int(with_channel)


def _value(key: str) -> Callable[[Workspace], float | None]:
    """The repeat-sales KPI `key` of the workspace's period, from `repeat_kpis`."""

    def compute(ws: Workspace) -> float | None:
        values = _repeat(ws)
        if values is None or values[key] is None:
            return None
        return float(values[key])  # type: ignore[arg-type]

    compute.__name__ = key
    compute.__doc__ = f"The repeat-sales KPI {key!r} of the workspace's period."
    return compute


def _daily(ws: Workspace) -> pl.DataFrame | None:
    """Per day of the period: orders, revenue and revenue of non-first orders (zero-filled)."""

    def load() -> pl.DataFrame | None:
        days = pl.LazyFrame({"date": pl.date_range(ws.start, ws.end, eager=True)})
        counted = _counted(ws)
        if counted is not None:
            agg = counted["days"].lazy().select("date", "orders", "revenue",
                                                 "returning_revenue")
            return _zero_filled(days, agg)
        prepared = period_history(ws)
        if prepared is None:
            return None
        agg = (
            prepared.frame.lazy()
            .filter(pl.col("day").is_between(ws.start, ws.end))
            .group_by(pl.col("day").alias("date"))
            .agg(
                orders=pl.len().cast(pl.Int64),
                revenue=pl.col("revenue").sum(),
                returning_revenue=pl.col("revenue").filter(pl.col("seq") >= 1).sum(),
            )
        )
        return _zero_filled(days, agg)

    # shared by every workspace of the source, as `_repeat`
    return ws.shared_memo("orders", ("retention", "daily", ws.start, ws.end), load)  # type: ignore[no-any-return]


def _zero_filled(days: pl.LazyFrame, agg: pl.LazyFrame) -> pl.DataFrame:
    """`_daily`'s frame: every day of `days` with its sums, 0 where it has no order."""
    return (
        days.join(agg, on="date", how="left")
        .with_columns(
            pl.col("orders").fill_null(0).cast(pl.Int64),
            pl.exclude("date", "orders").fill_null(0.0),
        )
        .sort("date")
        .collect()
    )


def revenue_uplift(ws: Workspace) -> float | None:
    """Revenue in the period / revenue in the same number of days just before it − 1 (None
    when orders are absent or the days before have no revenue)."""
    prev = ws.period.previous()
    if _counted(ws) is not None:  # the daily sums the database counted, no orders read
        now_days, before_days = _daily(ws), _daily(ws.with_period(prev))
        if now_days is None or before_days is None:
            return None
        r = ratio(float(now_days["revenue"].sum()), float(before_days["revenue"].sum()))
        return None if r is None else r - 1.0
    prepared = period_history(ws)
    if prepared is None:
        return None
    earlier = period_history(ws.with_period(prev)) if _keeps_summaries(ws) else prepared
    if earlier is None:
        return None
    day, revenue = pl.col("day"), pl.col("revenue")
    now = prepared.frame.select(revenue.filter(day.is_between(ws.start, ws.end)).sum())
    before = earlier.frame.select(revenue.filter(day.is_between(prev.start, prev.end)).sum())
    r = ratio(now.item(), before.item())
    return None if r is None else r - 1.0


_RETENTION = Area("retention", ("orders",))
_REPEAT = ("repeat_sales",)
_BOTH = ("repeat_sales", "sales_spike")

KPIS: list[KPI] = [
    _RETENTION.kpi("orders", "Orders", "count", "higher", _BOTH, "Orders placed in the period.",
                   additive(_daily, "orders")),
    _RETENTION.kpi("revenue", "Revenue", "currency", "higher", _BOTH,
                   "Revenue of the orders placed in the period.", additive(_daily, "revenue")),
    _RETENTION.kpi("customers", "Customers", "count", "higher", _REPEAT,
                   "Distinct customers with an order in the period.", _value("customers")),
    _RETENTION.kpi("repeat_purchase_rate", "Repeat purchase rate", "ratio", "higher", _REPEAT,
                   "Of the period's customers, the share with two or more orders in the period.",
                   _value("repeat_purchase_rate")),
    _RETENTION.kpi("returning_customer_rate", "Returning customer rate", "ratio", "higher",
                   _REPEAT,
                   "Of the period's customers, the share who had ordered before their last "
                   "order in the period (the first order may be before the period).",
                   _value("returning_customer_rate")),
    _RETENTION.kpi("returning_revenue_share", "Returning revenue share", "ratio", "higher",
                   _REPEAT,
                   "Revenue from orders that are not the customer's first-ever order / all "
                   "revenue in the period.", ratio_of(_daily, "returning_revenue", "revenue")),
    _RETENTION.kpi("orders_per_customer", "Orders per customer", "number", "higher", _REPEAT,
                   "Orders / customers in the period.", _value("orders_per_customer")),
    _RETENTION.kpi("median_days_to_second_order", "Median days to second order", "days",
                   "lower", _REPEAT,
                   "Median calendar days from the first to the second order, over the "
                   "customers whose second order is in the period.",
                   _value("median_days_to_second_order")),
    _RETENTION.kpi("m1_retention", "Month-1 retention", "ratio", "higher", _REPEAT,
                   "Of the customers acquired in the month before each complete calendar month "
                   "of the period (the months ending in it, or else the last complete month "
                   "before its end), the share who ordered in that month (cohort-size "
                   "weighted).", _value("m1_retention")),
    _RETENTION.kpi("m3_retention", "Month-3 retention", "ratio", "higher", _REPEAT,
                   "Of the customers acquired three months before each complete calendar month "
                   "of the period (the months ending in it, or else the last complete month "
                   "before its end), the share who ordered in that month (cohort-size "
                   "weighted).", _value("m3_retention")),
    _RETENTION.kpi("revenue_uplift", "Revenue uplift", "ratio", "higher", ("sales_spike",),
                   "Revenue in the period / revenue in the same number of days before it − 1.",
                   revenue_uplift),
]
