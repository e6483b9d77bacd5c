"""Rules of the code's shape that a test can hold: no Python callbacks inside Polars on
any path the app runs, and none of the Polars calls with a known crash."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_FILES = sorted([ROOT / "app.py", ROOT / "serve.py", *(ROOT / "pages").glob("*.py"),
                    *(ROOT / "smmkpi").rglob("*.py")])

# Polars calls that run a Python function on Polars' own threads: while a page holds
# Python's lock waiting for Polars (a table converted for display), those threads wait
# for the lock, and the server froze with five viewers.
PYTHON_CALLBACKS = {"map_elements", "map_batches", "map_groups", "map_rows", "apply",
                    "register_io_source", "pipe_with_schema"}
# pl.format panics on some plans (pola-rs/polars#25339, #25525): formatting.template
CRASHING = {"format"}


def _calls(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            owner = node.func.value
            if name in PYTHON_CALLBACKS:
                out.append((node.lineno, name))
            if name in CRASHING and isinstance(owner, ast.Name) and owner.id == "pl":
                out.append((node.lineno, f"pl.{name}"))
    return out


@pytest.mark.parametrize("path", APP_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_python_callbacks_inside_polars(path):
    found = _calls(path)
    assert not found, f"{path.relative_to(ROOT)}: {found}"
