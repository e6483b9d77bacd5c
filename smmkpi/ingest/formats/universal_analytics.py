"""Universal Analytics report export (`fmt="ua_report"`) into `web_sessions`, in the language
of the interface that made it.

Made in Universal Analytics (the Google Analytics before GA4, exports kept from it):
Acquisition → All Traffic → Source/Medium, Secondary dimension → Date, Export → CSV. A
`# ---` block with the view, the report and the range (`# 20200101-20200131`) comes first,
then a blank line and the table; further tables (`Day Index`, the totals) follow after a
blank line and are ignored. The header and the numbers are in the interface's language:
a Dutch export writes `Bron/medium`, `Sessies`, `2.546` (2,546 sessions) and `"99,88%"`.

Header names are read in English, Dutch, German, French and Spanish (`_NAMES`: the names
the interface shows in those languages); the language is the one whose names the header
matches best (English on a tie). Numbers are read with that language's decimal and group
symbols from the CLDR data (Babel): `2.546` is 2546 in Dutch and German, `1 234,5` in French;
a currency sign or code around revenue is dropped. Produces `web_sessions`, rows summed per
(date, source, medium, campaign):

- `date` = `Date` / `Datum` / `Fecha` (`20200101`); without it the report must cover one day
  (`# 20200101-20200101`), else the file is refused, asking for the Date secondary dimension;
- `source`, `medium` = `Source / Medium` split at ` / `, or `Source` and `Medium`;
- `campaign` = `Campaign` (`(not set)` empty); `sessions` = `Sessions`; `conversions` =
  `Transactions` (else `Goal Completions`); `revenue` = `Revenue`. Users, bounce rate,
  pages per session and durations are not used.

An overview export (`Day Index` and `Sessions`, no source) is refused in one sentence that
says what to export instead.
"""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl

from smmkpi.ingest.core import (
    ROW,
    Format,
    Prepared,
    RawProblem,
    ignored,
    norm,
    sum_by_key,
)

# role -> language -> the header as the interface writes it
_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "source_medium": {"en": ("Source / Medium", "Source/Medium"), "nl": ("Bron/medium",),
                      "de": ("Quelle/Medium",), "fr": ("Source/Support",),
                      "es": ("Fuente/Medio",)},
    "source": {"en": ("Source",), "nl": ("Bron",), "de": ("Quelle",), "fr": ("Source",),
               "es": ("Fuente",)},
    "medium": {"en": ("Medium",), "nl": ("Medium",), "de": ("Medium",), "fr": ("Support",),
               "es": ("Medio",)},
    "campaign": {"en": ("Campaign",), "nl": ("Campagne",), "de": ("Kampagne",),
                 "fr": ("Campagne",), "es": ("Campaña",)},
    "date": {"en": ("Date",), "nl": ("Datum",), "de": ("Datum",), "fr": ("Date",),
             "es": ("Fecha",)},
    "sessions": {"en": ("Sessions",), "nl": ("Sessies",), "de": ("Sitzungen",),
                 "fr": ("Sessions",), "es": ("Sesiones",)},
    "users": {"en": ("Users",), "nl": ("Gebruikers",), "de": ("Nutzer",),
              "fr": ("Utilisateurs",), "es": ("Usuarios",)},
    "new_users": {"en": ("New Users",), "nl": ("Nieuwe gebruikers",), "de": ("Neue Nutzer",),
                  "fr": ("Nouveaux utilisateurs",), "es": ("Usuarios nuevos",)},
    "bounce_rate": {"en": ("Bounce Rate",), "nl": ("Bouncepercentage",),
                    "de": ("Absprungrate",), "fr": ("Taux de rebond",),
                    "es": ("Porcentaje de rebote",)},
    "transactions": {"en": ("Transactions",), "nl": ("Transacties",),
                     "de": ("Transaktionen",), "fr": ("Transactions",),
                     "es": ("Transacciones",)},
    "goals": {"en": ("Goal Completions",), "nl": ("Doelvoltooiingen",),
              "de": ("Zielvorhabenabschlüsse",), "fr": ("Objectifs réalisés",),
              "es": ("Objetivos conseguidos",)},
    "revenue": {"en": ("Revenue",), "nl": ("Opbrengst",), "de": ("Umsatz",),
                "fr": ("Revenu", "Chiffre d'affaires"), "es": ("Ingresos",)},
}
LANGUAGES = ("en", "nl", "de", "fr", "es")
_PLACEHOLDERS = ["(not set)", "(direct)", "(organic)", "(referral)", "(none)",
                 "(niet ingesteld)", "(nicht festgelegt)", "(non défini)", "(no establecido)"]


