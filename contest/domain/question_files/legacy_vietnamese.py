"""Recognise Vietnamese typed in the legacy 8-bit encodings: TCVN3 (ABC), VNI and Windows-1258.

Each candidate decoding of a sample is scored by how many of its words that carry non-ASCII
letters come out as well-formed Vietnamese syllables; only a clear winner is reported, so that
the importer can say "this file is in TCVN3 (ABC)" instead of silently garbling it.

Tables: TCVN 5712:1993 VN3 (the .VnTime font layout) and VNI-Windows, cross-checked against the
VBKey and duydev/vietnamese-conversion converters and, for TCVN3, against the VN1 table of X11.
"""

import codecs
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

TCVN3 = "TCVN3 (ABC)"
VNI = "VNI"
WINDOWS_1258 = "Windows-1258"

_SAMPLE_LIMIT = 64 * 1024
_MIN_WORDS = 3
_MIN_VALID_SHARE = 0.6

# TCVN3 byte (written as its cp1252 glyph, i.e. what the byte shows as without the font) and the
# letter it stands for. VN3 has no code for capitals with a tone mark: .VnTimeH fonts draw the
# lowercase codes as capitals, so those come back lowercase.
_TCVN3_GLYPHS = "¡¢£¤¥¦§¨©ª«¬\xad®µ¶·¸¹»¼½¾ÆÇÈÉÊËÌÎÏÐÑÒÓÔÕÖ×ØÜÝÞßáâãäåæçèéêëìíîïñòóôõö÷øùúûüýþ"
_TCVN3_LETTERS = "ĂÂÊÔƠƯĐăâêôơưđàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"

# VNI-Windows: some bytes are whole letters...
_VNI_LETTER_GLYPHS = "ôöñìíæóòîÔÖÑÌÍÆÓÒÎ"
_VNI_LETTERS = "ơưđìíỉĩịỵƠƯĐÌÍỈĨỊỴ"
# ...the others are marks drawn over the base vowel typed just before them (grave, acute, hook,
# tilde, dot below; circumflex alone and with each tone; breve alone and with each tone).
_VNI_MARK_GLYPHS = "øùûõïâáàåãäêéèúüë"
_VNI_MARKS = [
    *"\u0300\u0301\u0309\u0303\u0323",
    *("\u0302" + tone for tone in ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")),
    *("\u0306" + tone for tone in ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")),
]
# Capitals take the capital form of each mark byte (AÙ = Á, aù = á), so the case must agree.
_VNI_MARK_OF = dict(zip(_VNI_MARK_GLYPHS + _VNI_MARK_GLYPHS.upper(), _VNI_MARKS * 2, strict=True))
_VNI_LETTER_OF = str.maketrans(_VNI_LETTER_GLYPHS, _VNI_LETTERS)
_VNI_PAIR = re.compile(
    f"([aeouyơư])?([{_VNI_MARK_GLYPHS}])|([AEOUYƠƯ])?([{_VNI_MARK_GLYPHS.upper()}])"
)

_TONES = "\u0300\u0301\u0303\u0309\u0323"
_STOP_TONES = "\u0301\u0323"
_MODIFIED_VOWELS = "ăâêôơư"
_CONSONANTS = "b c d đ g h k l m n p r s t v x ch gh gi kh ng ngh nh ph qu th tr"
_INITIALS = ("", *_CONSONANTS.split())
_FINALS = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t")
_STOP_FINALS = ("c", "ch", "p", "t")
# Vowel nuclei, each marked with whether a final consonant must follow (+), must not (-) or may (?).
_NUCLEUS_SPEC = (
    "ai- ao- au- ay- âu- ây- eo- êu- ia- iu- oi- ôi- ơi- ui- ưi- ưu- ua- ưa- uơ- iêu- yêu- "
    "oai- oay- oao- oeo- uôi- ươi- ươu- uây- uya- uyu- ă+ â+ iê+ yê+ uô+ ươ+ uyê+ oă+ uâ+ oo+ "
    "a? e? ê? i? o? ô? ơ? u? ư? y? oa? oe? uê? uy?"
)
_NUCLEI = {entry[:-1]: entry[-1] for entry in _NUCLEUS_SPEC.split()}
# Punctuation that may cling to a word without making it suspect (smart quotes, dashes, ...).
_LOOSE_PUNCTUATION = str.maketrans(dict.fromkeys("“”‘’…–—•\xa0", " "))
_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")
_BYTE_CHUNK = re.compile(rb"[A-Za-z\x80-\xff]*[\x80-\xff][A-Za-z\x80-\xff]*")
_TEXT_CHUNK = re.compile(r"[A-Za-z]*[^\x00-\x7f][A-Za-z\x80-\U0010ffff]*")
# Text files may carry tabs, form feeds and the DOS end-of-file mark; other controls mean binary.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1a") + b"\x7f"


def _tcvn3_decoding_table() -> str:
    # VN3 leaves 0x80-0x9F unused and Windows keeps smart quotes and dashes there: read as cp1252.
    table = [bytes([b]).decode("cp1252", errors="replace") for b in range(0xA0)]
    table += ["\xa0"] + ["\ufffd"] * 0x5F
    for glyph, letter in zip(_TCVN3_GLYPHS, _TCVN3_LETTERS, strict=True):
        table[ord(glyph)] = letter
    return "".join(table)


_TCVN3_TABLE = _tcvn3_decoding_table()


def _decode_tcvn3(data: bytes) -> str:
    return codecs.charmap_decode(data, "strict", _TCVN3_TABLE)[0]


def _decode_vni(data: bytes, stray: str | None = None) -> str:
    text = data.decode("cp1252", errors="replace").translate(_VNI_LETTER_OF)

    def combine(match: re.Match[str]) -> str:
        base = match[1] or match[3]
        mark = match[2] or match[4]
        if base:
            return base + _VNI_MARK_OF[mark]
        return mark if stray is None else stray

    return unicodedata.normalize("NFC", _VNI_PAIR.sub(combine, text))


def _decode_cp1258(data: bytes) -> str:
    return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))


