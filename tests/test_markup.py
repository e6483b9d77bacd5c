"""Text from data is shown as text: no links, images or markup from a campaign name, a
journey path, a file name or a URL parameter (Markdown in Streamlit, HTML in Plotly)."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest

from smmkpi import charts
from smmkpi.ui.components import WORD_JOINER, md_escape

HOSTILE = [
    "[tp](https://evil.example/tp)",
    "![img](https://evil.example/i.png)",
    "https://evil.example/auto",
    "www.evil.example",
    "mail@evil.example",
    "<a href='https://evil.example'>x</a>",
    "<img src=https://evil.example/i.png>",
    "=HYPERLINK(\"https://evil.example\")",
]


def _markdown_links(text: str) -> list[str]:
    """What a CommonMark/GFM renderer would link in `text` (the patterns it acts on)."""
    import re

    unescaped = re.sub(r"\\(.)", "", text)  # an escaped character is never markup
    found = re.findall(r"\]\(", unescaped) + re.findall(r"<[a-z]", unescaped)
    found += re.findall(r"(?i)(?:https?|ftp)://|www\.|[\w.+-]@[\w-]+\.", text)
    return found


@pytest.mark.parametrize("value", HOSTILE)
def test_md_escape_leaves_nothing_a_renderer_links(value):
    out = md_escape(value)
    assert not _markdown_links(out), out
    assert out.replace("\\", "").replace(WORD_JOINER, "") == value  # reads as typed


@pytest.mark.parametrize("value", HOSTILE)
def test_figures_show_data_as_text(value):
    fig = go.Figure(go.Bar(x=[value, "ok"], y=[1, 2], name=value, text=[value, "a<br>b"]))
    fig.update_layout(title=f"Sessions per platform<br><sup>{value}</sup>")
    out = json.dumps(charts.sanitize(fig).to_plotly_json(), default=str)
    assert "<a" not in out and "<img" not in out
    assert "a<br>b" in out and "<sup>" in out  # the builders' own formatting stays