def _names(role: str) -> dict[str, str]:
    """Normalized header of `role` -> its language, over every language (first one wins)."""
    out: dict[str, str] = {}
    for lang in LANGUAGES:
        for h in _NAMES[role].get(lang, ()):
            out.setdefault(norm(h), lang)
    return out


def _language(cols: dict[str, str]) -> str:
    """The interface language whose header names match most of the file's (English on a
    tie)."""
    score = dict.fromkeys(LANGUAGES, 0)
    for role in _NAMES:
        for lang in LANGUAGES:
            if any(norm(h) in cols for h in _NAMES[role].get(lang, ())):
                score[lang] += 1
    return max(LANGUAGES, key=lambda lang: (score[lang], lang == "en"))


def _pick(cols: dict[str, str], role: str, lang: str) -> str | None:
    """The file's header for `role` in `lang`, else in any language."""
    for h in _NAMES[role].get(lang, ()):
        if norm(h) in cols:
            return cols[norm(h)]
    return next((cols[n] for n in _names(role) if n in cols), None)


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Sessions and Source / Medium (or Source) in one of the languages, with a UA-only
    column (users, new users, bounce rate), or a '# ----' preamble; or UA's `Day Index`
    table of sessions per day (refused by `prepare`: it has no traffic source)."""
    sessions = any(n in cols for n in _names("sessions"))
    if sessions and "day index" in cols:
        return True
    dim = any(n in cols for n in _names("source_medium"))
    ua_only = any(n in cols for r in ("users", "new_users", "bounce_rate") for n in _names(r))
    return sessions and dim and (ua_only or any(ln.startswith("# ---") for ln in preamble))


# a currency sign or ISO code before or after an amount, with its spaces
_CURRENCY = r"^(?:[A-Z]{3}|[€$£¥₹₽₩])[\s\u00a0\u202f]*|[\s\u00a0\u202f]*(?:[A-Z]{3}|[€$£¥₹₽₩])$"


@lru_cache(maxsize=8)
def symbols(lang: str) -> tuple[str, str]:
    """(decimal symbol, group symbol) of a language, from the CLDR data (Babel)."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return get_decimal_symbol(lang), get_group_symbol(lang)


def localized_number(col: str, lang: str) -> pl.Expr:
    """A number written in `lang` (its CLDR group and decimal symbols, a currency sign or code
    and spaces around it) as plain text with a decimal point."""
    decimal, group = symbols(lang)
    c = pl.col(col).str.strip_chars()
    c = c.str.replace_all(_CURRENCY, "")
    groups = {group, "\u00a0", "\u202f", " "} if group.isspace() else {group}
    for g in groups:
        c = c.str.replace_all(g, "", literal=True)
    return c.str.replace(decimal, ".", literal=True) if decimal != "." else c


