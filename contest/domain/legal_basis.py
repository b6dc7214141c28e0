"""What a question rests on: a legal document, its version, the article, clause and point, and
the dates between which that basis is in force. Plain data, no Flask, no SQL.

A basis is *in force* on a day D when it has started (`in_force_from` is empty or D is on or
after it) and has not ended (`in_force_until` is empty or D is before it): `in_force_until` is
the first day the text no longer applies ("hết hiệu lực kể từ ngày"), as the documents write it.
A question's window is its own (a clause amended later may end before the whole document) within
its document's; a document superseded by another ends on the day the new one takes over.

`parse_citation` reads the citations the bank was written with ("Luật Cán bộ, công chức 2008
(sửa đổi, bổ sung năm 2019), điểm a khoản 1 Điều 36 (...)") into a basis, or None when the
citation names no legal document (a report, an index) so that a person has to look at it.
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

# The kinds of legal documents, longest first so that "Bộ luật" is not read as "Luật".
DOCUMENT_KINDS = (
    "Văn bản hợp nhất",
    "Hiến pháp",
    "Pháp lệnh",
    "Nghị quyết",
    "Nghị định",
    "Quyết định",
    "Thông tư",
    "Chỉ thị",
    "Bộ luật",
    "Luật",
)
_KIND = "|".join(DOCUMENT_KINDS)
# 22/2008/QH12, 10/CT-TTg, 30c/NQ-CP, 61/2018/NĐ-CP, 876/QĐ-BNV, 25/VBHN-VPQH
NUMBER = r"\d+[a-z]?/(?:\d{4}/)?[A-ZĐ][A-Za-zĐđ]*\d*(?:-[A-ZĐ][A-Za-zĐđ]*\d*)*"
_DATE = r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<issued_year>\d{4})"
_DOCUMENT = re.compile(
    rf"(?P<kind>{_KIND})\s+(?:(?P<name>[^()]+?)\s+)??(?:số\s+)?"
    rf"(?:(?P<number>{NUMBER})|(?P<year>(?:19|20)\d\d))(?=[\s,;:.()]|$)"
    rf"(?:\s+ngày\s+{_DATE})?(?:\s+năm\s+(?P<named_year>(?:19|20)\d\d))?"
)
_LOCATOR = re.compile(
    r"(?:điểm\s+(?P<point>[a-zđ])(?:\s+và\s+điểm\s+(?P<point2>[a-zđ]))?\s+)?"
    r"(?:khoản\s+(?P<clause>\d+)\s+)?Điều\s+(?P<article>\d+[a-z]?)\b"
)
_VERSIONS = (
    re.compile(r"\((?P<version>sửa đổi, bổ sung năm \d{4})\)"),
    re.compile(r"\((?P<version>Văn bản hợp nhất [^)]*)\)"),
    re.compile(rf"sửa đổi(?:, bổ sung)? bởi (?:khoản \d+ Điều \d+ )?(?P<law>Luật số {NUMBER})"),
)


@dataclass(frozen=True)
class DocumentRef:
    """A legal document as a citation names it; `year` is the year in its number or title."""

    kind: str
    number: str | None = None
    issued_on: date | None = None
    name: str | None = None
    year: int | None = None

    @property
    def label(self) -> str:
        """How the document is written in Vietnamese: "Luật Viên chức số 58/2010/QH12"."""
        parts = [self.kind]
        if self.name:
            parts.append(self.name)
        if self.number:
            parts.append(f"số {self.number}" if self.name else self.number)
        elif self.year:
            parts.append(str(self.year))
        if self.issued_on:
            parts.append(f"ngày {self.issued_on:%d/%m/%Y}")
        return " ".join(parts)

    def is_same_as(self, other: "DocumentRef") -> bool:
        """Whether both name one document: by number (and year, when both are known: a number
        such as 10/CT-TTg recurs every year), else by kind, name and year."""
        if self.number and other.number:
            years_differ = self.year and other.year and self.year != other.year
            return self.number.casefold() == other.number.casefold() and not years_differ
        return (
            self.kind == other.kind
            and self.name is not None
            and _folded(self.name) == _folded(other.name)
            and self.year == other.year
        )


@dataclass(frozen=True)
class LegalBasis:
    """What one question rests on, and when that is in force (empty dates: not known)."""

    document: DocumentRef
    version: str | None = None  # the version or consolidated text the question follows
    article: str | None = None
    clause: str | None = None
    point: str | None = None
    in_force_from: date | None = None
    in_force_until: date | None = None
    superseded_by: DocumentRef | None = None

    @property
    def locator(self) -> str:
        """ "điểm a khoản 1 Điều 36", or "" when no article is recorded."""
        parts = []
        if self.point:
            parts.append(f"điểm {self.point}")
        if self.clause:
            parts.append(f"khoản {self.clause}")
        if self.article:
            parts.append(f"Điều {self.article}")
        return " ".join(parts) if self.article else ""


def basis_citation(basis: LegalBasis) -> str:
    """A citation written from a basis, for the formats that keep only a citation text."""
    parts = [basis.document.label + (f" ({basis.version})" if basis.version else "")]
    if basis.locator:
        parts.append(basis.locator)
    return ", ".join(parts)


@dataclass(frozen=True)
class Window:
    """The days a basis is in force: from `start` (inclusive) to `end` (exclusive)."""

    start: date | None = None
    end: date | None = None

    def within(self, outer: "Window") -> "Window":
        """The days in both windows."""
        starts = [day for day in (self.start, outer.start) if day is not None]
        ends = [day for day in (self.end, outer.end) if day is not None]
        return Window(max(starts) if starts else None, min(ends) if ends else None)

    def contains(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)

    def why_not(self, day: date) -> str | None:
        """ "not_yet" or "ended" when `day` is outside the window, None when inside."""
        if self.start is not None and day < self.start:
            return "not_yet"
        if self.end is not None and day >= self.end:
            return "ended"
        return None


# The basis as files write it, one field each (bank TOML keys; the XLSX columns map to them).
DOCUMENT_FIELDS = ("type", "number", "date", "name")
BASIS_FIELDS = (
    *DOCUMENT_FIELDS,
    "version",
    "article",
    "clause",
    "point",
    "in_force_from",
    "in_force_until",
    "superseded_by",
)
DATE_FIELDS = frozenset({"date", "in_force_from", "in_force_until"})
FIELD_LIMITS = {"type": 40, "number": 60, "name": 300, "version": 300}
LOCATOR_LIMIT = 20  # article, clause, point
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_VIETNAMESE_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class BasisFieldError(ValueError):
    """A basis field a file gives cannot be read: `field` names it, `value` is what was found."""

    def __init__(self, field: str, value: object) -> None:
        super().__init__(f"{field}: {value!r}")
        self.field, self.value = field, value


def read_day(value: object) -> date | None:
    """A day from a file: a date, a datetime (a spreadsheet cell), dd/mm/yyyy or yyyy-mm-dd.

    Raise ValueError for anything else; None for an empty value.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if found := _VIETNAMESE_DAY.fullmatch(text):
        return date(int(found[3]), int(found[2]), int(found[1]))
    if found := _ISO_DAY.fullmatch(text):
        return date(int(found[1]), int(found[2]), int(found[3]))
    raise ValueError(text)


