"""Languages and local formats: Vietnamese first, English the other."""

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import has_request_context, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from contest.clock import local_zone
from contest.domain.moments import closing_parts, day_text

LOCALES = ("vi", "en")
TRANSLATIONS = Path(__file__).parent / "translations"
LOGIN_REQUIRED_MESSAGE = _l("Please log in to open this page.")

_HTTP_ERRORS = {
    400: ("bad_request", _l("The request is malformed.")),
    401: ("not_authenticated", _l("Please log in first.")),
    403: ("forbidden", _l("You are not allowed to do this.")),
    404: ("not_found", _l("This page or item does not exist.")),
    405: ("method_not_allowed", _l("This action is not allowed here.")),
    409: ("conflict", _l("This conflicts with the current state; reload and retry.")),
    413: ("too_large", _l("What you sent is too large.")),
    415: ("unsupported_media_type", _l("Send JSON with Content-Type: application/json.")),
    422: ("invalid", _l("What you sent is not valid.")),
    429: ("rate_limited", _l("Too many requests. Wait a moment and try again.")),
    500: ("server_error", _l("Something went wrong on our side. Please try again.")),
}


# What an error page says first, in plain words; the message under it says what to do.
_ERROR_HEADINGS = {
    400: _l("Something in the request was not right"),
    401: _l("Please log in"),
    403: _l("This page is not open to you"),
    404: _l("This page does not exist"),
    405: _l("This action is not possible here"),
    409: _l("Something changed in the meantime"),
    413: _l("What you sent is too large"),
    422: _l("Something you entered is not right"),
    429: _l("Too many attempts in a short time"),
    500: _l("Something went wrong on our side"),
}


def http_error_heading(status: int | None) -> str:
    """An error page's title in plain words (the status number stays in small print)."""
    return str(_ERROR_HEADINGS.get(status or 500, _ERROR_HEADINGS[500]))


def zone_label(zone_name: str) -> str:
    """The contest's time zone as people say it: "giờ Việt Nam (GMT+7)" for Asia/Ho_Chi_Minh,
    else the zone's name with its offset now."""
    offset = datetime.now(ZoneInfo(zone_name)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    gmt = f"GMT{'+' if minutes >= 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")
    if zone_name in ("Asia/Ho_Chi_Minh", "Asia/Saigon"):
        return _("Vietnam time (%(offset)s)", offset=gmt)
    return f"{zone_name} ({gmt})"


CONTEST_STATES = {
    "upcoming": _l("coming"),
    "open": _l("open"),
    "closed": _l("closed"),
    "published": _l("results published"),
}


def contest_state_label(state) -> str:
    """A contest's state (contest.models.ContestState) in the user's language."""
    return str(CONTEST_STATES[state.value])


def select_locale() -> str:
    """?lang= (remembered), else Vietnamese; an API client may ask by Accept-Language.

    Pages ignore the browser's language: civil servants often run an English browser, and the
    contest speaks Vietnamese to them unless they choose English."""
    if not has_request_context():
        return "vi"  # commands and jobs speak to Vietnamese organizers
    asked = request.args.get("lang")
    if asked in LOCALES:
        session["lang"] = asked
        return asked
    if session.get("lang") in LOCALES:
        return session["lang"]
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(LOCALES, default="vi") or "vi"
    return "vi"


def current_locale_code() -> str:
    """The language of the current request, as 'vi' or 'en'."""
    return str(get_locale() or "vi")


def compile_catalogs() -> None:
    """Compile each .po catalog whose .mo is missing or older (the .mo files are not tracked)."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        temporary = mo_path.with_suffix(".mo.tmp")
        with temporary.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        temporary.replace(mo_path)


def http_error_code(status: int | None) -> str:
    """The stable error code of an HTTP status."""
    return _HTTP_ERRORS.get(status or 500, ("error", ""))[0]


def http_error_message(status: int | None) -> str:
    """A message for an HTTP status, in the user's language."""
    return str(_HTTP_ERRORS.get(status or 500, _HTTP_ERRORS[500])[1])


