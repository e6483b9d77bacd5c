"""Helpdesk ticket exports into `conversations`: Zendesk (`fmt="zendesk_tickets"`) and
Freshdesk (`fmt="freshdesk_tickets"`), so that the community-care KPIs work from the tool a
support team already uses. One conversation per ticket.

**Zendesk** (Admin Center → Account → Tools → Reports → Export → CSV export, or Explore's
Tickets report exported as CSV): recognized by `Id`, `Created at`, `Via` and one of
`Ticket type`, `Solved at`, `First reply time in minutes`.

- `conversation_id` = `zendesk:<Id>`; `platform` from `Via` (below);
- `opened_at` = `Created at`; `first_response_at` = `Created at` + `First reply time in
  minutes` (calendar minutes, not the business-hours column); `resolved_at` = `Solved at`;
- `kind` from `Ticket type`: Question → question, Incident and Problem → complaint, Task →
  other; a ticket without a type is a question (a ticket asks for an answer);
- `sentiment` from `Satisfaction Score`: Good → positive, Bad → negative (a 1-5 score:
  4-5 positive, 3 neutral, 1-2 negative); Offered, Not Offered and Unoffered → empty.

**Freshdesk** (Tickets → Export → CSV, with the fields ticked): recognized by `Ticket ID`,
`Created time` and one of `Initial response time`, `Resolved time`, `Source`.

- `conversation_id` = `freshdesk:<Ticket ID>`; `platform` from `Source` (below);
- `opened_at` = `Created time`; `first_response_at` = `Initial response time`, else
  `Created time` + `First response time (in hrs)` (`2.5` or `2:30:00`); `resolved_at` =
  `Resolved time`, else (a ticket closed without being resolved) `Closed time`;
- `kind` from `Type`: Question → question, Incident, Problem and Refund → complaint,
  Feature Request and Suggestion → suggestion, any other type → other, none → question;
- `sentiment` from `Survey results`: Extremely happy, Happy, Awesome, Good → positive;
  Neutral → neutral; Unhappy, Extremely unhappy, Not good, Bad → negative.

Both: `platform` = the channel lower-cased, social networks under their platform names
(Facebook, Facebook Messenger → facebook; Instagram Direct → instagram; Twitter, X Corp →
x; WhatsApp → whatsapp), `Web form`/`Portal`/`Feedback widget` → web, e-mail → email, chat
and messaging → chat, phone and voicemail → phone. Times without a zone are read as UTC
(both tools write the account's time zone; a note says so). A ticket export without any
first-response column is accepted: every ticket is read as unanswered-unknown, with a note
that the response KPIs are missing and which column to export.
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import (
    ROW,
    Format,
    Prepared,
    RawProblem,
    ignored,
    pick,
    text_or_null,
)

# (word in the channel, platform): the first match wins
_CHANNEL_WORDS: tuple[tuple[str, str], ...] = (
    ("messenger", "facebook"), ("facebook", "facebook"), ("instagram", "instagram"),
    ("twitter", "x"), ("x corp", "x"), ("whatsapp", "whatsapp"), ("linkedin", "linkedin"),
    ("tiktok", "tiktok"), ("youtube", "youtube"), ("telegram", "telegram"),
    ("mail", "email"), ("chat", "chat"), ("messag", "chat"), ("phone", "phone"),
    ("voice", "phone"), ("call", "phone"), ("sms", "sms"), ("web", "web"),
    ("portal", "web"), ("widget", "web"), ("form", "web"),
)
# Zendesk ticket types and Freshdesk types (lower case) -> kind
_KINDS: dict[str, str] = {
    "question": "question", "incident": "complaint", "problem": "complaint",
    "refund": "complaint", "complaint": "complaint", "feature request": "suggestion",
    "suggestion": "suggestion", "praise": "praise", "compliment": "praise", "task": "other",
}
_SENTIMENTS: dict[str, str] = {
    "good": "positive", "bad": "negative", "extremely happy": "positive",
    "happy": "positive", "awesome": "positive", "neutral": "neutral", "unhappy": "negative",
    "extremely unhappy": "negative", "not good": "negative",
    "5": "positive", "4": "positive", "3": "neutral", "2": "negative", "1": "negative",
}
_ZONE_NOTE = ("times without a zone read as UTC (the export writes them in the account's "
              "time zone)")


def detect_zendesk(cols: dict[str, str], preamble: list[str]) -> bool:
    """Id, Created at, Via and one of Ticket type, Solved at, First reply time in minutes."""
    return ({"id", "created at", "via"} <= cols.keys()
            and any(c in cols for c in ("ticket type", "solved at",
                                        "first reply time in minutes")))


def detect_freshdesk(cols: dict[str, str], preamble: list[str]) -> bool:
    """Ticket ID, Created time and one of Initial response time, Resolved time, Source."""
    return ({"ticket id", "created time"} <= cols.keys()
            and any(c in cols for c in ("initial response time", "resolved time", "source")))


def _platform(col: str | None) -> pl.Expr:
    """The channel a ticket came in by, as a platform name (see the module)."""
    if col is None:
        return pl.lit(None, dtype=pl.String)
    low = pl.col(col).str.strip_chars().str.to_lowercase()
    out = pl.when(low.is_null() | (low == "")).then(pl.lit(None, dtype=pl.String))
    for word, name in _CHANNEL_WORDS:
        out = out.when(low.str.contains(word, literal=True)).then(pl.lit(name))
    return out.otherwise(low)


def _mapped(col: str | None, table: dict[str, str], default: str | None) -> pl.Expr:
    """A column's value through `table` (lower case); `default` where it is empty; other
    values as they are for kind (so that the common check names them) or empty."""
    if col is None:
        return pl.lit(default, dtype=pl.String)
    low = pl.col(col).str.strip_chars().str.to_lowercase()
    return (pl.when(low.is_null() | (low == "")).then(pl.lit(default, dtype=pl.String))
            .otherwise(low.replace_strict(table, default=None, return_dtype=pl.String)))


OFFSET = "__first_response_minutes"  # carried to `finish`: minutes after opening


def _number(col: str) -> pl.Expr:
    """A count of minutes or hours as a float: `12`, `1,234`, `2.5` or `h:mm[:ss]` (hours)."""
    c = pl.col(col).str.strip_chars()
    hms = c.str.extract_groups(r"^([0-9]+):([0-9]{2})(?::([0-9]{2}))?$")
    clock = (hms.struct.field("1").cast(pl.Float64)
             + hms.struct.field("2").cast(pl.Float64) / 60
             + hms.struct.field("3").cast(pl.Float64).fill_null(0) / 3600)
    return pl.coalesce(c.str.replace_all(",", "", literal=True).cast(pl.Float64, strict=False),
                       clock)


_MAX_MINUTES = 20 * 366 * 24 * 60  # a first response 20 years after opening is no reading


def _duration(raw: pl.DataFrame, col: str, per_unit: float,
              what: str) -> tuple[pl.Expr, list[RawProblem]]:
    """Minutes from a column of minutes (`per_unit` 1) or hours (60), and the rows whose
    value is not such a number (null in the expression, so nothing wrong is stored)."""
    m = _number(col) * per_unit
    ok = m.is_not_null() & (m >= 0) & (m <= _MAX_MINUTES)
    given = pl.col(col).is_not_null() & (pl.col(col).str.strip_chars() != "")
    bad = raw.filter(given & ~ok).select(ROW, col)
    problems: list[RawProblem] = [
        (row, col, value, f"is not a number of {what} from 0 to 20 years (expected e.g. 42)")
        for row, value in bad.head(1000).iter_rows()]
    if bad.height > 1000:
        problems.append((None, col, None, f"{bad.height:,} rows hold no number of {what} "
                         "(the first 1,000 are listed): check that this is the export's "
                         f"'{col}' column"))
    return pl.when(ok).then(m), problems


def _frame(raw: pl.DataFrame, ident: pl.Expr, platform: pl.Expr, opened: str, kind: pl.Expr,
           sentiment: pl.Expr, first: pl.Expr, resolved: pl.Expr,
           minutes: pl.Expr) -> pl.DataFrame:
    """The conversations text frame in the dataset's column order, and `OFFSET`: minutes
    from opening to the first response where the export gives a duration, not a time."""
    return raw.select(
        pl.col(ROW), ident.alias("conversation_id"), platform.alias("platform"),
        pl.col(opened).alias("opened_at"), kind.alias("kind"), sentiment.alias("sentiment"),
        first.alias("first_response_at"), resolved.alias("resolved_at"),
        pl.lit(None, dtype=pl.String).alias("campaign_id"),
        minutes.cast(pl.Float64).cast(pl.String).alias(OFFSET),
    )


def _notes(raw: pl.DataFrame, tool: str, type_col: str | None, first: str | None,
           what_first: str) -> list[str]:
    """The notes every helpdesk export gets: untyped tickets, the missing response column."""
    notes = [f"{tool} ticket export: one conversation per ticket", _ZONE_NOTE]
    untyped = raw.height if type_col is None else raw.filter(
        pl.col(type_col).is_null() | (pl.col(type_col).str.strip_chars() == "")).height
    if untyped:
        notes.append(f"{untyped} {'ticket' if untyped == 1 else 'tickets'} without a type "
                     "counted as questions")
    if first is None:
        notes.append(f"no first-response column: response times are missing, so the "
                     f"response KPIs cannot be computed from this file (export it with "
                     f"'{what_first}')")
    return notes


def prepare_zendesk(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """Zendesk tickets as conversations text (first response = created + first reply
    minutes)."""
    ident, created, via = cols["id"], cols["created at"], cols["via"]
    ttype, solved = pick(cols, "ticket type", "type"), pick(cols, "solved at")
    score = pick(cols, "satisfaction score", "satisfaction rating")
    reply = pick(cols, "first reply time in minutes")
    problems: list[RawProblem] = []
    minutes = pl.lit(None, dtype=pl.Float64)
    if reply is not None:
        minutes, problems = _duration(raw, reply, 1, "minutes")
    frame = _frame(raw, pl.lit("zendesk:") + pl.col(ident).str.strip_chars(), _platform(via),
                   created, _kind(ttype), _mapped(score, _SENTIMENTS, None),
                   pl.lit(None, dtype=pl.String), text_or_null(solved), minutes)
    used = {ident: "conversation_id", via: "platform", created: "opened_at"}
    labels = {"conversation_id": ident, "platform": via, "opened_at": created,
              "kind": ttype or "Ticket type", "first_response_at": reply or created}
    for h, c in ((ttype, "kind"), (score, "sentiment"), (reply, "first_response_at"),
                 (solved, "resolved_at")):
        if h is not None:
            used[h] = c
            labels[c] = h
    notes = _notes(raw, "Zendesk", ttype, reply, "First reply time in minutes")
    return Prepared({"conversations": frame}, {"conversations": labels}, ignored(raw, used),
                    notes, problems, carry={"conversations": (OFFSET,)})


def _kind(col: str | None) -> pl.Expr:
    """The ticket type as a conversation kind: known types mapped, no type = question,
    any other type = other."""
    if col is None:
        return pl.lit("question")
    low = pl.col(col).str.strip_chars().str.to_lowercase()
    return (pl.when(low.is_null() | (low == "")).then(pl.lit("question"))
            .otherwise(low.replace_strict(_KINDS, default="other", return_dtype=pl.String)))


def prepare_freshdesk(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """Freshdesk tickets as conversations text (first response = Initial response time, else
    created + first response hours)."""
    ident, created = cols["ticket id"], cols["created time"]
    source, ttype = pick(cols, "source"), pick(cols, "type", "ticket type")
    survey = pick(cols, "survey results", "survey result", "satisfaction rating")
    initial = pick(cols, "initial response time")
    hours = pick(cols, "first response time (in hrs)", "first response time")
    resolved, closed = pick(cols, "resolved time"), pick(cols, "closed time")
    problems: list[RawProblem] = []
    first, minutes = pl.lit(None, dtype=pl.String), pl.lit(None, dtype=pl.Float64)
    if initial is not None:
        first, used_first = pl.col(initial), initial
    elif hours is not None:
        minutes, problems = _duration(raw, hours, 60, "hours")
        used_first = hours
    else:
        used_first = None
    frame = _frame(raw, pl.lit("freshdesk:") + pl.col(ident).str.strip_chars(),
                   _platform(source), created, _kind(ttype),
                   _mapped(survey, _SENTIMENTS, None), first,
                   pl.coalesce(text_or_null(resolved), text_or_null(closed)), minutes)
    used = {ident: "conversation_id", created: "opened_at"}
    labels = {"conversation_id": ident, "platform": source or "Source", "opened_at": created,
              "kind": ttype or "Type", "first_response_at": used_first or created}
    for h, c in ((source, "platform"), (ttype, "kind"), (survey, "sentiment"),
                 (used_first, "first_response_at"), (resolved or closed, "resolved_at")):
        if h is not None:
            used[h] = c
            labels[c] = h
    notes = _notes(raw, "Freshdesk", ttype, used_first, "Initial response time")
    if closed is not None and resolved is not None:
        used[closed] = "resolved_at"
    if source is None:
        problems.append((None, "Source", None, "this Freshdesk ticket export has no 'Source' "
                         "column: export it again with the Source field ticked, so that each "
                         "ticket has its channel"))
    return Prepared({"conversations": frame}, {"conversations": labels}, ignored(raw, used),
                    notes, problems, carry={"conversations": (OFFSET,)})


def finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    """The first response where the export gives its duration: the typed opening time plus
    those minutes (so `Created at` is read by the common parser, in any of its layouts)."""
    df = typed["conversations"]
    minutes = pl.col(OFFSET).cast(pl.Float64)
    after = pl.col("opened_at") + pl.duration(microseconds=(minutes * 60e6).round(0)
                                              .cast(pl.Int64))
    df = df.with_columns(pl.when(minutes.is_not_null()).then(after)
                         .otherwise(pl.col("first_response_at")).alias("first_response_at"))
    return {"conversations": df.drop(OFFSET)}


ZENDESK = Format("zendesk_tickets", "conversations", detect_zendesk, prepare_zendesk, finish,
                 label="Zendesk ticket export",
                 menu="Zendesk Admin Center → Account → Tools → Reports → Export → CSV export")
FRESHDESK = Format("freshdesk_tickets", "conversations", detect_freshdesk, prepare_freshdesk,
                   finish, label="Freshdesk ticket export",
                   menu="Freshdesk → Tickets → Export → CSV (tick Source, Type, Initial "
                   "response time, Resolved time, Survey results)")