def basis_from_fields(fields: Mapping[str, object], citation: str | None) -> LegalBasis | None:
    """The basis a question states: the fields a file gives, over what its citation says.

    A field left empty keeps the citation's value. Raise BasisFieldError for a field that
    cannot be read (a day that is not one, a kind of document not known, a text too long, an
    article without a document).
    """
    given = {key: value for key, value in fields.items() if _filled(value)}
    values: dict[str, object] = {}
    for key, value in given.items():
        if key in DATE_FIELDS:
            try:
                values[key] = read_day(value)
            except ValueError:
                raise BasisFieldError(key, value) from None
        else:
            text = " ".join(unicodedata.normalize("NFC", str(value)).split())
            limit = FIELD_LIMITS.get(key, LOCATOR_LIMIT if key in _LOCATOR_FIELDS else 500)
            if len(text) > limit:
                raise BasisFieldError(key, text[:40] + "…")
            values[key] = text
    parsed = parse_citation(citation)
    document = _document_from_fields(values, parsed.document if parsed else None)
    if document is None:
        stray = next((key for key in BASIS_FIELDS if key in values), None)
        if stray is not None:
            raise BasisFieldError("type", "")
        return None
    superseded_by = None
    if "superseded_by" in values:
        superseded_by = parse_document(str(values["superseded_by"]))
        if superseded_by is None:
            raise BasisFieldError("superseded_by", values["superseded_by"])
    keeps_citation = parsed is not None and (
        document.is_same_as(parsed.document) or not any(key in values for key in DOCUMENT_FIELDS)
    )
    base = parsed if keeps_citation else LegalBasis(document)
    return LegalBasis(
        document=document,
        version=values.get("version", base.version),
        article=values.get("article", base.article),
        clause=values.get("clause", base.clause),
        point=values.get("point", base.point),
        in_force_from=values.get("in_force_from"),
        in_force_until=values.get("in_force_until"),
        superseded_by=superseded_by,
    )


