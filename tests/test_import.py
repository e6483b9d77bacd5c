"""What an import guarantees, on SQLite and PostgreSQL (the `engine` fixture runs each test
on both): a failed import leaves the database unchanged (byte for byte on SQLite, row for row
on PostgreSQL), importing the same files twice changes nothing the second time, and the CLI's
`import` and `check` refuse bad files with the library's messages (exit 2) and store nothing.

SQLite runs in its default rollback-journal mode (see smmkpi.db): a transaction writes the
original pages to `<db>-journal` before changing the file and copies them back on rollback,
and the file's change counter only moves on commit; so a rolled-back import leaves the file
identical. The ADBC reader pool keeps connections open, so it is closed before reading the
bytes."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, select

from smmkpi import datasets as ds
from smmkpi import db, ingest, store
from smmkpi.__main__ import main
from smmkpi.actions import imports
from smmkpi.models import AuditEntry, DataVersion

DATA = Path(__file__).resolve().parent / "data"
SEED = ["good/orders_canonical.csv", "good/customers_booleans.csv",
        "good/social_daily_aliases.csv"]
BATCH = ["good/shopify_orders_export.csv", "good/meta_ads_daily.csv",
         "good/ga4_traffic_acquisition.csv", "good/orders_semicolon_cp1252.csv"]


class Interrupted(BaseException):
    """Like Streamlit's StopException: the user left the page in the middle of an import."""


def parsed(*rel: str) -> dict[str, pl.DataFrame]:
    frames, problems = ingest.combine([ingest.parse_file(DATA / r, max_bytes=0) for r in rel])
    assert not problems, problems
    return frames


def url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def snapshot(engine: Engine) -> dict[str, pl.DataFrame]:
    """Every row the app stores: every dataset, the data version and the audit log."""
    out = {n: store.read_dataset(engine, n).sort(list(ds.get(n).key), nulls_last=True)
           for n in ds.DATASETS}
    out["data_version"] = db.read_frame(engine, select(DataVersion.version))
    out["audit"] = db.read_frame(engine, select(AuditEntry.id, AuditEntry.dataset,
                                                AuditEntry.inserted))
    return out


def file_bytes(engine: Engine) -> bytes | None:
    """The SQLite file's bytes (None on PostgreSQL), with no connection left open."""
    path = db.sqlite_file(engine)
    if path is None:
        return None
    db.close_pools()
    assert not Path(f"{path}-journal").exists(), "a transaction was left open"
    return path.read_bytes()


def assert_unchanged(engine: Engine, rows: dict, raw: bytes | None) -> None:
    after = snapshot(engine)
    assert after.keys() == rows.keys()
    for name, df in rows.items():
        assert_frame_equal(after[name], df, check_dtypes=True)
    assert file_bytes(engine) == raw


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """A database holding three small corpus files, so a failed import has rows to spoil."""
    store.write_frames(engine, parsed(*SEED), actor="test", action="seed")
    return engine


