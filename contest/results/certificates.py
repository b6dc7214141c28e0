"""Printable certificates (giấy chứng nhận) of the approved prizes: one A4 landscape page per
award, all in one PDF, printed with a font bundled in static/fonts so that every Vietnamese
letter comes out the same on any machine (the PDF standard fonts have no ạ, ễ or đ)."""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from contest.domain.prizes import VIDEO
from contest.i18n import format_local_date, format_money
from contest.models import Contest
from contest.results.workflow import ResultsRefused, current_snapshot

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
FONT = "DejaVuSerif"
RED = (155, 28, 32)
BLUE = (20, 45, 110)
INK = (30, 30, 30)
MARGIN = 25  # mm, inside the double frame
SIGNATURE_TOP = 148  # mm


@dataclass(frozen=True)
class Certificate:
    """What one certificate says: the contest, who won which prize, the amount, the day."""

    contest: str
    organizer: str | None
    category: str
    prize: str
    winner: str
    unit: str | None
    amount: int
    issued_at: datetime
    authority: str | None = None  # the body above the organizer, printed above it


def approved_certificates(contest: Contest, number: int | None = None) -> list[Certificate]:
    """The certificates of the approved prizes in the prize list's order, or the `number`th
    (from 1) alone; refused before approval, IndexError for a number past the list.

    They are dated the day the results were approved, so that a reprint is the same page.
    """
    snapshot = current_snapshot(contest)
    if snapshot is None:
        raise ResultsRefused(_l("Approve the results before printing the certificates."))
    awards = snapshot.content["prizes"]
    if not awards:
        raise ResultsRefused(_l("The approved results award no prize."))
    if number is not None:
        if not 1 <= number <= len(awards):
            raise IndexError(f"no award number {number}")
        awards = [awards[number - 1]]
    return [
        Certificate(
            contest=contest.name,
            organizer=contest.organizer_name,
            authority=contest.authority_name,
            category=award["category"],
            prize=award["tier"],
            # Snapshots approved before the winner's name and unit were kept apart have the
            # label only, which names both on one line.
            winner=award.get("winner", award["label"]),
            unit=award.get("unit"),
            amount=award["amount"],
            issued_at=snapshot.approved_at,
        )
        for award in awards
    ]


def render_certificates(certificates: Sequence[Certificate]) -> bytes:
    """The certificates as one PDF, a page each, in the current language."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)  # one page per award: long texts shrink instead
    pdf.add_font(FONT, "", FONTS / "DejaVuSerif.ttf")
    pdf.add_font(FONT, "B", FONTS / "DejaVuSerif-Bold.ttf")
    if certificates:
        pdf.set_title(_text(certificates[0].contest))
    for certificate in certificates:
        _page(pdf, certificate)
    return bytes(pdf.output())


def _page(pdf: FPDF, certificate: Certificate) -> None:
    pdf.add_page()
    _frame(pdf)
    _heading(pdf, certificate.organizer, certificate.authority)
    pdf.set_y(54)
    _centred(pdf, _("Certificate").upper(), 34, bold=True, color=RED)
    pdf.ln(2)
    _centred(pdf, certificate.contest, 15, lines=2)
    pdf.ln(7)
    _centred(pdf, _("Awarded to"), 13)
    pdf.ln(1)
    winner = f"“{certificate.winner}”" if certificate.category == VIDEO else certificate.winner
    _centred(pdf, winner, 24, bold=True, color=BLUE, lines=2)
    if certificate.unit:
        _centred(pdf, _("Unit: %(unit)s", unit=certificate.unit), 15, lines=2)
    pdf.ln(5)
    _centred(pdf, _("Winner of the %(prize)s", prize=certificate.prize), 20, bold=True, color=RED)
    pdf.ln(1)
    amount = format_money(certificate.amount)
    _centred(pdf, _("Prize money: %(amount)s", amount=amount), 14)
    _signature(pdf, certificate.issued_at)


def _frame(pdf: FPDF) -> None:
    """A double border, thick outside, thin inside."""
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.4)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.35)
    pdf.rect(14, 14, pdf.w - 28, pdf.h - 28)


def _heading(pdf: FPDF, organizer: str | None, authority: str | None = None) -> None:
    """The issuing body on the left (under the authority above it, not bold, when there is
    one) and the national motto on the right, as Vietnamese official papers open."""
    half = (pdf.w - 2 * MARGIN) / 2
    pdf.set_xy(MARGIN, 24)
    # Both names may be long (300 characters): they get smaller rather than reach the title.
    if authority:
        _block(pdf, authority.upper(), half - 10, 11, lines=2, smallest=5)
    if organizer:
        pdf.set_x(MARGIN)
        _block(pdf, organizer.upper(), half - 10, 11, bold=True, smallest=5 if authority else 8)
    pdf.set_xy(MARGIN + half, 24)
    _block(pdf, _("Socialist Republic of Vietnam").upper(), half, 11, bold=True)
    pdf.set_x(MARGIN + half)
    motto = _text(_("Independence – Freedom – Happiness"))
    _block(pdf, motto, half, 11, bold=True)
    underline = pdf.get_string_width(motto)
    centre = MARGIN + 1.5 * half
    pdf.set_line_width(0.3)
    pdf.set_draw_color(*INK)
    pdf.line(centre - underline / 2, pdf.get_y() + 0.5, centre + underline / 2, pdf.get_y() + 0.5)


def _signature(pdf: FPDF, issued_at: datetime) -> None:
    """The date and the organizing committee at the bottom right, below the text however
    long it ran, room left to sign and stamp below."""
    width = 110
    pdf.set_xy(pdf.w - MARGIN - width, max(pdf.get_y() + 6, SIGNATURE_TOP))
    date = format_local_date(issued_at)
    _block(pdf, _("Issued on %(date)s", date=date), width, 13)
    pdf.set_x(pdf.w - MARGIN - width)
    _block(pdf, _("The Organizing Committee").upper(), width, 13, bold=True)


def _centred(pdf: FPDF, text: str, size: float, bold=False, color=INK, lines: int = 1) -> None:
    """A line across the page, centred; a text too long for `lines` lines gets smaller."""
    pdf.set_x(MARGIN)
    _block(pdf, text, pdf.w - 2 * MARGIN, size, bold=bold, color=color, lines=lines)


def _block(
    pdf, text: str, width: float, size: float, bold=False, color=INK, lines=3, smallest=8
) -> None:
    text = _text(text)
    pdf.set_text_color(*color)
    pdf.set_font(FONT, "B" if bold else "", size)
    while size > smallest and len(_wrapped(pdf, text, width)) > lines:
        size -= 1
        pdf.set_font_size(size)
    pdf.multi_cell(width, _line_height(size), text, align="C", new_x="LEFT", new_y="NEXT")


def _wrapped(pdf: FPDF, text: str, width: float) -> list[str]:
    return pdf.multi_cell(width, 1, text, dry_run=True, output=MethodReturnValue.LINES)


def _line_height(size: float) -> float:
    return size * 0.3528 * 1.35  # points to millimetres, and some leading


def _text(text: str) -> str:
    """Vietnamese typed with combining accents (some keyboards do) in composed letters: the
    PDF places no combining mark without text shaping, and the font has every composed one."""
    return unicodedata.normalize("NFC", text)
