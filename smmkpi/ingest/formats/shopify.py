"""Shopify orders export (`fmt="shopify_orders"`) into `orders` and `customers`.

Made in the Shopify admin: Orders, Export, CSV. Recognized by the columns `Name`,
`Financial Status`, `Created at`, `Total` and a `Lineitem ...` column. The export has one row
per line item and fills the order-level fields only on an order's first row. Produces `orders`
and `customers`:

- `order_id` = `Name` (e.g. `#1001`);
- `customer_id` = `Email` (lower-cased), else `Phone` / `Billing Phone`, else
  `guest:<Name>` (each guest order is its own customer);
- `ordered_at` = `Created at` (e.g. `2024-05-01 09:58:12 -0400`, converted to UTC);
- `revenue` = `Total` as exported (refunds are not subtracted);
- `channel` is left empty: Shopify's `Source` is the sales channel (`web`, `pos`), not the
  marketing channel;
- orders with a `Cancelled at` value are left out;
- `customers`: one row per customer_id, `first_seen` = the date of the customer's earliest
  order in this file, acquisition channel and social following empty.
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import (
    ROW,
    Format,
    Prepared,
    customers_from_orders,
    ignored,
    pick,
    text_or_null,
)


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Name, Financial Status, Created at, Total and a Lineitem column."""
    need = {"name", "financial status", "created at", "total"}
    return need <= cols.keys() and any(c.startswith("lineitem ") for c in cols)


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """One text row per order (its first line-item row), cancelled orders left out."""
    name, created, total = cols["name"], cols["created at"], cols["total"]
    email = pick(cols, "email")
    phone = pick(cols, "phone", "billing phone", "shipping phone")
    cancelled = pick(cols, "cancelled at")
    notes: list[str] = []
    # One row per order: its first row that carries the order-level fields.
    rows = raw.filter(pl.col(name).is_not_null())
    line_items = rows.height
    rows = (
        rows.with_columns(__lvl=pl.col(created).is_null() & pl.col(total).is_null())
        .sort([name, "__lvl", ROW], maintain_order=True)
        .unique(subset=[name], keep="first", maintain_order=True)
        .sort(ROW)
        .drop("__lvl")
    )
    notes.append(f"Shopify orders export: {line_items} line-item rows read as {rows.height} orders")
    if cancelled is not None:
        n_cancelled = rows.filter(pl.col(cancelled).is_not_null()).height
        if n_cancelled:
            rows = rows.filter(pl.col(cancelled).is_null())
            notes.append(f"{n_cancelled} cancelled orders ('{cancelled}' filled) left out")
    customer = pl.coalesce(
        text_or_null(email).str.to_lowercase(),
        text_or_null(phone),
        pl.lit("guest:") + pl.col(name),
    )
    guests = rows.filter(pl.coalesce(text_or_null(email), text_or_null(phone)).is_null()).height
    if guests:
        notes.append(
            f"{guests} orders have no Email or Phone: each counts as its own guest customer "
            "('guest:<order name>')"
        )
    orders = rows.select(
        pl.col(ROW),
        pl.col(name).alias("order_id"),
        customer.alias("customer_id"),
        pl.col(created).alias("ordered_at"),
        pl.col(total).alias("revenue"),
        pl.lit(None, dtype=pl.String).alias("channel"),
    )
    notes.append(
        "customers derived from the orders: first_seen is the earliest order in this file, "
        "acquisition channel and social following are left empty"
    )
    used = {name: "order_id", created: "ordered_at", total: "revenue"}
    if email is not None:
        used[email] = "customer_id"
    labels = {
        "order_id": name,
        "customer_id": email or "Email",
        "ordered_at": created,
        "revenue": total,
    }
    return Prepared({"orders": orders}, {"orders": labels}, ignored(raw, used), notes)


def finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    """The typed orders, and the customers derived from them (first_seen = earliest order)."""
    orders = typed["orders"]
    return {"orders": orders, "customers": customers_from_orders(orders)}


FORMAT = Format("shopify_orders", "orders", detect, prepare, finish,
                label="Shopify orders export",
                menu="Shopify admin → Orders → Export → CSV for Excel or plain CSV")
