"""The registry of known export formats (smmkpi.ingest.formats): detection that matches no
format, documentation, and that every format module is registered and has its test file."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import smmkpi.ingest.formats as registry
from smmkpi.ingest.formats import FORMATS, detect_format

HERE = Path(__file__).parent


@pytest.mark.parametrize(
    "headers",
    [
        ["date", "source", "medium", "sessions"],
        ["order_id", "customer_id", "ordered_at", "revenue"],
    ],
)
def test_canonical_headers_are_no_known_format(headers):
    assert detect_format(headers, []) is None


def _modules() -> list[str]:
    return [m.name for m in pkgutil.iter_modules(registry.__path__)]


def test_every_format_is_documented():
    for f in FORMATS:
        module = importlib.import_module(f.prepare.__module__)
        assert f'fmt="{f.name}"' in (module.__doc__ or "")


def test_every_format_module_is_registered_and_tested():
    registered = {f.prepare.__module__.rsplit(".", 1)[1] for f in FORMATS}
    assert registered == set(_modules())
    for name in _modules():
        assert (HERE / f"test_{name}.py").is_file(), name


def test_format_names_are_unique():
    names = [f.name for f in FORMATS]
    assert len(names) == len(set(names))


def test_the_post_columns_of_the_core_are_the_datasets():
    from smmkpi import datasets as ds
    from smmkpi.ingest.core import POST_COLUMNS

    assert ds.get("posts").names == POST_COLUMNS


def test_the_social_columns_of_the_core_are_the_datasets():
    from smmkpi import datasets as ds
    from smmkpi.ingest.core import SOCIAL_COLUMNS

    assert ds.get("social_daily").names == SOCIAL_COLUMNS
