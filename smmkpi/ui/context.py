"""The context of the current run for the pages: `current()` returns what the sidebar
built, after making sure the page runs inside app.py's frame (`ensure_frame`).

The layers inside `smmkpi/ui/`: `sidebar` (the sidebar and its `Context`) <- `shell` (page
config, login gate, navigation) <- `context` (what pages call). No module imports one
above it."""

from __future__ import annotations

import streamlit as st

from smmkpi.ui.shell import setup
from smmkpi.ui.sidebar import (  # re-exported for the pages
    CTX_KEY,
    REVIEW_KEY,
    UPLOAD_SOURCE_KEY,
    Context,
    render_sidebar,
)

__all__ = ["CTX_KEY", "REVIEW_KEY", "UPLOAD_SOURCE_KEY", "Context", "current", "ensure_frame"]


def ensure_frame() -> None:
    """Make sure a page runs inside app.py's frame (navigation, sidebar, page config).

    Streamlit decides per process, before any script ran, that an app with a `pages/`
    folder starts in the legacy multipage mode (PagesManager.uses_pages_directory), and
    only a run that calls st.navigation ends it (AppTest resets it on every run). In that
    mode a link straight to a page (a shared /traffic?range=...) runs the page file alone:
    no page config, no sidebar, the legacy page list. The page then builds the frame
    itself (st.navigation switches the mode off) and carries on in the same run, so
    widget events such as a button click are not lost to a rerun.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        setup()


def current() -> Context:
    """The context the sidebar built in this run (pages call this)."""
    ensure_frame()
    ctx = st.session_state.get(CTX_KEY)
    if ctx is None:
        ctx = render_sidebar()
    return ctx
