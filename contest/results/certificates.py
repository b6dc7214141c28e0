"""Printable certificates (giấy chứng nhận) of the approved prizes: one A4 landscape page per
award, all in one PDF, printed with a font bundled in static/fonts so that every Vietnamese
letter comes out the same on any machine (the PDF standard fonts have no ạ, ễ or đ).

The page follows the administrative format of Nghị định 30/2020/NĐ-CP: top left the authority
above and the organizing body in capitals, a short rule under them and the certificate's
number; top right the national name and motto, ruled; then the text; bottom right
"<Place>, ngày 05 tháng 01 năm 2027", "TM. BAN TỔ CHỨC", the signer's title, room to sign and
stamp, and the signer's name. The prize money is printed only when the contest says so."""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from contest.clock import local_zone
from contest.domain.prizes import UNIT, VIDEO
from contest.i18n import format_money
from contest.models import Contest
from contest.results.workflow import ResultsRefused, current_snapshot

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
FONT = "DejaVuSerif"
RED = (155, 28, 32)
BLUE = (20, 45, 110)
INK = (30, 30, 30)
MARGIN = 25  # mm, inside the double frame
SIGNATURE_TOP = 136  # mm
PAGE_BOTTOM = 192  # mm: the lowest line stays above the inner frame (196 mm)
SIGNING_ROOM = 22  # mm left to sign and stamp, less when a long text took it


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
    number: int | None = None  # its place in the approved prize list: "Số: 03/GCN"
    place: str | None = None  # "Sóc Trăng, ngày …"
    signer_name: str | None = None
    signer_title: str | None = None  # empty: the head of the committee
    decision: str | None = None  # the number of the decision awarding the prizes
    shows_amount: bool = False


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
    numbered = list(enumerate(awards, 1))
    if number is not None:
        if not 1 <= number <= len(awards):
            raise IndexError(f"no award number {number}")
        numbered = [numbered[number - 1]]
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
            number=position,
            place=contest.place_name,
            signer_name=contest.signer_name,
            signer_title=contest.signer_title,
            decision=contest.award_decision,
            shows_amount=contest.certificate_shows_amount,
        )
        for position, award in numbered
    ]


