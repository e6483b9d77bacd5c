"""Settings from the environment (one place; everything else asks here)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DEMO_DIR = DATA_DIR / "demo"


def default_database_url() -> str:
    return f"sqlite:///{DATA_DIR / 'smmkpi.db'}"


@dataclass(frozen=True)
class Settings:
    """Every tunable of the app. Environment variables override the defaults."""

    database_url: str
    sla_minutes: int = 60  # first response within this many minutes counts as within SLA
    promo_share_max: float = 0.20  # guide band: at most this share of posts promotional
    display_tz: str = "UTC"  # time zone for showing timestamps and hour-of-day charts
    currency: str = "USD"
    max_upload_mb: int = 200  # matches Streamlit's server.maxUploadSize
    spike_min_count: int = 10  # a negative spike needs at least this many negative mentions
    spike_sigma: float = 3.0  # ... and to exceed the trailing 28-day mean by this many SDs
    journey_destination: str = "website"  # the touchpoint journeys should reach
    section_budget_s: float = 30.0  # a page section waits this long for its figures
    concurrent_runs: int = 3  # page runs executing at once; more viewers queue for a slot
    warmup: bool = True  # the server opens every dashboard page itself (smmkpi.ui.warmup)
    # every stored date and timestamp (in UTC) lies in these years: files with others are
    # refused, stored values outside them read as missing (every reader handles the range)
    year_min: int = 1900
    year_max: int = 2200
    # an XLSX upload may unpack to at most this many MB, counted while unpacking (its cells
    # cost about 2.5 times that in memory while read); also at most 20 x max_upload_mb
    max_xlsx_unpacked_mb: int = 1000


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None


def _env_flag(name: str, default: bool) -> bool:
    """An on/off setting: on, true, 1 / off, false, 0 (ValueError naming it otherwise)."""
    flag = (os.environ.get(name) or "").strip().lower()
    if flag not in ("", "0", "1", "false", "true", "off", "on"):
        raise ValueError(f"{name} must be on or off, got {flag!r}")
    return default if flag == "" else flag in ("1", "true", "on")


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def load_settings() -> Settings:
    """Read the settings from the environment now (no caching)."""
    return Settings(
        database_url=os.environ.get("SMMKPI_DATABASE_URL") or default_database_url(),
        sla_minutes=_env_int("SMMKPI_SLA_MINUTES", 60),
        promo_share_max=_env_float("SMMKPI_PROMO_SHARE_MAX", 0.20),
        display_tz=os.environ.get("SMMKPI_DISPLAY_TZ") or "UTC",
        currency=os.environ.get("SMMKPI_CURRENCY") or "USD",
        max_upload_mb=_env_int("SMMKPI_MAX_UPLOAD_MB", 200),
        spike_min_count=_env_int("SMMKPI_SPIKE_MIN_COUNT", 10),
        spike_sigma=_env_float("SMMKPI_SPIKE_SIGMA", 3.0),
        journey_destination=(os.environ.get("SMMKPI_JOURNEY_DESTINATION") or "website")
        .strip().lower(),
        section_budget_s=_env_float("SMMKPI_SECTION_BUDGET_S", 30.0),
        concurrent_runs=max(1, _env_int("SMMKPI_CONCURRENT_RUNS", 3)),
        warmup=_env_flag("SMMKPI_WARMUP", True),
        **_years(),
        max_xlsx_unpacked_mb=_env_int("SMMKPI_MAX_XLSX_UNPACKED_MB", 1000),
    )


def _years() -> dict[str, int]:
    """SMMKPI_YEAR_MIN and SMMKPI_YEAR_MAX, checked: 1 <= min <= max <= 9998, so that a
    timestamp converted to UTC and a day added to a date still fit every reader."""
    lo, hi = _env_int("SMMKPI_YEAR_MIN", 1900), _env_int("SMMKPI_YEAR_MAX", 2200)
    if not 1 <= lo <= hi <= 9998:
        raise ValueError(
            f"SMMKPI_YEAR_MIN ({lo}) and SMMKPI_YEAR_MAX ({hi}) must satisfy "
            "1 <= SMMKPI_YEAR_MIN <= SMMKPI_YEAR_MAX <= 9998"
        )
    return {"year_min": lo, "year_max": hi}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()


# --- settings a manager can see and an admin can change in the app ---------------------


@dataclass(frozen=True)
class Editable:
    """A setting shown on the Admin page: its label, what it does, and how a typed value is
    read and checked (ValueError with a message naming the setting)."""

    field: str
    label: str
    help: str
    parse: Callable[[str], Any]
    env: str


def _bounded_int(lo: int, hi: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        v = int(raw.strip())
        if not lo <= v <= hi:
            raise ValueError(f"must be between {lo:,} and {hi:,}")
        return v
    return parse


def _bounded_float(lo: float, hi: float, percent: bool = False) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        text = raw.strip().rstrip("%").strip()
        v = float(text) / (100 if percent else 1)
        if not lo <= v <= hi:
            shown = (f"{lo * 100:g} % and {hi * 100:g} %" if percent else f"{lo:g} and {hi:g}")
            raise ValueError(f"must be between {shown}")
        return v
    return parse


def _time_zone(raw: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = raw.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone name such as Europe/Berlin") from None
    return name


def _currency(raw: str) -> str:
    code = raw.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError("must be a three-letter currency code such as USD or EUR")
    return code


EDITABLE: dict[str, Editable] = {e.field: e for e in (
    Editable("sla_minutes", "First-response SLA (minutes)",
             "A question or complaint answered within this many minutes counts as within "
             "SLA (Community).", _bounded_int(1, 7 * 24 * 60), "SMMKPI_SLA_MINUTES"),
    Editable("promo_share_max", "Promotional posts guide (at most, %)",
             "The guide band for the share of promotional posts (Reputation & audience).",
             _bounded_float(0.0, 1.0, percent=True), "SMMKPI_PROMO_SHARE_MAX"),
    Editable("spike_min_count", "Negative spike: at least this many negative mentions",
             "A day counts as a negative spike only with at least this many negative "
             "mentions (Reputation & audience).", _bounded_int(1, 1_000_000),
             "SMMKPI_SPIKE_MIN_COUNT"),
    Editable("spike_sigma", "Negative spike: standard deviations above the 28-day mean",
             "… and only when it exceeds the mean of the previous 28 days by this many "
             "standard deviations.", _bounded_float(0.5, 10.0), "SMMKPI_SPIKE_SIGMA"),
    Editable("display_tz", "Time zone", "Timestamps and hour-of-day charts are shown in "
             "this time zone (an IANA name such as Europe/Berlin).", _time_zone,
             "SMMKPI_DISPLAY_TZ"),
    Editable("currency", "Currency", "The currency of money figures (three-letter code).",
             _currency, "SMMKPI_CURRENCY"),
)}
_log = logging.getLogger("smmkpi.config")


def parse_setting(key: str, raw: str) -> Any:
    """A typed value for an editable setting (ValueError: "<label> must be ...")."""
    spec = EDITABLE.get(key)
    if spec is None:
        raise ValueError(f"{key!r} is not a setting that can be changed in the app")
    try:
        return spec.parse(raw)
    except ValueError as e:
        msg = str(e)
        if "must" not in msg and "is not" not in msg:
            msg = f"{raw!r} is not a valid value"
        raise ValueError(f"{spec.label}: {msg}") from None


def with_overrides(settings: Settings, overrides: Mapping[str, str]) -> Settings:
    """`settings` with the values admins stored in the app; a stored value that no longer
    parses (edited by hand, a setting renamed) is skipped with a warning, never fatal."""
    changes: dict[str, Any] = {}
    for key, raw in overrides.items():
        try:
            changes[key] = parse_setting(key, raw)
        except ValueError as e:
            _log.warning("stored setting ignored: %s", e)
    return replace(settings, **changes) if changes else settings


# --- sending alerts and digests (smmkpi.notify) ----------------------------------------


@dataclass(frozen=True)
class NotifySettings:
    """Where alerts and digests go out from: SMTP for email, the app's address for links,
    a default Slack-compatible webhook. Read from the environment (on Streamlit Community
    Cloud, top-level keys of the secrets become environment variables)."""

    public_url: str = "http://localhost:8501"  # links in alerts and digests start here
    smtp_host: str | None = None  # no host: email deliveries fail with that reason (retried)
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "smmkpi@localhost"
    smtp_security: str = "starttls"  # starttls, ssl or none
    webhook_url: str | None = None  # offered as the default webhook of new alert rules
    timeout_s: float = 20.0  # per SMTP connection or webhook POST
    scheduler: bool = False  # the app runs alerts and digests itself (one instance sends)


def load_notify_settings() -> NotifySettings:
    """The sending settings from the environment now (ValueError naming a bad one)."""
    security = (os.environ.get("SMMKPI_SMTP_SECURITY") or "starttls").strip().lower()
    if security not in ("starttls", "ssl", "none"):
        raise ValueError(f"SMMKPI_SMTP_SECURITY must be starttls, ssl or none, got {security!r}")
    return NotifySettings(
        public_url=(os.environ.get("SMMKPI_PUBLIC_URL") or "http://localhost:8501").rstrip("/"),
        smtp_host=os.environ.get("SMMKPI_SMTP_HOST") or None,
        smtp_port=_env_int("SMMKPI_SMTP_PORT", 465 if security == "ssl" else 587),
        smtp_user=os.environ.get("SMMKPI_SMTP_USER") or None,
        smtp_password=os.environ.get("SMMKPI_SMTP_PASSWORD") or None,
        smtp_from=os.environ.get("SMMKPI_SMTP_FROM") or "smmkpi@localhost",
        smtp_security=security,
        webhook_url=os.environ.get("SMMKPI_ALERT_WEBHOOK_URL") or None,
        timeout_s=_env_float("SMMKPI_DELIVERY_TIMEOUT_S", 20.0),
        scheduler=_env_flag("SMMKPI_SCHEDULER", False),
    )
