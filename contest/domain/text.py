"""Normalising what people type or files hold: Vietnamese text and phone numbers."""

import re
import unicodedata
from collections.abc import Iterable

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# [0-9], not \d: \d matches every script's digits ('０', '٠'), which would make other numbers.
_PHONE = re.compile(r"0[0-9]{9,10}")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Characters nobody sees but that make two equal-looking names differ, or reorder what is shown:
# soft hyphen, zero-width spaces and joiners, bidirectional marks, embeddings, overrides and
# isolates, invisible operators, variation selectors, the byte-order mark, tags.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\ufff0-\ufffb\U000e0000-\U000e007f]"
)
# The combining marks of Latin text (Vietnamese tones are among them) and their extensions.
_MARKS = "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# A mark with no letter to sit on (at the start, after a space) is noise, and so is a third
# mark piled on one letter (after NFC a Vietnamese letter keeps at most one).
_ORPHAN_MARKS = re.compile(f"(?:^|(?<=\\s))[{_MARKS}]+")
_PILED_MARKS = re.compile(f"([{_MARKS}]{{2}})[{_MARKS}]+")


def clean_text(value: str | None) -> str:
    """One line as people mean it: invisible and control characters dropped, NFC (one code
    point per Vietnamese letter), no mark without a letter, whitespace runs made one space."""
    visible = _CONTROL_CHARACTERS.sub(lambda m: " " if m[0].isspace() else "", value or "")
    visible = unicodedata.normalize("NFC", _INVISIBLE.sub("", visible))
    if not visible.isascii():
        visible = _PILED_MARKS.sub(r"\1", _ORPHAN_MARKS.sub("", visible))
    return " ".join(visible.split())


def clean_lines(value: str | None) -> str:
    """clean_text for each line of a longer text; line breaks kept, blank runs made one."""
    lines = [clean_text(line) for line in (value or "").splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def mask_words(text: str | None, words: Iterable[str], mask: str = "•••") -> str | None:
    """`text` with every whole-word occurrence of `words` (in any case) replaced by `mask`."""
    wanted = sorted({clean_text(word) for word in words} - {""}, key=len, reverse=True)
    if not text or not wanted:
        return text
    alternatives = "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in wanted)
    return re.sub(rf"(?<!\w)(?:{alternatives})(?!\w)", mask, text, flags=re.IGNORECASE)


def fold_text(value: str | None) -> str:
    """clean_text without case: two texts that fold alike are the same text."""
    return clean_text(value).casefold()


def normalize_phone(raw: str | None) -> str | None:
    """A Vietnamese phone number as 0xxxxxxxxx, or None when it is not one.

    NFKC first, so that full-width digits ('０９１２…') are the same number as ASCII ones and
    one phone stays one account; any other digit is refused."""
    digits = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", clean_text(raw)))
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if _PHONE.fullmatch(digits) else None


def search_fold(value: str | None) -> str:
    """fold_text without diacritics, for searching: "Nguyễn Văn Đức" and "nguyen van duc" meet.

    Vietnamese letters decompose (NFD) into a base letter and combining marks, which are
    dropped; đ is a letter of its own, not a d with a mark, so it is mapped to d by hand.
    """
    decomposed = unicodedata.normalize("NFD", fold_text(value))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.replace("đ", "d")


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug_of(value: str | None, max_length: int = 80) -> str:
    """A URL slug from a name: ASCII lower case, digits and single hyphens."""
    slug = _NOT_SLUG.sub("-", search_fold(value)).strip("-")
    return slug[:max_length].rstrip("-")


def next_years_name(name: str, year: int) -> str:
    """A contest's name for next year's copy: the last `year` written on its own (not inside
    a longer number) one later ("Hội thi CCHC 2026" → "... 2027"; "giai đoạn 2021-2030, năm
    2026" → "... năm 2027" for 2026); a name without it is kept."""
    found = list(re.finditer(rf"(?<![0-9]){year}(?![0-9])", name))
    if not found:
        return name
    last = found[-1]
    return f"{name[: last.start()]}{year + 1}{name[last.end() :]}"
