"""WooCommerce orders into `orders` and `customers`: the Analytics download
(`fmt="woocommerce_orders"`) and the order export of the "Order Export & Order Import for
WooCommerce" plugin (`fmt="woocommerce_order_export"`).

**Analytics download** (WordPress admin → WooCommerce → Analytics → Orders, pick the date
range, Download): recognized by `Order #`, `Status`, `Customer` and `Net Sales`. One row
per order:

- `order_id` = `Order #`; `ordered_at` = `Date`; `revenue` = `Net Sales` (WooCommerce's
  net sales: after discounts and refunds, without shipping and taxes);
- `customer_id` = `Customer` as written, lower-cased (the download names customers, it has
  no e-mail or id: two customers of the same name count as one, a note says so);
- `channel` = `Attribution` (WooCommerce 8.5+ order attribution, e.g. `Organic: Google`,
  `Referral: Facebook.com`, `Source: newsletter`), `Unknown` as empty.

**Plugin export** (WooCommerce → Order Export → Export, CSV): recognized by
`order_number` (or `order_id`), `order_date`, `status` and `order_total`; `customer_id` =
`customer_email` (or `billing_email`, lower-cased), else the plugin's `customer_id`, else
`guest:<order number>`; `revenue` = `order_total`; `channel` empty (the utm columns are
only written by attribution add-ons: `_wc_order_attribution_utm_source` is read when there).

Both: orders whose status is Cancelled, Failed, Pending payment, Draft, Checkout draft,
Refunded or Trash are left out with a note (WooCommerce's own reports leave them out);
`customers` has one row per customer, `first_seen` = the date of the customer's earliest
order in this file, acquisition channel and social following empty.
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import (
    ROW,
    Format,
    Prepared,
    RawProblem,
    customers_from_orders,
    ignored,
    pick,
    text_or_null,
)

_LEFT_OUT = ("cancelled", "canceled", "failed", "pending", "pending payment", "draft",
             "checkout draft", "checkout-draft", "refunded", "trash", "wc-cancelled",
             "wc-failed", "wc-pending", "wc-refunded", "wc-checkout-draft")


def detect_analytics(cols: dict[str, str], preamble: list[str]) -> bool:
    """Order #, Status, Customer and Net Sales."""
    return {"order #", "status", "customer", "net sales"} <= cols.keys()


def detect_export(cols: dict[str, str], preamble: list[str]) -> bool:
    """order_number or order_id, with order_date, status and order_total."""
    return (("order number" in cols or "order id" in cols)
            and {"order date", "status", "order total"} <= cols.keys())


def _kept(raw: pl.DataFrame, status: str, notes: list[str]) -> pl.DataFrame:
    """The orders without the statuses WooCommerce's reports leave out, with a note."""
    low = pl.col(status).str.strip_chars().str.to_lowercase()
    out = low.is_in(list(_LEFT_OUT)).fill_null(False)
    gone = raw.filter(out)
    if gone.height:
        kinds = ", ".join(sorted(set(gone.get_column(status).str.strip_chars().to_list())))
        notes.append(f"{gone.height} {'order' if gone.height == 1 else 'orders'} with status "
                     f"{kinds} left out (not revenue)")
    return raw.filter(~out)


def _orders(raw: pl.DataFrame, order: str, date: str, customer: pl.Expr, revenue: str,
            channel: pl.Expr) -> pl.DataFrame:
    """The orders text frame in the dataset's column order."""
    return raw.select(
        pl.col(ROW), pl.col(order).str.strip_chars().alias("order_id"),
        customer.alias("customer_id"), pl.col(date).alias("ordered_at"),
        pl.col(revenue).alias("revenue"), channel.alias("channel"),
    )


_CUSTOMERS_NOTE = ("customers derived from the orders: first_seen is the earliest order in "
                   "this file, acquisition channel and social following are left empty")


def prepare_analytics(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The Analytics download's orders as text, statuses left out as WooCommerce does."""
    order, status, customer, net = (cols["order #"], cols["status"], cols["customer"],
                                    cols["net sales"])
    date = pick(cols, "date", "order date", "date created")
    notes = ["WooCommerce Analytics orders download"]
    problems: list[RawProblem] = []
    if date is None:
        problems.append((None, "Date", None, "this WooCommerce Analytics orders download has "
                         "no 'Date' column: download it again from Analytics → Orders with "
                         "the Date column shown"))
        date = order
    raw = _kept(raw, status, notes)
    attribution = pick(cols, "attribution", "origin")
    channel = text_or_null(attribution)
    if attribution is not None:
        channel = (pl.when(channel.str.strip_chars().str.to_lowercase().is_in(["unknown", ""]))
                   .then(pl.lit(None, dtype=pl.String)).otherwise(channel.str.strip_chars()))
    notes.append("customers are identified by the name in 'Customer' (the download has no "
                 "e-mail): two customers of the same name count as one")
    notes.append(_CUSTOMERS_NOTE)
    frame = _orders(raw, order, date, pl.col(customer).str.strip_chars().str.to_lowercase(),
                    net, channel)
    used = {order: "order_id", customer: "customer_id", date: "ordered_at", net: "revenue"}
    if attribution is not None:
        used[attribution] = "channel"
    labels = {"order_id": order, "customer_id": customer, "ordered_at": date, "revenue": net,
              "channel": attribution or "Attribution"}
    return Prepared({"orders": frame}, {"orders": labels}, ignored(raw, used), notes, problems)


def prepare_export(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The plugin's order export as orders text."""
    order = pick(cols, "order number") or cols["order id"]
    date, status, total = cols["order date"], cols["status"], cols["order total"]
    email = pick(cols, "customer email", "billing email")
    cust = pick(cols, "customer id", "customer user")
    source = pick(cols, "wc order attribution utm source", "utm source")
    notes = ["WooCommerce order export (Order Export & Order Import plugin)"]
    raw = _kept(raw, status, notes)
    numbered = pl.col(cust).str.strip_chars() if cust else None
    if numbered is not None:  # 0 is the plugin's "guest"
        numbered = pl.when(numbered.is_in(["0", ""])).then(None).otherwise(numbered)
    customer = pl.coalesce(
        text_or_null(email).str.strip_chars().str.to_lowercase(),
        numbered if numbered is not None else pl.lit(None, dtype=pl.String),
        pl.lit("guest:") + pl.col(order).str.strip_chars(),
    )
    notes.append(_CUSTOMERS_NOTE)
    frame = _orders(raw, order, date, customer, total, text_or_null(source))
    used = {order: "order_id", date: "ordered_at", total: "revenue"}
    for h, c in ((email, "customer_id"), (source, "channel")):
        if h is not None:
            used[h] = c
    labels = {"order_id": order, "customer_id": email or cust or order, "ordered_at": date,
              "revenue": total, "channel": source or "utm_source"}
    return Prepared({"orders": frame}, {"orders": labels}, ignored(raw, used), notes)


def finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    """The typed orders, and the customers derived from them (first_seen = earliest order)."""
    orders = typed["orders"]
    return {"orders": orders, "customers": customers_from_orders(orders)}


ANALYTICS = Format("woocommerce_orders", "orders", detect_analytics, prepare_analytics, finish,
                   label="WooCommerce Analytics orders download",
                   menu="WordPress admin → WooCommerce → Analytics → Orders → Download",
                   total_of=("net sales",))
EXPORT = Format("woocommerce_order_export", "orders", detect_export, prepare_export, finish,
                label="WooCommerce order export",
                menu="WordPress admin → WooCommerce → Order Export → Export → CSV",
                total_of=("order total",))
