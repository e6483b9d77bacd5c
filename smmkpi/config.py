"""Settings from the environment (one place; everything else asks here)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None


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
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
