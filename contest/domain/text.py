"""Normalising what people type or files hold: Vietnamese text and phone numbers."""

import re
import unicodedata

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_PHONE = re.compile(r"0\d{9,10}")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(value: str | None) -> str:
    """NFC (one code point per Vietnamese letter), whitespace runs made one space, no controls."""
    visible = _CONTROL_CHARACTERS.sub(lambda m: " " if m[0].isspace() else "", value or "")
    return unicodedata.normalize("NFC", " ".join(visible.split()))


def fold_text(value: str | None) -> str:
    """clean_text without case: two texts that fold alike are the same text."""
    return clean_text(value).casefold()


def normalize_phone(raw: str | None) -> str | None:
    """A Vietnamese phone number as 0xxxxxxxxx, or None when it is not one."""
    digits = _PHONE_SEPARATORS.sub("", raw or "")
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
