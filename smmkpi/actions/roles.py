"""Changing the roles admins set on the Admin page: checked by `smmkpi.roles`, stored with
an audit row (`smmkpi.store`), answered with a sentence saying what changed."""

from __future__ import annotations

from sqlalchemy import Engine

from smmkpi import store
from smmkpi.roles import AllowList, validate_override


def set_role(engine: Engine, principal: str, value: str, *, editor_email: str | None,
             allow: AllowList, actor: str) -> str:
    """Store a rule (role or 'none') for an email or @domain; audited. Returns a sentence
    saying what changed. ValueError when the rule is refused (`validate_override`)."""
    who, value = validate_override(principal, value, editor_email=editor_email, allow=allow)
    before = store.role_overrides(engine).get(who)
    if before == value:
        return f"{who} already is {value}; nothing changed."
    change = f"{who}: {before or 'no rule'} → {value}"
    store.put_role(engine, who, value, actor=actor, detail=change, replaces=before is not None)
    return f"{change}."


def remove_role(engine: Engine, principal: str, *, editor_email: str | None,
                actor: str) -> str:
    """Delete a rule (the secrets allow-list applies again); audited. Returns a sentence
    saying what changed. ValueError when it is the editing admin's own email."""
    who = principal.strip().lower()
    before = store.role_overrides(engine).get(who)
    if before is None:
        return f"There is no rule for {who}."
    if editor_email and who == editor_email.strip().lower():
        raise ValueError("you cannot change your own role; ask another admin")
    store.delete_role(engine, who, actor=actor, detail=f"{who}: {before} → rule removed")
    return f"Removed the rule for {who} ({before})."
