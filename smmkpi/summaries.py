"""The summaries the store keeps beside the orders, so that no page reads the order history.

- `customer_summary`: per customer, their orders put in (ordered_at, order_id) order (the
  order `kpis.retention` numbers them in): the first (id, time, channel, revenue), the
  second (id, time), the last order's time, the count and revenue of all orders, the
  month and Monday week of the first order (the customer's cohorts), and the customer's
  acquisition channel and follower status (a copy of the customers dataset's).
- `cohort_cells`: per grain (month, week), cohort and period of that grain, the cohort's
  customers with an order in the period and its revenue in it.
- `repeat_days` and `repeat_pairs`: what the repeat-sales figures of any period count,
  whatever the number of orders (`store.read_repeat_figures`): per day the placed orders,
  the first-ever and second orders among them, those with a channel, their revenue and
  the revenue of the orders that are not first-ever; and per day of an order and day of
  its previous order (kind "previous"), of the one before that ("previous2"), or, for a
  second order, of the customer's first order ("first"), the number of such orders.

These are pure Polars transforms of order rows; the store (`store.write_frames`) applies
them in each import's transaction to the customers the import touched (their summaries
recomputed from all their orders; the cohort cells changed by the difference of those
customers' cells before and after), and `store.rebuild_summaries` to every order.
Timestamps are UTC (as `store.normalize` reads them); rows without a customer or a time
have no place in a history and are left out, as `kpis.retention.prepare` leaves them out.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl

from smmkpi.periods import EPOCH_MONDAY_SHIFT, month_index, week_index

Grain = Literal["month", "week"]
GRAINS: tuple[Grain, ...] = ("month", "week")

SUMMARY_SCHEMA: dict[str, pl.DataType] = {
    "customer_id": pl.String(),
    "first_order_id": pl.String(),
    "first_ordered_at": pl.Datetime("us", "UTC"),
    "first_channel": pl.String(),
    "first_revenue": pl.Float64(),
    "second_order_id": pl.String(),
    "second_ordered_at": pl.Datetime("us", "UTC"),
    "last_ordered_at": pl.Datetime("us", "UTC"),
    "orders": pl.Int64(),
    "revenue": pl.Float64(),
    "cohort_month": pl.Int32(),
    "cohort_week": pl.Int32(),
    "acquisition_channel": pl.String(),
    "follows_on_social": pl.Boolean(),
}
ATTRIBUTES = ("acquisition_channel", "follows_on_social")  # copied from the customers dataset
CELL_SCHEMA: dict[str, pl.DataType] = {
    "grain": pl.String(),
    "cohort": pl.Int32(),
    "period": pl.Int32(),
    "customers": pl.Int64(),
    "revenue": pl.Float64(),
}


def period_of(ts: pl.Expr, grain: Grain) -> pl.Expr:
    """The month or week number of a UTC timestamp expression."""
    day = ts.dt.date()
    return month_index(day) if grain == "month" else week_index(day)


def period_start(index: int, grain: Grain) -> dt.date:
    """The first day of month or week number `index`."""
    if grain == "month":
        return dt.date(index // 12, index % 12 + 1, 1)
    return dt.date(1970, 1, 1) + dt.timedelta(days=index * 7 - EPOCH_MONDAY_SHIFT)


def customer_rows(orders: pl.DataFrame, customers: pl.DataFrame | None = None) -> pl.DataFrame:
    """One `customer_summary` row per customer of `orders` (columns order_id, customer_id,
    ordered_at UTC, revenue, channel), which must hold *every* order of those customers,
    with their acquisition channel and follower status from `customers` (null for a
    customer not in it), so that splits by them need no join with the customers table."""
    ts = pl.col("ordered_at")
    attrs = (customers.lazy().select(pl.col("customer_id").cast(pl.String),
                                     pl.col("acquisition_channel").cast(pl.String),
                                     pl.col("follows_on_social").cast(pl.Boolean))
             .unique("customer_id", keep="last") if customers is not None else
             pl.LazyFrame(schema={"customer_id": pl.String, "acquisition_channel": pl.String,
                                  "follows_on_social": pl.Boolean}))
    return (
        orders.lazy()
        .select("customer_id", "order_id", ts, pl.col("revenue").cast(pl.Float64),
                pl.col("channel").cast(pl.String))
        .drop_nulls(["customer_id", "ordered_at"])
        .sort("customer_id", "ordered_at", "order_id")
        .group_by("customer_id", maintain_order=True)
        .agg(
            first_order_id=pl.col("order_id").first(),
            first_ordered_at=ts.first(),
            first_channel=pl.col("channel").first(),
            first_revenue=pl.col("revenue").first(),
            second_order_id=pl.col("order_id").slice(1, 1).first(),
            second_ordered_at=ts.slice(1, 1).first(),
            last_ordered_at=ts.last(),
            orders=pl.len().cast(pl.Int64),
            revenue=pl.col("revenue").sum(),
        )
        .with_columns(
            cohort_month=period_of(pl.col("first_ordered_at"), "month"),
            cohort_week=period_of(pl.col("first_ordered_at"), "week"),
        )
        .join(attrs, on="customer_id", how="left", maintain_order="left")
        .select(list(SUMMARY_SCHEMA))
        .collect()
    )


PLACES = ("customer_seq", "first_ordered_at", "previous_ordered_at", "previous2_ordered_at")


def with_places(orders: pl.DataFrame) -> pl.DataFrame:
    """`orders` (any columns with order_id, customer_id, ordered_at), in their order, with
    each order's place in its customer's history (`PLACES`), the customer's orders put in
    (ordered_at, order_id) order as `customer_rows` puts them: customer_seq 0 for the
    first, 1 for the second, 2 for a later one; first_ordered_at, the customer's first
    order time; previous_ordered_at and previous2_ordered_at, the times of the customer's
    order just before it and of the one before that (null where there is none: an order
    appended after a customer's last one changes no earlier order's places). All null for an
    order without a customer or a time. `orders` must hold every order of its customers
    (the store keeps these on the order rows: `models.ORDER_PLACES`).

    One sort of the placed orders, the places read off neighbouring rows, and a sort back
    by row number: no grouping per customer and no join."""
    ts, cid = pl.col("ordered_at"), pl.col("customer_id")
    placed = cid.is_not_null() & ts.is_not_null()
    rows = orders.lazy().select("customer_id", "order_id", "ordered_at").with_row_index("_row")
    same1 = (cid == cid.shift(1)).fill_null(False)  # the row before is the same customer's
    ranked = (
        rows.filter(placed)
        .sort("customer_id", "ordered_at", "order_id")
        .select(
            "_row",
            customer_seq=pl.when(~same1).then(0)
            .when(~(cid == cid.shift(2)).fill_null(False)).then(1).otherwise(2)
            .cast(pl.Int16),
            first_ordered_at=pl.when(~same1).then(ts).forward_fill(),
            previous_ordered_at=pl.when(same1).then(ts.shift(1)),
            previous2_ordered_at=pl.when(cid.shift(2) == cid).then(ts.shift(2)),
        )
    )
    stamp = orders.schema["ordered_at"]
    unplaced = rows.filter(~placed).select(
        "_row", customer_seq=pl.lit(None, pl.Int16),
        **{c: pl.lit(None, stamp) for c in PLACES[1:]})
    places = pl.concat([ranked, unplaced]).sort("_row").drop("_row").collect()
    return orders.drop(PLACES, strict=False).hstack(places)


REPEAT_DAY_SCHEMA: dict[str, pl.DataType] = {
    "day": pl.Date(),
    "orders": pl.Int64(),
    "first_orders": pl.Int64(),
    "second_orders": pl.Int64(),
    "channel_orders": pl.Int64(),
    "revenue": pl.Float64(),
    "returning_revenue": pl.Float64(),
}
PAIR_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),
    "day": pl.Date(),
    "since": pl.Date(),
    "orders": pl.Int64(),
}
# the kinds of `repeat_pairs` and the place whose day each pairs with the order's day
PAIR_KINDS = {"previous": "previous_ordered_at", "previous2": "previous2_ordered_at",
              "first": "first_ordered_at"}  # "first": second orders only


def repeat_day_rows(placed: pl.DataFrame) -> pl.DataFrame:
    """`repeat_days` rows (`REPEAT_DAY_SCHEMA`) of orders with their places (`PLACES`,
    revenue, channel, ordered_at UTC): per UTC day, of the orders with a place. Exact for
    the days whose every placed order is in `placed`."""
    seq = pl.col("customer_seq")
    return (
        placed.lazy().filter(seq.is_not_null())
        .group_by(day=pl.col("ordered_at").dt.date())
        .agg(orders=pl.len().cast(pl.Int64),
             first_orders=(seq == 0).sum().cast(pl.Int64),
             second_orders=(seq == 1).sum().cast(pl.Int64),
             channel_orders=pl.col("channel").is_not_null().sum().cast(pl.Int64),
             revenue=pl.col("revenue").cast(pl.Float64).sum(),
             returning_revenue=pl.col("revenue").cast(pl.Float64).filter(seq >= 1).sum())
        .select(list(REPEAT_DAY_SCHEMA)).sort("day").collect()
    )


def pair_rows(placed: pl.DataFrame) -> pl.DataFrame:
    """`repeat_pairs` rows (`PAIR_SCHEMA`) of orders with their places: per kind
    (`PAIR_KINDS`), UTC day of the order and UTC day of its previous order, of the one
    before that, or (second orders) of the customer's first order, the number of orders.
    Exact for the days whose every placed order is in `placed`."""
    seq = pl.col("customer_seq")
    lf = placed.lazy().filter(seq.is_not_null())
    parts = [
        (lf.filter(seq == 1) if kind == "first" else lf).filter(pl.col(col).is_not_null())
        .group_by(day=pl.col("ordered_at").dt.date(), since=pl.col(col).dt.date())
        .agg(orders=pl.len().cast(pl.Int64))
        .select(pl.lit(kind).alias("kind"), "day", "since", "orders")
        for kind, col in PAIR_KINDS.items()
    ]
    return pl.concat(parts).sort("kind", "day", "since").collect()


def cell_rows(orders: pl.DataFrame, grain: Grain) -> pl.DataFrame:
    """`cohort_cells` rows of one grain from orders (customer_id, ordered_at UTC, revenue)
    with their customer's `cohort_month` and `cohort_week`: for every (cohort, period) the
    distinct customers and the revenue. Exact for the periods whose every order is in
    `orders`."""
    return (
        orders.lazy()
        .drop_nulls(["customer_id", "ordered_at"])
        .group_by(
            cohort=pl.col(f"cohort_{grain}").cast(pl.Int32),
            period=period_of(pl.col("ordered_at"), grain),
        )
        .agg(customers=pl.col("customer_id").n_unique().cast(pl.Int64),
             revenue=pl.col("revenue").cast(pl.Float64).sum())
        .select(pl.lit(grain).alias("grain"), "cohort", "period", "customers", "revenue")
        .sort("cohort", "period")
        .collect()
    )