def format_local_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in the contest's time zone."""
    if value is None:
        return ""
    return value.astimezone(local_zone()).strftime("%d/%m/%Y %H:%M")


def format_local_moment(value: datetime | None, closing: bool = False) -> str:
    """A window's bound as a plan writes it: "07:00 ngày 15/09/2021"; with closing, a close at
    local midnight reads "24:00 ngày 15/10/2021" (the day it ends, not the next one)."""
    if value is None:
        return ""
    local = value.astimezone(local_zone()).replace(tzinfo=None)
    on, clock = closing_parts(local) if closing else (local.date(), local.strftime("%H:%M"))
    return _("%(time)s on %(date)s", time=clock, date=day_text(on))


def format_local_close(value: datetime | None) -> str:
    """A closing time (quiz, videos): "24:00 ngày 15/10/2021" for a close at local midnight.

    The one way a close is shown, on pages, in messages and in exports."""
    return format_local_moment(value, closing=True)


def format_local_date(value: datetime) -> str:
    """dd/mm/yyyy: the day in the contest's time zone."""
    return value.astimezone(local_zone()).strftime("%d/%m/%Y")


def format_local_time(value: datetime) -> str:
    """HH:MM in the contest's time zone."""
    return value.astimezone(local_zone()).strftime("%H:%M")


def format_local_day_month(value: datetime) -> str:
    """dd/mm in the contest's time zone (a day of the running contest: its year goes unsaid)."""
    return value.astimezone(local_zone()).strftime("%d/%m")


def format_money(amount: int | None) -> str:
    """Vietnamese dong: 10.000.000 đ."""
    if amount is None:
        return ""
    return f"{amount:,}".replace(",", ".") + " đ"


def format_duration_ms(milliseconds: int | None) -> str:
    """A round's duration as people say it: "54,3 giây", "1 phút 05,3 giây" (tenths, cut not
    rounded, so that a time never reads longer than it was)."""
    if milliseconds is None:
        return ""
    minutes, rest = divmod(milliseconds, 60_000)
    whole, tenths = rest // 1000, rest % 1000 // 100
    if not minutes:
        return _("%(seconds)s seconds", seconds=f"{whole},{tenths}")
    seconds = f"{whole:02d},{tenths}"
    return _("%(minutes)s min %(seconds)s seconds", minutes=minutes, seconds=seconds)


def format_time_limit(seconds: int | None) -> str:
    """A time limit in whole seconds: "10 phút", "1 phút 30 giây", "45 giây" (never rounded)."""
    if seconds is None:
        return ""
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return _("%(seconds)s seconds", seconds=rest)
    if not rest:
        return _("%(minutes)s minutes", minutes=minutes)
    return _("%(minutes)s min %(seconds)s seconds", minutes=minutes, seconds=f"{rest:02d}")


def format_time_left(left: timedelta) -> str:
    """Time until a deadline as a countdown reads: "3 ngày 4 giờ 12 phút", "12 phút" (the
    largest two or three units that are not zero; minutes rounded down)."""
    minutes = max(0, int(left.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)s d", n=days))
    if days or hours:
        parts.append(_("%(n)s h", n=hours))
    parts.append(_("%(n)s min", n=minutes))
    return " ".join(parts)


def format_size(size_bytes: int) -> str:
    """A size as file managers show it: 1 GB, 350,5 MB, 12 KB (powers of 1024, decimal comma)."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size_bytes >= factor:
            value = size_bytes / factor
            text = f"{value:.1f}".rstrip("0").rstrip(".")
            return f"{text.replace('.', ',')} {unit}"
    return f"{size_bytes} B"


def format_points(points: Decimal | str | None) -> str:
    """Points as judges write them: 35, 35,5, 35,25 (also from a snapshot's text "35.50")."""
    if points is None:
        return "—"
    text = f"{Decimal(points):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def format_video_length(seconds: float | None) -> str:
    """A video's length as people read it: 0:42, 3:05, 1:02:07."""
    if seconds is None:
        return ""
    minutes, second = divmod(round(seconds), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{second:02d}" if hours else f"{minute}:{second:02d}"
