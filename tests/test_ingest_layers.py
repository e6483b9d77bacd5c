"""The layering of smmkpi.ingest, read from its source: what each part may import.

- the package imports only `smmkpi.datasets`, `smmkpi.config`, `smmkpi.formatting` and
  itself from the project, and never streamlit;
- a format module (`smmkpi/ingest/formats/*.py`) imports only `smmkpi.ingest.core` from the
  project, so that adding a format is adding one module;
- `smmkpi.ingest.core` imports nothing else of the package (formats import it, never the
  other way round).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "smmkpi" / "ingest"
FILES = sorted(PACKAGE.rglob("*.py"))
ALLOWED = {"smmkpi.datasets", "smmkpi.config", "smmkpi.formatting"}


def _imports(path: Path) -> set[str]:
    """Every module named by an import statement of the file (`from smmkpi import x` counts as
    smmkpi.x), wherever the statement is."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path.name}: relative import"
            out.add(node.module)
            if node.module in ("smmkpi", "smmkpi.ingest"):
                out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def _project(names: set[str]) -> set[str]:
    return {n for n in names if n == "smmkpi" or n.startswith("smmkpi.")}


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_ingest_imports_only_its_leaves(path):
    names = _imports(path)
    assert not {n for n in names if n.split(".")[0] == "streamlit"}
    bad = {
        n
        for n in _project(names)
        if n not in ALLOWED and n != "smmkpi.ingest" and not n.startswith("smmkpi.ingest.")
        and n != "smmkpi"
    }
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


@pytest.mark.parametrize(
    "path",
    [p for p in FILES if p.parent.name == "formats" and p.name != "__init__.py"],
    ids=lambda p: p.name,
)
def test_a_format_imports_only_the_core(path):
    assert _project(_imports(path)) <= {"smmkpi.ingest.core"}


def test_the_core_imports_no_other_part():
    assert _project(_imports(PACKAGE / "core.py")) == set()
