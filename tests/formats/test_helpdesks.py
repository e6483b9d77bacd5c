"""Helpdesk ticket exports (smmkpi.ingest.formats.helpdesks): Zendesk and Freshdesk."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from smmkpi.ingest import parse_file
from smmkpi.ingest.formats import detect_format

GOOD = Path(__file__).parent.parent / "data" / "good"


def _utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)


def _rows(pf) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in pf.frames["conversations"].rows()}


def test_zendesk_ticket_export():
    pf = parse_file(GOOD / "zendesk_tickets.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert (pf.fmt, pf.dataset) == ("zendesk_tickets", "conversations")
    rows = _rows(pf)
    # 101: created 09:15 + 25 minutes = 09:40; solved 11:00; Good -> positive
    assert rows["zendesk:101"] == ("web", _utc(2026, 3, 1, 9, 15), "question", "positive",
                                   _utc(2026, 3, 1, 9, 40), _utc(2026, 3, 1, 11, 0), None)
    # 102: 22:40 + 1,310 minutes (21 h 50 min) = 2026-03-02 20:30, calendar minutes (not the
    # 80 business-hours ones); Incident -> complaint, Bad -> negative, unsolved
    assert rows["zendesk:102"] == ("facebook", _utc(2026, 3, 1, 22, 40), "complaint",
                                   "negative", _utc(2026, 3, 2, 20, 30), None, None)
    # 103: no type -> question; Offered -> no sentiment; no reply yet
    assert rows["zendesk:103"] == ("x", _utc(2026, 3, 2, 10, 0), "question", None, None,
                                   None, None)
    assert rows["zendesk:104"][:2] == ("email", _utc(2026, 3, 2, 12, 0))
    assert rows["zendesk:104"][2:4] == ("other", None)
    assert any("1 ticket without a type counted as questions" in n for n in pf.notes)
    assert pf.mapping["First reply time in minutes within business hours"] is None


def test_zendesk_without_a_first_reply_column_is_accepted_with_a_note():
    csv = ("Id,Via,Ticket type,Created at,Solved at\n"
           "1,Email,Question,2026-03-01 09:00,2026-03-01 10:00\n")
    pf = parse_file(csv.encode())
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["conversations"]["first_response_at"].to_list() == [None]
    assert any(n.startswith("no first-response column: response times are missing")
               and "'First reply time in minutes'" in n for n in pf.notes)


def test_zendesk_bad_minutes_are_named_by_row_and_column():
    csv = ("Id,Via,Ticket type,Created at,First reply time in minutes\n"
           "1,Email,Question,2026-03-01 09:00,soon\n")
    (p,) = parse_file(csv.encode()).problems
    assert (p.row, p.column, p.value) == (2, "First reply time in minutes", "soon")


def test_freshdesk_ticket_export():
    pf = parse_file(GOOD / "freshdesk_tickets.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert (pf.fmt, pf.dataset) == ("freshdesk_tickets", "conversations")
    rows = _rows(pf)
    assert rows["freshdesk:5001"] == ("email", _utc(2026, 3, 3, 8, 0), "question", "positive",
                                      _utc(2026, 3, 3, 8, 45), _utc(2026, 3, 3, 12, 0), None)
    assert rows["freshdesk:5002"] == ("instagram", _utc(2026, 3, 3, 21, 30), "complaint",
                                      None, None, None, None)
    # no Resolved time: the Closed time; Feature Request -> suggestion; Portal -> web
    assert rows["freshdesk:5003"] == ("web", _utc(2026, 3, 4, 10, 0), "suggestion", "neutral",
                                      _utc(2026, 3, 4, 10, 10), _utc(2026, 3, 4, 15, 0), None)


def test_freshdesk_first_response_hours_when_no_initial_response_time():
    csv = ("Ticket ID,Source,Type,Created time,First response time (in hrs)\n"
           "7,Chat,Question,2026-03-01 09:00:00,1:30:00\n"
           "8,Phone,Question,2026-03-01 09:00:00,2.25\n")
    pf = parse_file(csv.encode())
    assert pf.ok, [str(p) for p in pf.problems]
    rows = _rows(pf)
    assert rows["freshdesk:7"][0] == "chat" and rows["freshdesk:7"][4] == _utc(2026, 3, 1, 10, 30)
    assert rows["freshdesk:8"][0] == "phone" and rows["freshdesk:8"][4] == _utc(2026, 3, 1, 11, 15)


def test_detect_format():
    assert detect_format(["Id", "Via", "Created at", "Ticket type"], []).name == "zendesk_tickets"
    assert detect_format(["Ticket ID", "Created time", "Source"], []).name == "freshdesk_tickets"
    # a canonical conversations file is no helpdesk export
    assert detect_format(["conversation_id", "platform", "opened_at", "kind"], []) is None


def test_zendesk_created_at_in_any_layout_the_common_parser_reads():
    """The first reply is added to the typed Created at, so a US layout (3/13 decides month
    first) and a zone work like ISO times."""
    csv = ("Id,Via,Ticket type,Created at,First reply time in minutes\n"
           "1,Email,Question,03/13/2026 22:40,90\n"
           "2,Email,Question,03/12/2026 8:05 PM,15\n"
           "3,Chat,Question,2026-03-14T09:00:00+02:00,1\n")
    pf = parse_file(csv.encode())
    assert pf.ok, [str(p) for p in pf.problems]
    rows = _rows(pf)
    assert rows["zendesk:1"][1::3] == (_utc(2026, 3, 13, 22, 40), _utc(2026, 3, 14, 0, 10))
    assert rows["zendesk:2"][1::3] == (_utc(2026, 3, 12, 20, 5), _utc(2026, 3, 12, 20, 20))
    assert rows["zendesk:3"][1::3] == (_utc(2026, 3, 14, 7, 0), _utc(2026, 3, 14, 7, 1))
    assert "__first_response_minutes" not in pf.frames["conversations"].columns


def test_first_reply_minutes_out_of_range_are_problems_not_stored():
    csv = ("Id,Via,Ticket type,Created at,First reply time in minutes\n"
           "1,Email,Question,2026-03-01 09:00,-5\n"
           "2,Email,Question,2026-03-01 09:00,1e15\n"
           "3,Email,Question,2026-03-01 09:00,30\n")
    pf = parse_file(csv.encode())
    assert [(p.row, p.value) for p in pf.problems] == [(2, "-5"), (3, "1e15")]
    assert "internal error" not in " ".join(p.message for p in pf.problems)