def bypass_checks(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Let frames reach the database unchecked, to force a failure inside the transaction."""
    monkeypatch.setattr(store, "check_frame", lambda name, df: df.select(ds.get(name).names))


# ------------------------------------------------------------------ all or nothing


def test_a_failure_inside_the_database_leaves_it_unchanged(seeded, monkeypatch):
    rows, raw = snapshot(seeded), file_bytes(seeded)
    frames = parsed(*BATCH)
    # the last dataset written breaks a NOT NULL constraint, after the others were
    # staged and upserted in the same transaction (orders updates and inserts rows)
    order = ["orders", "customers", "social_daily", "web_sessions"]
    frames = {n: frames[n] for n in order}
    frames["web_sessions"] = frames["web_sessions"].with_columns(
        pl.lit(None, dtype=pl.String).alias("source"))
    bypass_checks(monkeypatch)
    with pytest.raises(store.StoreError, match="nothing was stored"):
        store.write_frames(seeded, frames, actor="test")
    assert_unchanged(seeded, rows, raw)


def test_an_interrupted_import_leaves_the_database_unchanged(seeded):
    """The page's progress callback raises when the user leaves mid-import (Streamlit
    stops the script): the transaction is rolled back, whatever was already written."""
    rows, raw = snapshot(seeded), file_bytes(seeded)
    seen: list[float] = []

    def progress(fraction: float, text: str) -> None:
        seen.append(fraction)
        if fraction >= 0.95:  # every dataset staged and upserted, the audit not yet
            raise Interrupted

    with pytest.raises(Interrupted):
        store.write_frames(seeded, parsed(*BATCH), actor="test", progress=progress)
    assert seen[-1] >= 0.95 and len(seen) > 1
    assert_unchanged(seeded, rows, raw)


def test_a_large_interrupted_import_is_rolled_back_from_the_journal(seeded):
    """200k orders spill SQLite's page cache: the file itself changes during the
    transaction, and the rollback copies the original pages back from the journal."""
    rows, raw = snapshot(seeded), file_bytes(seeded)
    path = db.sqlite_file(seeded)
    n = 200_000
    big = pl.select(
        order_id=pl.format("B{}", pl.int_range(n)),
        customer_id=pl.format("c{}", pl.int_range(n) % 997),
        ordered_at=pl.datetime(2026, 1, 1, time_zone="UTC") + pl.duration(seconds=pl.int_range(n)),
        revenue=pl.int_range(n) / 100, channel=pl.lit(None, dtype=pl.String),
    ).cast(ds.get("orders").schema)
    touched: list[bool] = []

    def progress(fraction: float, text: str) -> None:
        if fraction >= 0.95:
            if path is not None:
                touched.append(path.read_bytes() != raw)
            raise Interrupted

    with pytest.raises(Interrupted):
        store.write_frames(seeded, {"orders": big}, actor="test", progress=progress)
    if path is not None:
        assert touched == [True], "the transaction never reached the file: a weaker test"
    assert_unchanged(seeded, rows, raw)


def test_a_refused_batch_leaves_the_database_unchanged(seeded):
    rows, raw = snapshot(seeded), file_bytes(seeded)
    frames = parsed(*BATCH)
    frames["orders"] = pl.concat([frames["orders"], frames["orders"].head(1)])  # a key twice
    with pytest.raises(store.StoreError, match="repeats"):
        store.write_frames(seeded, frames, actor="test")
    assert_unchanged(seeded, rows, raw)


# ------------------------------------------------------------------ idempotence


def test_importing_the_same_files_twice_changes_nothing(engine):
    frames = parsed(*SEED, *BATCH)
    first = store.write_frames(engine, frames, actor="test")
    assert all(r.inserted == frames[n].height and r.updated == r.unchanged == 0
               for n, r in first.items())
    rows = {n: df for n, df in snapshot(engine).items() if n in ds.DATASETS}
    second = store.write_frames(engine, parsed(*SEED, *BATCH), actor="test")
    assert {n: (r.inserted, r.updated, r.unchanged) for n, r in second.items()} == {
        n: (0, 0, df.height) for n, df in frames.items()}
    after = snapshot(engine)
    for name, df in rows.items():
        assert_frame_equal(after[name], df)
    # and a file with one changed value updates exactly that row
    orders = parsed("good/orders_canonical.csv")["orders"].with_columns(
        pl.when(pl.col("order_id") == "A-1002").then(121.0).otherwise(pl.col("revenue"))
        .alias("revenue"))
    third = store.write_frames(engine, {"orders": orders}, actor="test")["orders"]
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 2)
    stored = store.read_dataset(engine, "orders").filter(pl.col("order_id") == "A-1002")
    assert stored["revenue"].to_list() == [121.0]


# ------------------------------------------------------------------ the import action


def test_the_import_action_writes_the_batch_with_its_audit_entry(engine):
    """What the CLI's `import` and the Upload page both use: combine, then write with one
    audit row per dataset (action `import`, the files named, `upload: ` from the page)."""
    batch = imports.combine(imports.read_files([DATA / r for r in SEED]))
    assert batch.ok and batch.files == tuple(Path(r).name for r in SEED)
    assert batch.rows == sum(df.height for df in parsed(*SEED).values())
    results = imports.write(engine, batch, actor="ann", origin="upload")
    assert {n: r.inserted for n, r in results.items()} == {
        n: df.height for n, df in parsed(*SEED).items()}
    log = store.audit_log(engine)
    assert set(log["action"]) == {"import"} and set(log["actor"]) == {"ann"}
    assert set(log["detail"]) == {"upload: " + ", ".join(batch.files)}
    imports.write(engine, batch, actor="cli")
    assert store.audit_log(engine, 1)["detail"].to_list() == [", ".join(batch.files)]


def test_the_import_action_refuses_a_batch_with_problems(seeded):
    rows, raw = snapshot(seeded), file_bytes(seeded)
    bad = DATA / "bad/bad_values.csv"
    batch = imports.combine(imports.read_files([DATA / "good/orders_bom_tab_us.csv", bad]))
    assert not batch.ok and batch.total == len(ingest.parse_file(bad).problems)
    with pytest.raises(store.StoreError, match="nothing was stored"):
        imports.write(seeded, batch, actor="test")
    assert_unchanged(seeded, rows, raw)


def test_cli_import_of_a_missing_file_stores_nothing(tmp_path, capsys):
    target = f"sqlite:///{tmp_path / 'untouched.db'}"
    missing = tmp_path / "nope.csv"
    assert main(["--database", target, "import", str(DATA / SEED[0]), str(missing)]) == 2
    assert capsys.readouterr().err == f"error: {missing}: no such file\n"
    assert not (tmp_path / "untouched.db").exists()


# ------------------------------------------------------------------ the CLI


def test_cli_import_refuses_a_batch_with_a_bad_file(seeded, capsys):
    rows, raw = snapshot(seeded), file_bytes(seeded)
    good, bad = DATA / "good/orders_bom_tab_us.csv", DATA / "bad/bad_values.csv"
    code = main(["--database", url(seeded), "import", str(good), str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    expected = ingest.parse_file(bad).problems
    assert err.startswith(f"error: {len(expected)} problem(s), nothing stored:")
    for p in expected:  # the same messages as the Upload page's table (file, row, column)
        assert f"  {p}\n" in err
    assert "bad_values.csv, row 3, column 'revenue': 'abc' is not a number" in err
    assert "orders_bom_tab_us.csv" not in err
    assert_unchanged(seeded, rows, raw)


def test_cli_import_twice_then_unchanged(engine, capsys):
    files = [str(DATA / f) for f in ("good/orders_canonical.csv",
                                     "good/shopify_orders_export.csv")]
    assert main(["--database", url(engine), "import", *files]) == 0
    out = capsys.readouterr().out
    # 3 canonical orders + 3 Shopify orders; the 2 Shopify customers
    assert "orders: 6 inserted, 0 updated, 0 unchanged" in out
    assert "customers: 2 inserted, 0 updated, 0 unchanged" in out
    assert main(["--database", url(engine), "import", *files]) == 0
    out = capsys.readouterr().out
    assert "orders: 0 inserted, 0 updated, 6 unchanged" in out
    assert store.read_dataset(engine, "orders").height == 6
    log = store.audit_log(engine)
    assert set(log["actor"]) == {"cli"} and set(log["action"]) == {"import"}
    assert set(log["detail"]) == {"orders_canonical.csv, shopify_orders_export.csv"}


def test_cli_check_names_the_export_and_its_menu(tmp_path, capsys):
    target = f"sqlite:///{tmp_path / 'untouched.db'}"
    data = tmp_path / "exports"
    data.mkdir()
    for name in ("zendesk_tickets.csv", "woocommerce_analytics_orders.csv"):
        (data / name).write_bytes((DATA / "good" / name).read_bytes())
    assert main(["--database", target, "check", *sorted(map(str, data.iterdir()))]) == 0
    out = capsys.readouterr().out
    assert ("  recognized as a WooCommerce Analytics orders download, made in WordPress admin "
            "→ WooCommerce → Analytics → Orders → Download") in out
    assert "  recognized as a Zendesk ticket export, made in Zendesk Admin Center" in out
    assert main(["--database", target, "check", str(DATA / "bad" / "ga4_events.csv")]) == 2
    assert "this is a GA4 Events report covering 20260301 to 20260331" in capsys.readouterr().err


@pytest.mark.parametrize(("rel", "code"), [
    ("good/orders_canonical.csv", 0), ("good/orders_excel.xlsx", 0),
    ("good/shopify_orders_export.csv", 0), ("bad/bad_values.csv", 2),
    ("bad/empty.csv", 2), ("bad/binary.csv", 2), ("bad/ambiguous_dates.csv", 2),
])
def test_cli_check_exit_codes(tmp_path, capsys, rel, code):
    target = f"sqlite:///{tmp_path / 'untouched.db'}"
    assert main(["--database", target, "check", str(DATA / rel)]) == code
    out, err = capsys.readouterr()
    name = Path(rel).name
    if code == 0:
        assert out.startswith(f"{name}: OK: ") and not err
    else:
        for p in ingest.parse_file(DATA / rel).problems:
            assert str(p) in err
        assert "Traceback" not in err
    assert not (tmp_path / "untouched.db").exists()  # check never opens the database


def test_cli_check_with_the_date_order_passes(capsys):
    path = str(DATA / "bad/ambiguous_dates.csv")
    assert main(["check", path]) == 2
    assert main(["check", "--date-order", "dmy", path]) == 0
    assert "dates read as DD/MM/YYYY" in capsys.readouterr().out


def test_import_names_a_folder_or_a_pipe_instead_of_opening_it(tmp_path, capsys):
    import os

    from smmkpi.__main__ import main

    folder = tmp_path / "exports"
    folder.mkdir()
    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["--database", db, "import", str(folder)]) == 2
    assert "is a folder, not a file" in capsys.readouterr().err
    assert main(["--database", db, "check", str(fifo)]) == 2  # returns: never blocks
    assert "is a named pipe" in capsys.readouterr().err
