"""Roles and what each may do (pure; the Streamlit side is smmkpi/ui/auth.py).

viewer: every page, and ad hoc review of uploads in their own session;
editor: also imports and target edits;
admin:  also user roles (and the audit log).
"""

from __future__ import annotations

from typing import Literal

Role = Literal["viewer", "editor", "admin"]
Action = Literal["view", "review_uploads", "import", "edit_targets", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "editor", "admin")

PERMISSIONS: dict[Role, frozenset[str]] = {
    "viewer": frozenset({"view", "review_uploads"}),
    "editor": frozenset({"view", "review_uploads", "import", "edit_targets"}),
    "admin": frozenset({"view", "review_uploads", "import", "edit_targets", "admin"}),
}


def allowed(role: Role | None, action: Action) -> bool:
    """Whether a role may do an action (no role: nothing)."""
    return role is not None and action in PERMISSIONS[role]
