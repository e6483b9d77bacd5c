"""Changing the app's settings (Admin page): checked values stored with an audit entry."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine

from smmkpi import config, store


def save_settings(engine: Engine, typed: Mapping[str, str], current: config.Settings,
                  defaults: config.Settings, *, actor: str) -> list[str]:
    """Store the settings whose typed value differs from the current one; a value equal to
    the environment's default removes the stored override. Raises ValueError naming the
    setting when a value is not valid (nothing stored then). Returns what changed, in
    words, for the confirmation and the audit detail."""
    values: dict[str, str | None] = {}
    said: list[str] = []
    for key, raw in typed.items():
        parsed = config.parse_setting(key, raw)
        if parsed == getattr(current, key):
            continue
        label = config.EDITABLE[key].label
        values[key] = None if parsed == getattr(defaults, key) else raw.strip()
        said.append(f"{label}: {getattr(current, key)} → {parsed}")
    if values:
        store.put_settings(engine, values, actor=actor, detail="; ".join(said))
    return said
