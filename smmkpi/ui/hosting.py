"""Whether the app runs hosted (logins, roles) or locally, read from Streamlit's secrets.

A module of its own, below everything else in `smmkpi/ui/`, so that error reporting
(`sections`) can ask without importing the login machinery."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError


def _secrets() -> Mapping[str, Any]:
    """st.secrets as a plain dict ({} when there is no secrets file)."""
    try:
        return st.secrets.to_dict()
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return {}


def auth_section() -> Mapping[str, Any]:
    section = _secrets().get("auth")
    return section if isinstance(section, Mapping) else {}


def hosted() -> bool:
    """Hosted mode: an `[auth]` section exists in secrets (Streamlit's own criterion for
    `st.user.is_logged_in`)."""
    return bool(auth_section())
