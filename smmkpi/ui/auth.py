"""Who is using the app and what they may do.

Local mode (no `[auth]` section in .streamlit/secrets.toml): one local user with every
right, said in the sidebar. Hosted mode (OpenID Connect via st.login) is added by the
hosting work; pages only ever ask `can(action)` and `actor()`.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from smmkpi.roles import Action, Role, allowed


@dataclass(frozen=True)
class User:
    email: str | None
    name: str
    role: Role | None
    local: bool


LOCAL_USER = User(email=None, name="local user", role="admin", local=True)


def current_user() -> User:
    return st.session_state.get("_smmkpi_user", LOCAL_USER)


def can(action: Action) -> bool:
    """May the current user do this? Pages hide controls the user may not use."""
    return allowed(current_user().role, action)


def actor() -> str:
    """The name written to the audit log for the current user's changes."""
    u = current_user()
    return u.email or u.name