_LOCATOR_FIELDS = frozenset({"article", "clause", "point"})


def stated_or_cited(basis: LegalBasis | None, citation: str | None) -> LegalBasis | None:
    """The basis a file states, else the one its citation names (None when neither)."""
    return basis if basis is not None else parse_citation(citation)


def basis_fields(basis: LegalBasis | None) -> dict[str, object]:
    """The fields a file writes for a basis (empty ones left out); the reverse of
    basis_from_fields."""
    if basis is None:
        return {}
    document = basis.document
    values = {
        "type": document.kind,
        "number": document.number,
        "date": document.issued_on,
        "name": document.name,
        "version": basis.version,
        "article": basis.article,
        "clause": basis.clause,
        "point": basis.point,
        "in_force_from": basis.in_force_from,
        "in_force_until": basis.in_force_until,
        "superseded_by": basis.superseded_by.label if basis.superseded_by else None,
    }
    return {key: value for key, value in values.items() if value is not None}


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _document_from_fields(
    values: Mapping[str, object], parsed: DocumentRef | None
) -> DocumentRef | None:
    if not any(key in values for key in DOCUMENT_FIELDS):
        return parsed
    kind = values.get("type") or (parsed.kind if parsed else None)
    kind = next((known for known in DOCUMENT_KINDS if _folded(known) == _folded(kind)), None)
    if kind is None:
        raise BasisFieldError("type", values.get("type", ""))
    number = values.get("number")
    if number is not None and not re.fullmatch(NUMBER, str(number)):
        raise BasisFieldError("number", number)
    issued_on = values.get("date")
    year = (
        int(_year_of_number(number) or 0)
        or (issued_on.year if isinstance(issued_on, date) else 0)
        or None
    )
    if parsed is not None and not (number or issued_on or values.get("name")):
        return replace(parsed, kind=kind)
    return DocumentRef(kind, number, issued_on, values.get("name"), year)


def parse_document(text: str) -> DocumentRef | None:
    """The document a text begins with ("Nghị định 61/2018/NĐ-CP ngày 23/4/2018, ..."), or None."""
    match = _DOCUMENT.match(_tidy(text))
    return None if match is None else _document(match)


def parse_citation(citation: str | None) -> LegalBasis | None:
    """The basis a citation states, or None when none of its parts begins with a legal document.

    The parts are separated by "; " (a citation may name a report first, then a decision).
    """
    text = _tidy(citation or "")
    for part in text.split("; "):
        match = _DOCUMENT.match(part)
        if match is None:
            continue
        rest = part[match.end() :]
        basis = LegalBasis(_document(match), version=_version(rest))
        locator = _LOCATOR.search(_without_notes(rest))
        if locator is not None:
            points = [p for p in (locator["point"], locator["point2"]) if p]
            basis = replace(
                basis,
                article=locator["article"],
                clause=locator["clause"],
                point=", ".join(points) or None,
            )
        return basis
    return None


def _document(match: re.Match) -> DocumentRef:
    number = match["number"]
    issued_on = None
    if match["day"]:
        try:
            issued_on = date(int(match["issued_year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            issued_on = None
    year = next(
        (
            int(value)
            for value in (
                _year_of_number(number),
                match["year"],
                match["issued_year"],
                match["named_year"],
            )
            if value
        ),
        None,
    )
    name = (match["name"] or "").strip() or None
    return DocumentRef(match["kind"], number, issued_on, name, year)


def _year_of_number(number: str | None) -> str | None:
    found = re.search(r"/(\d{4})/", number or "")
    return found[1] if found else None


def _version(rest: str) -> str | None:
    for pattern in _VERSIONS:
        found = pattern.search(rest)
        if found is not None:
            if "law" in pattern.groupindex:
                return f"sửa đổi, bổ sung bởi {found['law']}"
            return found["version"]
    return None


def _without_notes(text: str) -> str:
    """The text with its parenthesised notes blanked, so that an article named inside a note
    ("được sửa đổi bởi khoản 1 Điều 1 Luật số ...") is not taken for the one cited."""
    depth, kept = 0, []
    for character in text:
        if character == "(":
            depth += 1
        kept.append(" " if depth else character)
        if character == ")" and depth:
            depth -= 1
    return "".join(kept)


def _tidy(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _folded(text: str | None) -> str:
    return " ".join((text or "").casefold().split())
