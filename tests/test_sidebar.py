"""The sidebar: platform names as people write them, and links in any case."""

from __future__ import annotations

import pytest
from pagetools import ROOT
from streamlit.testing.v1 import AppTest

from smmkpi import datasets as ds


def _sidebar_run(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_platform_options_read_as_people_write_them(app_env):
    at = _sidebar_run({})
    box = next(m for m in at.sidebar.multiselect if m.label == "Platforms")
    assert box.options == ["Facebook", "Instagram", "X", "LinkedIn", "TikTok", "YouTube"]


@pytest.mark.parametrize("typed, expected", [
    ("instagram", ("instagram",)), ("INSTAGRAM", ("instagram",)), ("Instagram", ("instagram",)),
    ("tiktok", ("tiktok",)), ("Tiktok", ("tiktok",)), ("TikTok", ("tiktok",)), ("x", ("x",)),
    ("myspace", ()),
])
def test_a_platform_in_the_url_selects_it_in_any_case(app_env, typed, expected):
    at = _sidebar_run({"platform": typed})
    assert at.session_state["_smmkpi_context"].filters.platforms == expected


def test_platform_labels_and_ids():
    assert ds.platform_label("tiktok") == "TikTok" and ds.platform_label("x") == "X"
    assert ds.platform_label("mastodon") == "Mastodon"
    assert ds.platform_id(" LinkedIn ") == "linkedin" and ds.platform_id("nope") is None