def render_certificates(certificates: Sequence[Certificate]) -> bytes:
    """The certificates as one PDF, a page each, in the current language."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)  # one page per award: long texts shrink instead
    pdf.add_font(FONT, "", FONTS / "DejaVuSerif.ttf")
    pdf.add_font(FONT, "B", FONTS / "DejaVuSerif-Bold.ttf")
    pdf.add_font(FONT, "I", FONTS / "DejaVuSerif-Italic.ttf")
    if certificates:
        pdf.set_title(_text(certificates[0].contest))
    for certificate in certificates:
        _page(pdf, certificate)
    return bytes(pdf.output())


def _page(pdf: FPDF, certificate: Certificate) -> None:
    pdf.add_page()
    _frame(pdf)
    _heading(pdf, certificate.organizer, certificate.authority, certificate.number)
    pdf.set_y(max(pdf.get_y() + 4, 58))
    _centred(pdf, _("Certificate").upper(), 32, bold=True, color=RED)
    pdf.ln(1)
    _centred(pdf, certificate.contest, 15, lines=2)
    pdf.ln(5)
    _centred(pdf, _("Awarded to"), 13)
    pdf.ln(1)
    winner = f"“{certificate.winner}”" if certificate.category == VIDEO else certificate.winner
    _centred(pdf, winner, 24, bold=True, color=BLUE, lines=2)
    if certificate.unit:
        _centred(pdf, _("Unit: %(unit)s", unit=certificate.unit), 15, lines=2)
    pdf.ln(4)
    prize = certificate.prize
    if certificate.category == UNIT:
        prize = _("%(prize)s (collective)", prize=prize)
    _centred(pdf, _("Winner of the %(prize)s", prize=prize), 20, bold=True, color=RED)
    if certificate.shows_amount:
        amount = format_money(certificate.amount)
        _centred(pdf, _("Prize money: %(amount)s", amount=amount), 14)
    if certificate.decision:
        decision = _("Under decision no. %(decision)s", decision=certificate.decision)
        _centred(pdf, f"({decision})", 12, italic=True)
    _signature(pdf, certificate)


def _frame(pdf: FPDF) -> None:
    """A double border, thick outside, thin inside."""
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.4)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.35)
    pdf.rect(14, 14, pdf.w - 28, pdf.h - 28)


def _heading(
    pdf: FPDF, organizer: str | None, authority: str | None = None, number: int | None = None
) -> None:
    """The issuing body on the left (under the authority above it, not bold, when there is
    one), ruled, with the certificate's number; the national name and motto on the right,
    the motto ruled, as Vietnamese official papers open. Ends below the lower column."""
    half = (pdf.w - 2 * MARGIN) / 2
    left = half - 10
    pdf.set_xy(MARGIN, 22)
    # Both names may be long (300 characters): they get smaller rather than reach the title.
    if authority:
        _block(pdf, authority.upper(), left, 11, lines=2, smallest=5)
    if organizer:
        pdf.set_x(MARGIN)
        _block(pdf, organizer.upper(), left, 11, bold=True, smallest=5 if authority else 8)
    if authority or organizer:
        _rule(pdf, MARGIN + left / 2, left / 3)
    if number is not None:
        pdf.set_xy(MARGIN, pdf.get_y() + 2)
        _block(pdf, _("No. %(number)s/GCN", number=f"{number:02d}"), left, 11)
    bottom_left = pdf.get_y()
    pdf.set_xy(MARGIN + half, 22)
    _block(pdf, _("Socialist Republic of Vietnam").upper(), half, 11, bold=True)
    pdf.set_x(MARGIN + half)
    motto = _text(_("Independence – Freedom – Happiness"))
    _block(pdf, motto, half, 11, bold=True)
    _rule(pdf, MARGIN + 1.5 * half, pdf.get_string_width(motto))
    pdf.set_y(max(bottom_left, pdf.get_y()))


def _rule(pdf: FPDF, centre: float, width: float) -> None:
    """A thin line under the text just written, centred on `centre`."""
    pdf.set_line_width(0.3)
    pdf.set_draw_color(*INK)
    y = pdf.get_y() + 1.2
    pdf.line(centre - width / 2, y, centre + width / 2, y)
    pdf.set_y(y + 0.8)


def administrative_date(moment: datetime) -> tuple[str, str, str]:
    """Day, month and year as Nghị định 30/2020/NĐ-CP writes them: a day below 10 and the
    months 1 and 2 with a leading zero ("ngày 05 tháng 01", "ngày 17 tháng 10")."""
    month = f"{moment.month:02d}" if moment.month < 3 else str(moment.month)
    return f"{moment.day:02d}", month, str(moment.year)


def _signature(pdf: FPDF, certificate: Certificate) -> None:
    """Place and date, the committee and the signer's title at the bottom right, below the
    text however long it ran; room to sign and stamp, then the signer's name."""
    width = 120
    top = max(pdf.get_y() + 4, SIGNATURE_TOP)
    pdf.set_xy(pdf.w - MARGIN - width, top)
    day, month, year = administrative_date(certificate.issued_at.astimezone(local_zone()))
    if certificate.place:
        dated = _(
            "%(place)s, %(day)s/%(month)s/%(year)s",
            place=certificate.place,
            day=day,
            month=month,
            year=year,
        )
    else:
        dated = _("Date: %(day)s/%(month)s/%(year)s", day=day, month=month, year=year)
    _block(pdf, dated, width, 13, italic=True, lines=1)
    pdf.set_x(pdf.w - MARGIN - width)
    _block(pdf, _("On behalf of the Organizing Committee").upper(), width, 13, bold=True)
    pdf.set_x(pdf.w - MARGIN - width)
    title = certificate.signer_title or _("Head of the committee")
    _block(pdf, title.upper(), width, 13, bold=True, lines=1)
    if certificate.signer_name:
        name_height = _line_height(13)
        room = min(SIGNING_ROOM, PAGE_BOTTOM - name_height - pdf.get_y())
        pdf.set_xy(pdf.w - MARGIN - width, pdf.get_y() + max(room, 0))
        _block(pdf, certificate.signer_name, width, 13, bold=True, lines=1)


def _centred(
    pdf: FPDF, text: str, size: float, bold=False, color=INK, lines: int = 1, italic=False
) -> None:
    """A line across the page, centred; a text too long for `lines` lines gets smaller."""
    pdf.set_x(MARGIN)
    width = pdf.w - 2 * MARGIN
    _block(pdf, text, width, size, bold=bold, color=color, lines=lines, italic=italic)


def _block(
    pdf,
    text: str,
    width: float,
    size: float,
    bold=False,
    color=INK,
    lines=3,
    smallest=8,
    italic=False,
) -> None:
    text = _text(text)
    pdf.set_text_color(*color)
    pdf.set_font(FONT, "B" if bold else "I" if italic else "", size)
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
