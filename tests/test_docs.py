"""The documentation stands on its own and matches the code: the generated sections of
docs/ are current (`python -m smmkpi docs`), every relative link resolves, nothing cites a
file outside the repository, and every setting, page, export format, benchmark and layer
of the code is documented."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from smmkpi.__main__ import GENERATED, generated_sections, main

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
MARKDOWN = [README, *sorted(DOCS.glob("*.md"))]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- generated


@pytest.mark.parametrize("name", list(GENERATED))
def test_generated_sections_are_current(name):
    """The CSV formats (docs/data-formats.md) and the KPI catalog (docs/kpis.md) come from
    the code."""
    body = generated_sections()[name]
    text = _text(DOCS / GENERATED[name])
    assert f"<!-- {name}:start -->\n{body}<!-- {name}:end -->" in text, (
        f"docs/{GENERATED[name]}: section {name!r} is stale: run python -m smmkpi docs")


def test_docs_command_rewrites_only_between_the_markers(tmp_path, capsys):
    formats, kpis = tmp_path / "formats.md", tmp_path / "kpis.md"
    formats.write_text("before\n<!-- formats:start -->\nold\n<!-- formats:end -->\nafter\n")
    kpis.write_text("<!-- catalog:start -->\n<!-- catalog:end -->\n")
    assert main(["docs", "--formats", str(formats), "--kpis", str(kpis)]) == 0
    sections = generated_sections()
    assert formats.read_text() == (
        f"before\n<!-- formats:start -->\n{sections['formats']}<!-- formats:end -->\nafter\n")
    assert kpis.read_text() == (
        f"<!-- catalog:start -->\n{sections['catalog']}<!-- catalog:end -->\n")
    assert "updated formats" in capsys.readouterr().out


def test_docs_command_without_markers_changes_nothing(tmp_path, capsys):
    formats, kpis = tmp_path / "formats.md", tmp_path / "kpis.md"
    formats.write_text("<!-- formats:start -->\nold\n<!-- formats:end -->\n")
    kpis.write_text("no markers here\n")
    assert main(["docs", "--formats", str(formats), "--kpis", str(kpis)]) == 2
    assert "no <!-- catalog:start -->" in capsys.readouterr().err
    assert formats.read_text() == "<!-- formats:start -->\nold\n<!-- formats:end -->\n"


# --------------------------------------------------------------------------- links


def _slug(heading: str) -> str:
    """A Markdown heading's anchor as GitHub makes it."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", _text(path), flags=re.S)
    return {_slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path):
    text = re.sub(r"```.*?```", "", _text(path), flags=re.S)
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue  # an address on the web, not a file of the repository
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path
        assert dest.exists(), f"{path.name}: link to {target}: no such file"
        if anchor and dest.suffix == ".md":
            assert anchor in _anchors(dest), f"{path.name}: link to {target}: no such heading"


# ------------------------------------------------------------------ the repository alone

# Built from pieces so that this file does not contain what it looks for.
OUTSIDE = re.compile("DESIGN" + r"\.md|\.\./" + "shared/")
SKIPPED_TOP = {".git", ".venv", "data", ".ci"}  # VCS, environment, data, CI machinery
SKIPPED_ANY = {"__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis", ".git"}
TEXT_SUFFIXES = {".py", ".md", ".toml", ".txt", ".ini", ".cfg", ".mako", ".example", ".yml",
                 ".yaml", ".json", ".sh", ""}


def _repository_text_files() -> list[Path]:
    out = []
    for folder, dirs, files in os.walk(ROOT):
        here = Path(folder)
        dirs[:] = [d for d in dirs if d not in SKIPPED_ANY
                   and not (here == ROOT and d in SKIPPED_TOP)]
        out += [here / f for f in files
                if Path(f).suffix in TEXT_SUFFIXES or f in ("Makefile", "Dockerfile")]
    return out


def test_nothing_cites_a_file_outside_the_repository():
    found = []
    for path in _repository_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for i, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not found, "\n".join(found)


# --------------------------------------------------------------------------- coverage


def test_readme_is_short_and_links_every_doc():
    text = _text(README)
    assert 150 <= len(text.splitlines()) <= 250
    for doc in sorted(DOCS.glob("*.md")):
        assert f"](docs/{doc.name}" in text, f"README does not link docs/{doc.name}"
    assert "docs/overview.png" in text and (DOCS / "overview.png").is_file()


def test_readme_two_commands_are_the_makefile_targets():
    makefile = _text(ROOT / "Makefile")
    readme = _text(README)
    for target in ("run", "test"):
        assert re.search(rf"^{target}:", makefile, re.M), target
        assert f"make {target}" in readme
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "smmkpi demo --if-empty" in run and "streamlit run app.py" in run
    test = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check ." in test and "pytest" in test


def test_every_setting_is_documented():
    """Every SMMKPI_ environment variable the app reads is in docs/hosting.md."""
    names: set[str] = set()
    for path in [*(ROOT / "smmkpi").rglob("*.py"), ROOT / "serve.py", ROOT / "app.py"]:
        names |= set(re.findall(r"""["'](SMMKPI_[A-Z0-9_]+)["']""", _text(path)))
    assert names, "no settings found"
    hosting = _text(DOCS / "hosting.md")
    missing = sorted(n for n in names if f"`{n}`" not in hosting)
    assert not missing, f"docs/hosting.md does not document {missing}"


def test_every_page_is_in_the_managers_guide_and_the_readme():
    """Every page of the navigation (smmkpi/ui/shell.py) has its section in the managers'
    guide and its row in the README's page table."""
    titles = re.findall(r'"pages/\w+\.py", "([^"]+)"', _text(ROOT / "smmkpi/ui/shell.py"))
    assert len(titles) >= 10
    guide = _text(DOCS / "managers-guide.md")
    headings = {m.group(1).strip() for m in re.finditer(r"^## (.+)$", guide, re.M)}
    readme = _text(README)
    for title in titles:
        assert title in headings, f"managers-guide.md has no section for {title}"
        assert f"| **{title}** |" in readme, f"README's page table lacks {title}"


def test_every_export_format_is_documented():
    formats = _text(DOCS / "data-formats.md")
    for module in (ROOT / "smmkpi" / "ingest" / "formats").glob("*.py"):
        if module.name != "__init__.py":
            assert f"smmkpi/ingest/formats/{module.name}" in formats, module.name


def test_every_benchmark_is_documented():
    bench = _text(DOCS / "benchmarks.md")
    for script in (ROOT / "benchmarks").glob("*.py"):
        assert f"benchmarks/{script.name}" in bench, script.name


def test_every_layer_is_in_the_architecture_doc():
    from test_architecture import LAYERS

    text = _text(DOCS / "architecture.md")
    for _, prefixes in LAYERS:
        for prefix in prefixes:
            assert f"`{prefix}`" in text, f"docs/architecture.md does not name {prefix}"