def _span(preamble: list[str]) -> tuple[str, str] | None:
    """The report's range from its '# 20200101-20200131' line."""
    for line in preamble:
        m = re.match(r"^#\s*([0-9]{8})\s*-\s*([0-9]{8})\s*$", line.strip())
        if m:
            return m.group(1), m.group(2)
    return None


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The report's rows as web_sessions text, numbers read in the report's language."""
    lang = _language(cols)
    decimal, group = symbols(lang)
    if "day index" in cols and _pick(cols, "source_medium", lang) is None:
        span = _span(preamble)
        covering = f" covering {span[0]} to {span[1]}" if span else ""
        problem = (None, cols["day index"], None, f"this is a Universal Analytics overview"
                   f"{covering} (sessions per Day Index, without their traffic source): export "
                   "Acquisition → All Traffic → Source/Medium with Secondary dimension → Date "
                   "instead")
        return Prepared({"web_sessions": pl.DataFrame(schema={ROW: pl.Int64})},
                        {"web_sessions": {}}, ignored(raw, {}),
                        ["Universal Analytics report export"], [problem])
    notes = [f"Universal Analytics report export ({lang}: numbers read with "
             f"'{decimal}' as decimal and '{group}' as group symbol)"]
    problems: list[RawProblem] = []
    used: dict[str, str] = {}
    labels: dict[str, str] = {}
    date_col = _pick(cols, "date", lang)
    span = _span(preamble)
    if date_col is not None:
        date, used[date_col], labels["date"] = pl.col(date_col), "date", date_col
    elif span is not None and span[0] == span[1]:
        date, labels["date"] = pl.lit(span[0]), "# date range"
        notes.append(f"UA report for one day: every row dated {span[0]}")
    else:
        covers = f" covers {span[0]} to {span[1]} and" if span else ""
        problems.append((None, "Date", None, f"this Universal Analytics report{covers} has no "
                         "Date column: export it again with Secondary dimension → Date so "
                         "that sessions can be placed on days"))
        date = pl.lit(None, dtype=pl.String)
    sm = _pick(cols, "source_medium", lang)
    if sm is not None:
        parts = pl.col(sm).str.split_exact("/", 1)
        source = parts.struct.field("field_0").str.strip_chars()
        medium = parts.struct.field("field_1").str.strip_chars()
        used[sm], labels["source"], labels["medium"] = "source, medium", sm, sm
    else:
        src, med = _pick(cols, "source", lang), _pick(cols, "medium", lang)
        source = pl.col(src) if src else pl.lit(None, dtype=pl.String)
        medium = pl.col(med) if med else pl.lit(None, dtype=pl.String)
        for h, c in ((src, "source"), (med, "medium")):
            if h is not None:
                used[h], labels[c] = c, h
    camp = _pick(cols, "campaign", lang)
    campaign = pl.lit(None, dtype=pl.String)
    if camp is not None:
        campaign = (pl.when(pl.col(camp).str.to_lowercase().is_in(_PLACEHOLDERS))
                    .then(pl.lit(None, dtype=pl.String)).otherwise(pl.col(camp)))
        used[camp], labels["campaign"] = "campaign", camp
    measures = {"sessions": _pick(cols, "sessions", lang),
                "conversions": _pick(cols, "transactions", lang) or _pick(cols, "goals", lang),
                "revenue": _pick(cols, "revenue", lang)}
    for c, h in measures.items():
        if h is not None:
            used[h], labels[c] = c, h
    frame = raw.select(
        pl.col(ROW), date.alias("date"), source.alias("source"), medium.alias("medium"),
        campaign.alias("campaign"),
        *[(localized_number(h, lang) if h else pl.lit(None, dtype=pl.String)).alias(c)
          for c, h in (("sessions", measures["sessions"]), ("engaged_sessions", None),
                       ("conversions", measures["conversions"]),
                       ("revenue", measures["revenue"]))],
        pl.lit(None, dtype=pl.String).alias("content"),
    )
    return Prepared({"web_sessions": frame}, {"web_sessions": labels}, ignored(raw, used),
                    notes, problems)


def finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    """Rows summed per (date, source, medium, campaign, content)."""
    df, merged = sum_by_key(typed["web_sessions"],
                            ["date", "source", "medium", "campaign", "content"])
    if merged:
        notes.append(f"{merged} rows merged: UA rows summed per date, source, medium and "
                     "campaign")
    return {"web_sessions": df}


FORMAT = Format("ua_report", "web_sessions", detect, prepare, finish, cut_at_blank=True,
                label="Universal Analytics report",
                menu="Universal Analytics → Acquisition → All Traffic → Source/Medium, "
                "Secondary dimension → Date → Export → CSV",
                total_of=("sessions", "sessies", "sitzungen", "sesiones"))
