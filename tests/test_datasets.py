"""The dataset specs: the one source of truth for columns, keys and types."""

import polars as pl

from smmkpi import datasets as ds


def test_datasets_with_their_columns():
    # docs/data-formats.md: the column lists, in order
    expected = {
        "campaigns": "campaign_id name goal platform start_date end_date budget owner",
        "kpi_targets": "campaign_id kpi period_start period_end target",
        "social_daily": "date platform campaign_id impressions reach engagements link_clicks "
        "followers posts promo_posts spend new_followers page_views unique_visitors",
        "web_sessions": "date source medium campaign sessions engaged_sessions conversions revenue "
        "content",
        "journeys": "date path visitors conversions",
        "orders": "order_id customer_id ordered_at revenue channel",
        "customers": "customer_id acquisition_channel follows_on_social first_seen",
        "conversations": "conversation_id platform opened_at kind sentiment first_response_at "
        "resolved_at campaign_id",
        "mentions": "date platform positive neutral negative",
        "ad_spend": "date channel campaign spend impressions clicks conversions "
        "conversion_value currency opens",
        "posts": "platform post_id published_at format title url campaign_id utm_content "
        "is_promo impressions reach engagements likes comments shares saves link_clicks "
        "video_views",
        "annotations": "date title end_date campaign_id platform note",
    }
    assert {n: " ".join(d.names) for n, d in ds.DATASETS.items()} == expected


def test_keys_match_design():
    keys = {n: d.key for n, d in ds.DATASETS.items()}
    assert keys == {
        "campaigns": ("campaign_id",),
        "kpi_targets": ("campaign_id", "kpi", "period_start", "period_end"),
        "social_daily": ("date", "platform", "campaign_id"),
        "web_sessions": ("date", "source", "medium", "campaign", "content"),
        "journeys": ("date", "path"),
        "orders": ("order_id",),
        "customers": ("customer_id",),
        "conversations": ("conversation_id",),
        "mentions": ("date", "platform"),
        "ad_spend": ("date", "channel", "campaign"),
        "posts": ("platform", "post_id"),
        "annotations": ("date", "title"),
    }


def test_allowed_values():
    assert ds.get("campaigns").column("goal").values == (
        "traffic", "repeat_sales", "reputation", "advocacy", "sales_spike", "research",
        "support", "awareness")
    assert ds.get("conversations").column("kind").values == (
        "question", "complaint", "praise", "suggestion", "other")
    assert ds.get("conversations").column("sentiment").values == (
        "positive", "neutral", "negative")


def test_ad_spend_channels_are_the_ga4_channel_groups():
    from smmkpi.channels import CHANNEL_GROUPS

    assert ds.get("ad_spend").column("channel").values == tuple(
        g.lower() for g in CHANNEL_GROUPS)


def test_aliases_are_unique_within_a_dataset():
    for d in ds.DATASETS.values():
        seen: dict[str, str] = {}
        for c in d.columns:
            for a in (c.name, *c.aliases):
                norm = a.lower().replace(" ", "_")
                assert norm not in seen or seen[norm] == c.name, (d.name, a)
                seen[norm] = c.name


def test_empty_frame_has_spec_types():
    df = ds.get("orders").empty_frame()
    assert df.schema == pl.Schema({"order_id": pl.String, "customer_id": pl.String,
                                   "ordered_at": pl.Datetime("us", "UTC"),
                                   "revenue": pl.Float64, "channel": pl.String})