_DECODERS: dict[str, Callable[[bytes], str]] = {
    TCVN3: _decode_tcvn3,
    VNI: _decode_vni,
    WINDOWS_1258: _decode_cp1258,
}


# Scoring turns VNI mark bytes that follow no vowel into U+FFFD, which no syllable contains.
_SCORERS: dict[str, Callable[[bytes], str]] = {
    **_DECODERS,
    VNI: lambda data: _decode_vni(data, stray="\ufffd"),
}


def decode_legacy(data: bytes, encoding: str) -> str:
    """Decode bytes in one of TCVN3, VNI or WINDOWS_1258 into (NFC) Unicode text."""
    try:
        decode = _DECODERS[encoding]
    except KeyError:
        raise ValueError(f"unknown legacy Vietnamese encoding: {encoding!r}") from None
    return decode(data)


def _tone_placed_well(nucleus: str, final: str, at: int) -> bool:
    modified = [i for i, letter in enumerate(nucleus) if letter in _MODIFIED_VOWELS]
    if modified:
        return at == modified[-1]
    if final:
        return at == len(nucleus) - 1
    if nucleus in ("oa", "oe", "uy"):
        return True  # hoà and hòa, thuỷ and thủy: both placements are in common use
    return at == (1 if len(nucleus) == 3 else 0)


def _spelled_well(initial: str, nucleus: str) -> bool:
    # c/k, g/gh and ng/ngh are chosen by the vowel that follows; other spellings are foreign.
    first = nucleus[0]
    if initial == "k":
        return first in "eêiy"
    if initial in ("gh", "ngh"):
        return first in "eêi"
    if initial in ("c", "ng"):
        return first not in "eêiy"
    if initial == "g":
        return first not in "eê"
    return True


