"""A digest as a PDF (fpdf2: pure Python, no network): the KPI table, the charts as images,
the targets most behind, the alerts, the annotations and the link back to the page.

Charts are rendered by Plotly's image export (kaleido), which drives the machine's Chromium
locally (no network); where that is not available the PDF still renders, with its tables,
and says that the charts were omitted and why. Text is set in DejaVu Sans when the system
has it (every character), else in Helvetica with the characters it lacks replaced."""

from __future__ import annotations

import contextlib
import io
import logging
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from smmkpi.notify.digests import Digest

log = logging.getLogger("smmkpi.pdf")
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts"))
CHART_SIZE = (900, 380)  # px of a chart image (rendered at twice that for print)
_LATIN1 = {"–": "-", "—": "-", "·": "|", "→": "->", "…": "...", "≈": "~", "’": "'",
           "“": '"', "”": '"', "\u2060": "", "\u202f": " ", "\u00a0": " "}


_RENDER = threading.Lock()  # one batch at a time: kaleido's server is one per process


def chart_images(figs: Sequence[dict[str, Any]]) -> list[bytes | None]:
    """PNG bytes per figure (None where it could not be rendered; the reason is logged
    and `last_error` keeps it for the PDF's note). One Chromium serves the whole batch
    (3 charts: 3.7 s instead of 10.6 s starting one per chart)."""
    if not figs:
        return []
    with _RENDER, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "kopts ignored if using a server"
        server = False
        try:
            import kaleido

            kaleido.start_sync_server(silence_warnings=True)
            server = True
        except Exception as e:  # noqa: BLE001 - each chart then tries on its own
            log.warning("kaleido server not started: %s", e)
        try:
            return _images(figs)
        finally:
            if server:
                with contextlib.suppress(Exception):
                    kaleido.stop_sync_server(silence_warnings=True)


def _images(figs: Sequence[dict[str, Any]]) -> list[bytes | None]:
    global last_error
    last_error = None  # each batch tries again (a Chromium may have been installed since)
    out: list[bytes | None] = []
    for fig in figs:
        if last_error and last_error.startswith("no image export"):
            out.append(None)
            continue
        try:
            import plotly.io as pio

            layout = {**fig.get("layout", {}), "paper_bgcolor": "white",
                      "plot_bgcolor": "white"}
            out.append(pio.to_image({**fig, "layout": layout}, format="png",
                                    width=CHART_SIZE[0], height=CHART_SIZE[1], scale=2))
        except Exception as e:  # noqa: BLE001 - the PDF says charts were omitted
            kind = ("no image export (Plotly's kaleido with Chromium)" if isinstance(
                e, ImportError | RuntimeError) or "chrom" in str(e).lower() else
                "the chart could not be rendered")
            last_error = f"{kind}: {type(e).__name__}: {e}"[:300]
            log.warning("chart image not rendered: %s", last_error)
            out.append(None)
    return out


last_error: str | None = None


def _font_files() -> tuple[Path, Path] | None:
    for d in FONT_DIRS:
        regular, bold = d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


class _Doc:
    """fpdf2 with the one font and a text cleaner for the core font."""

    def __init__(self) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_auto_page_break(True, margin=15)
        self.pdf.set_margins(15, 15, 15)
        files = _font_files()
        if files:
            self.pdf.add_font("DejaVu", "", str(files[0]))
            self.pdf.add_font("DejaVu", "B", str(files[1]))
            self.family, self.unicode = "DejaVu", True
        else:
            self.family, self.unicode = "Helvetica", False
        self.pdf.add_page()

    def t(self, text: object) -> str:
        s = "" if text is None else str(text)
        if self.unicode:
            return s
        for a, b in _LATIN1.items():
            s = s.replace(a, b)
        return s.encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)

    def heading(self, text: str, size: float = 13) -> None:
        self.pdf.ln(3)
        self.font(size, True)
        self.pdf.multi_cell(0, 7, self.t(text), new_x="LMARGIN", new_y="NEXT", align="L")
        self.font(10)

    def para(self, text: str, size: float = 10, colour: int = 60) -> None:
        self.font(size)
        self.pdf.set_text_color(colour)
        self.pdf.multi_cell(0, 5, self.t(text), new_x="LMARGIN", new_y="NEXT", align="L")
        self.pdf.set_text_color(0)

    def table(self, df: pl.DataFrame, widths: Sequence[float] | None = None) -> None:
        self.font(9)
        with self.pdf.table(col_widths=widths, text_align="LEFT", line_height=5,
                            first_row_as_headings=True) as table:
            head = table.row()
            for c in df.columns:
                head.cell(self.t(c))
            for r in df.iter_rows():
                row = table.row()
                for v in r:
                    row.cell(self.t(v))

    def bullets(self, items: Sequence[str], empty: str) -> None:
        if not items:
            self.para(empty)
            return
        self.font(10)
        for i in items:
            self.pdf.multi_cell(0, 5, self.t(f"• {i}" if self.unicode else f"- {i}"),
                                new_x="LMARGIN", new_y="NEXT", align="L")


def render(d: Digest, images: Sequence[bytes | None]) -> bytes:
    """The digest as PDF bytes."""
    doc = _Doc()
    pdf = doc.pdf
    pdf.set_title(doc.t(f"{d.title}: {d.period_label}"))
    pdf.set_creator("smmkpi")
    doc.font(18, True)
    pdf.multi_cell(0, 9, doc.t(f"{d.title}: {d.period_label}"), new_x="LMARGIN", new_y="NEXT",
                   align="L")
    comp = f"; compared with {d.comparison_label}" if d.comparison else ""
    doc.para(f"{d.question}\n{d.scope}{comp}")
    doc.heading("KPIs")
    doc.table(d.tiles, widths=(58, 30, 30, 22, 40))
    omitted = [t for (t, _), png in zip(d.charts, images, strict=True) if png is None]
    for png in images:
        if png is not None:  # the image carries its title (unit and period)
            pdf.ln(3)
            pdf.image(io.BytesIO(png), w=pdf.epw)
    if omitted:
        doc.heading("Charts omitted", 11)
        doc.para(f"{', '.join(omitted)}: not rendered here ({last_error or 'no image'}). "
                 "They are on the page itself.")
    elif not d.charts:
        doc.para("No chart: the period has no daily figures for this page.")
    doc.heading("Targets most behind pace" if d.page != "targets" else "Targets")
    doc.bullets(d.targets, "No target is at risk or off track.")
    doc.heading("Alerts since the period began")
    doc.bullets(d.alerts, "No alerts were sent.")
    doc.heading("Annotations in the period")
    if d.annotations.height:
        doc.table(d.annotations, widths=(30, 45, 35, 22, 48))
    else:
        doc.para("No annotations in this period.")
    pdf.ln(4)
    doc.para(f"Open the page: {d.link}", size=9)
    doc.para("smmkpi digest. Subscriptions are edited on the Alerts page.", size=8, colour=120)
    return bytes(pdf.output())
