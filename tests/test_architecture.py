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


# --- the layers (docs/architecture.md) --------------------------------------------------
# Each module may import modules of its own rank or below, never above; within a rank only
# modules of the same package (kpis.care -> kpis.audience). Prefixes name packages.
LAYERS: list[tuple[int, tuple[str, ...]]] = [
    (0, ("smmkpi.config", "smmkpi.formatting", "smmkpi.periods")),
    (1, ("smmkpi.datasets", "smmkpi.channels", "smmkpi.charts", "smmkpi.export",
         "smmkpi.roles")),
    (2, ("smmkpi.db", "smmkpi.models", "smmkpi.ingest", "smmkpi.demo", "smmkpi.summaries")),
    (3, ("smmkpi.store",)),
    (4, ("smmkpi.workspace",)),
    (5, ("smmkpi.kpis",)),
    (6, ("smmkpi.views", "smmkpi.actions", "smmkpi.report", "smmkpi.demo_targets")),
    (7, ("smmkpi.notify",)),
    (8, ("smmkpi.ui",)),
    (9, ("smmkpi.__main__",)),
]
# kpis compute from a workspace: they never reach for the database themselves
KPIS_MAY_IMPORT = ("smmkpi.kpis", "smmkpi.workspace", "smmkpi.periods", "smmkpi.datasets",
                   "smmkpi.config", "smmkpi.formatting", "smmkpi.channels")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


LIB = {_module_name(p): p for p in (ROOT / "smmkpi").rglob("*.py")
       if "migrations" not in p.parts}


def _imports(path: Path) -> set[str]:
    """Modules of ours imported anywhere in the file (inside functions too), except under
    `if TYPE_CHECKING:`."""
    found: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            t = node.test
            if getattr(t, "id", None) == "TYPE_CHECKING" or getattr(t, "attr", None) == (
                    "TYPE_CHECKING"):
                for n in node.orelse:
                    self.visit(n)
                return
            self.generic_visit(node)

        def visit_Import(self, node: ast.Import) -> None:
            found.update(a.name for a in node.names)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.module:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)

    Visitor().visit(ast.parse(path.read_text(), filename=str(path)))
    return found


def _rank(module: str) -> tuple[int, str]:
    for rank, prefixes in LAYERS:
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                return rank, prefix
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and docs/architecture.md")


GRAPH = {m: {i for i in _imports(p) if i in LIB and i not in (m, "smmkpi")}
         for m, p in LIB.items() if m != "smmkpi"}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_follow_the_layers(module):
    rank, group = _rank(module)
    for imported in GRAPH[module]:
        r, g = _rank(imported)
        assert r < rank or (r == rank and g == group), (
            f"{module} (layer {rank}) imports {imported} (layer {r})")
    if module.startswith("smmkpi.kpis"):
        bad = [i for i in GRAPH[module] if not i.startswith(KPIS_MAY_IMPORT)]
        assert not bad, f"{module} imports {bad}: KPIs read through a Workspace"


@pytest.mark.parametrize("path", APP_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_streamlit_only_in_the_ui_package(path):
    rel = path.relative_to(ROOT)
    if rel.parts[0] != "smmkpi" or rel.parts[:2] == ("smmkpi", "ui"):
        return
    used = {i for i in _imports(path) if i == "streamlit" or i.startswith("streamlit.")}
    assert not used, f"{rel} imports {sorted(used)}: only smmkpi/ui/ may"


def test_no_import_circles():
    state: dict[str, int] = {}  # 1 = on the path, 2 = done

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(GRAPH.get(m, ())):
            if state.get(n) == 1:
                raise AssertionError("import circle: " + " -> ".join(path + [m, n]))
            if n not in state:
                visit(n, path + [m])
        state[m] = 2

    for m in sorted(GRAPH):
        if m not in state:
            visit(m, [])