@lru_cache(maxsize=8192)
def _is_syllable(word: str) -> bool:
    letters: list[str] = []
    tone, tone_at = "", -1
    for char in unicodedata.normalize("NFD", word.lower()):
        if char in _TONES:
            if tone or not letters:
                return False
            tone, tone_at = char, len(letters) - 1
        elif unicodedata.combining(char) and letters:
            letters[-1] += char
        else:
            letters.append(char)
    plain = [unicodedata.normalize("NFC", letter) for letter in letters]
    if any(len(letter) != 1 for letter in plain):
        return False
    syllable = "".join(plain)
    for initial in _INITIALS:
        if not syllable.startswith(initial):
            continue
        for final in _FINALS:
            if not syllable.endswith(final) or len(initial) + len(final) >= len(syllable):
                continue
            nucleus = syllable[len(initial) : len(syllable) - len(final)]
            need = _NUCLEI.get(nucleus)
            if need is None or (need == "+" and not final) or (need == "-" and final):
                continue
            if not _spelled_well(initial, nucleus):
                continue
            if final in _STOP_FINALS and tone not in _STOP_TONES:
                continue
            if tone and not _tone_placed_well(nucleus, final, tone_at - len(initial)):
                continue
            return True
    return False


def _verdict(chunk: str) -> bool | None:
    """Whether a run of letters reads as Vietnamese syllables; None when it holds no letters."""
    pieces = chunk.translate(_LOOSE_PUNCTUATION).split()
    if not pieces:
        return None
    return all(_WORD.fullmatch(piece) and _is_syllable(piece) for piece in pieces)


def _convincing(valid: int, counted: int) -> bool:
    if counted < _MIN_WORDS:
        return counted > 0 and valid == counted
    return valid >= _MIN_VALID_SHARE * counted


def _tally(verdicts: list[bool | None]) -> tuple[int, int]:
    counted = [v for v in verdicts if v is not None]
    return sum(counted), len(counted)


def _best(chunks: list[bytes | None], names: tuple[str, ...], to_beat: float = -1.0) -> str | None:
    best, best_key = None, (0.0, 0)
    for name in names:
        score = _SCORERS[name]
        # A chunk that cannot be a legacy byte string at all counts against every candidate.
        valid, counted = _tally([False if c is None else _verdict(score(c)) for c in chunks])
        if not _convincing(valid, counted) or valid / counted <= to_beat:
            continue
        key = (valid / counted, valid)
        if best is None or key > best_key:
            best, best_key = name, key
    return best


def guess_legacy_encoding(data: bytes) -> str | None:
    """The legacy Vietnamese encoding these (non-UTF-8) bytes look like, or None."""
    sample = data[:_SAMPLE_LIMIT]
    if not sample or b"\0" in sample:
        return None
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls * 100 > len(sample):
        return None
    try:
        # A multi-byte character cut off by the sample limit must not disqualify real UTF-8.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(data) == len(sample))
    except UnicodeDecodeError:
        pass
    else:
        return None
    chunks: list[bytes | None] = list(_BYTE_CHUNK.findall(sample))
    return _best(chunks, (TCVN3, VNI, WINDOWS_1258))


def _as_legacy_bytes(chunk: str) -> bytes | None:
    for codec in ("cp1252", "latin-1"):
        try:
            return chunk.encode(codec)
        except UnicodeEncodeError:
            continue
    return None


def legacy_encoding_of_text(text: str) -> str | None:
    """The legacy encoding a text was typed in when it shows as TCVN3/VNI garble in Unicode.

    Old Excel sheets keep TCVN3 or VNI bytes and rely on a font (.VnTime, VNI-Times) to look
    Vietnamese; read as Unicode, the cells show 'Céng hßa x· héi' or 'Coäng hoøa xaõ hoäi'.
    """
    found = _TEXT_CHUNK.findall(text[:_SAMPLE_LIMIT])
    if not found:
        return None
    valid, counted = _tally([_verdict(unicodedata.normalize("NFC", c)) for c in found])
    # Text that already reads as Vietnamese is proper Unicode, however its bytes might decode.
    as_is = valid / counted if counted else 0.0
    if as_is == 1.0:  # already reads as Vietnamese: no decoding can beat it, skip the scoring
        return None
    return _best([_as_legacy_bytes(c) for c in found], (TCVN3, VNI), to_beat=as_is)
