"""After a write to the stored data: a fresh run that sees it at once."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from smmkpi.ui import cache
from smmkpi.ui.context import CTX_KEY


def stored_data_changed() -> NoReturn:
    """The stored data changed: read the new data version now (not within 5 s), drop this
    session's context and rerun, so the sidebar and every cache see the new data.

    (A page run without app.py, Streamlit's legacy first-run path or AppTest after
    switch_page, reuses the stored context: dropping it makes that run read the new data
    version too.)"""
    cache.data_version.clear()
    st.session_state.pop(CTX_KEY, None)
    st.rerun()
