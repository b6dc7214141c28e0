"""Recognising Vietnamese typed in TCVN3 (ABC), VNI and Windows-1258, as bytes or as garble."""

import io
import random
import unicodedata
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain.question_files.legacy_vietnamese import (
    TCVN3,
    VNI,
    WINDOWS_1258,
    decode_legacy,
    guess_legacy_encoding,
    legacy_encoding_of_text,
)

LOWER = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
VIETNAMESE_LETTERS = LOWER + LOWER.upper()
TONES = "\u0300\u0301\u0303\u0309\u0323"

MOTTO = "Cộng hòa xã hội chủ nghĩa Việt Nam"
MOTTO_OLD_STYLE = "Cộng hoà xã hội chủ nghĩa Việt Nam"  # the tone on a, as TCVN3 files write it
SLOGAN = "Độc lập - Tự do - Hạnh phúc"

# The classic garbles, as Excel shows old sheets without the .VnTime / VNI-Times fonts.
TCVN3_MOTTO = "Céng hoµ x· héi chñ nghÜa ViÖt Nam"
TCVN3_SLOGAN = "§éc lËp - Tù do - H¹nh phóc"
VNI_MOTTO = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam"
VNI_SLOGAN = "Ñoäc laäp - Töï do - Haïnh phuùc"

QUESTION = """Câu 1: Theo Hiến pháp năm 2013, cơ quan nào là cơ quan quyền lực nhà nước cao nhất
của nước Cộng hòa xã hội chủ nghĩa Việt Nam?
A. Chính phủ
B. Quốc hội
C. Tòa án nhân dân tối cao
D. Ủy ban Thường vụ Quốc hội
Đáp án: B
"""

QUESTIONS = """Câu 2: Người đứng đầu cơ quan hành chính nhà nước chịu trách nhiệm gì khi để xảy ra
tham nhũng trong đơn vị mình quản lý?\r
A. Không phải chịu trách nhiệm\r
B. Chịu trách nhiệm trực tiếp hoặc liên đới theo quy định của pháp luật\r
C. Chỉ bị nhắc nhở trong cuộc họp cơ quan\r
D. Tự nguyện xin nghỉ việc để giữ uy tín\r
Đáp án đúng: B\r
Câu 3: Thủ tục hành chính được công khai ở đâu để người dân và doanh nghiệp dễ tìm hiểu?\r
A. Trên Cổng dịch vụ công quốc gia và tại nơi tiếp nhận hồ sơ\r
B. Chỉ trong sổ tay của cán bộ\r
Đáp án: A\r
"""


def _vietnamese(letter: str) -> bool:
    return letter in VIETNAMESE_LETTERS


def _tcvn3_inverse() -> dict[str, bytes]:
    inverse = {}
    for byte in range(0x80, 0x100):
        letter = decode_legacy(bytes([byte]), TCVN3)
        if _vietnamese(letter):
            inverse[letter] = bytes([byte])
    return inverse


def _vni_inverse() -> dict[str, bytes]:
    inverse = {}
    for base in b"aeouyAEOUY\xf4\xf6\xd4\xd6":
        for mark in range(0xC0, 0x100):
            pair = bytes([base, mark])
            letter = decode_legacy(pair, VNI)
            if _vietnamese(letter):
                inverse.setdefault(letter, pair)
    for byte in range(0xC0, 0x100):
        letter = decode_legacy(bytes([byte]), VNI)
        if _vietnamese(letter) and letter != bytes([byte]).decode("cp1252"):
            inverse[letter] = bytes([byte])
    return inverse


TCVN3_INVERSE = _tcvn3_inverse()
VNI_INVERSE = _vni_inverse()


def as_tcvn3(text: str) -> bytes:
    # Capitals with a tone have no TCVN3 code: the .VnTimeH font draws the lowercase ones.
    return b"".join(
        TCVN3_INVERSE.get(char) or TCVN3_INVERSE.get(char.lower()) or char.encode("ascii")
        for char in text
    )


def as_vni(text: str) -> bytes:
    return b"".join(VNI_INVERSE.get(char) or char.encode("cp1252") for char in text)


def as_cp1258(text: str) -> bytes:
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            out += base.encode("cp1258") + "".join(c for c in parts if c in TONES).encode("cp1258")
    return bytes(out)


def vntimeh(text: str) -> str:
    """What a TCVN3 round trip gives back: capitals with a tone come back lowercase."""
    return "".join(
        char if char.isascii() or char in TCVN3_INVERSE else char.lower() for char in text
    )


# The tables, against the garbles everybody knows and converters' published examples.


@pytest.mark.parametrize(
    ("garble", "encoding", "expected"),
    [
        (TCVN3_MOTTO, TCVN3, MOTTO_OLD_STYLE),
        (TCVN3_SLOGAN, TCVN3, SLOGAN),
        ("B¶o Th¾ng, M\xadêng Kh\xad¬ng, B¸t X¸t", TCVN3, "Bảo Thắng, Mường Khương, Bát Xát"),
        (VNI_MOTTO, VNI, MOTTO),
        (VNI_SLOGAN, VNI, SLOGAN),
        ("Xin chaøo caùc baïn", VNI, "Xin chào các bạn"),
        ("COÄNG HOØA XAÕ HOÄI", VNI, "CỘNG HÒA XÃ HỘI"),
    ],
)
def test_known_garbles_decode_to_vietnamese(garble, encoding, expected):
    assert decode_legacy(garble.encode("cp1252"), encoding) == expected


def test_windows_1258_decodes_its_combining_tone_marks():
    assert as_cp1258("Việt") == b"Vi\xea\xf2t"
    assert decode_legacy(as_cp1258(MOTTO), WINDOWS_1258) == MOTTO


def test_every_letter_has_a_vni_spelling_that_decodes_back():
    # ì and í are the very bytes cp1252 uses for them, so the encoder needs no entry.
    assert set(VNI_INVERSE) | set("ìíÌÍ") == set(VIETNAMESE_LETTERS)
    assert decode_legacy(as_vni(VIETNAMESE_LETTERS), VNI) == VIETNAMESE_LETTERS


def test_tcvn3_has_every_lowercase_letter_and_the_seven_plain_capitals():
    assert set(TCVN3_INVERSE) == set(LOWER + "ĂÂĐÊÔƠƯ")
    assert len(set(TCVN3_INVERSE.values())) == len(TCVN3_INVERSE)
    assert decode_legacy(as_tcvn3(VIETNAMESE_LETTERS), TCVN3) == vntimeh(VIETNAMESE_LETTERS)


def test_the_test_encoders_reproduce_the_known_garbles():
    assert as_tcvn3(MOTTO_OLD_STYLE).decode("cp1252") == TCVN3_MOTTO
    assert as_tcvn3(SLOGAN).decode("cp1252") == TCVN3_SLOGAN
    assert as_vni(MOTTO).decode("cp1252") == VNI_MOTTO
    assert as_vni(SLOGAN).decode("cp1252") == VNI_SLOGAN


def test_decode_legacy_refuses_unknown_encodings():
    with pytest.raises(ValueError, match="VISCII"):
        decode_legacy(b"abc", "VISCII")


# Guessing the encoding of bytes.


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TCVN3_MOTTO.encode("cp1252"), TCVN3),
        (TCVN3_SLOGAN.encode("cp1252"), TCVN3),
        (f"{TCVN3_MOTTO}\n{TCVN3_SLOGAN}\n".encode("cp1252"), TCVN3),
        (VNI_MOTTO.encode("cp1252"), VNI),
        (VNI_SLOGAN.encode("cp1252"), VNI),
        (f"{VNI_MOTTO}\r\n{VNI_SLOGAN}\r\n".encode("cp1252"), VNI),
        (as_cp1258(MOTTO), WINDOWS_1258),
        (as_cp1258(SLOGAN), WINDOWS_1258),
    ],
)
def test_guesses_the_known_samples(data, expected):
    assert guess_legacy_encoding(data) == expected


@pytest.mark.parametrize("text", [QUESTION, QUESTIONS])
@pytest.mark.parametrize(
    ("encoding", "encode", "round_trip"),
    [
        (TCVN3, as_tcvn3, vntimeh),
        (VNI, as_vni, str),
        (WINDOWS_1258, as_cp1258, str),
    ],
)
def test_guesses_question_bank_files(text, encoding, encode, round_trip):
    data = encode(text)
    assert guess_legacy_encoding(data) == encoding
    assert decode_legacy(data, encoding) == round_trip(text)


def test_smart_quotes_and_dashes_around_tcvn3_words_do_not_hide_it():
    data = as_tcvn3("Câu hỏi: ") + b"\x93" + as_tcvn3("Việt Nam") + b"\x94 \x96 " + as_tcvn3(SLOGAN)
    assert guess_legacy_encoding(data) == TCVN3


def test_utf8_vietnamese_is_not_mistaken_for_a_legacy_encoding():
    assert guess_legacy_encoding(QUESTION.encode()) is None
    assert guess_legacy_encoding(("\ufeff" + MOTTO).encode()) is None


def test_utf8_cut_inside_a_character_by_the_sample_limit_is_still_utf8():
    text = "a" * (64 * 1024 - 1) + "ộ" * 10
    assert guess_legacy_encoding(text.encode()) is None


def test_only_the_first_64_kib_are_read():
    tcvn3 = as_tcvn3(QUESTION)
    assert guess_legacy_encoding(tcvn3 * 400 + b"\0" * 100_000) == TCVN3
    assert guess_legacy_encoding(b"x" * 70_000 + tcvn3) is None


@pytest.mark.parametrize(
    "text",
    [
        "Question 1 : Quelle est la capitale de la France ?\nA. Lyon\nB. Paris\nC. Marseille\n"
        "Réponse : B. Les élèves préfèrent l’été, déjà à la plage où il fait très chaud.",
        "Frage 1: Wie groß ist die Fläche? Die Größe ist für die Schüler schön übersichtlich.",
        "Pregunta 1: ¿Cuál es la capital de España? Sí, es Madrid. También está más al norte.",
        "He said “don’t” – and then… nothing. The café’s naïve résumé.",
    ],
)
def test_other_latin_languages_are_not_vietnamese(text):
    assert guess_legacy_encoding(text.encode("cp1252")) is None
    assert legacy_encoding_of_text(text) is None


@pytest.mark.parametrize("data", [b"", b"Question 1: 2 + 2 = ?\nA. 3\nB. 4\n", b"\xff\xfe"])
def test_nothing_to_recognise(data):
    assert guess_legacy_encoding(data) is None


def test_a_zip_archive_is_not_text_even_with_tcvn3_inside():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cau-hoi.txt", as_tcvn3(QUESTIONS))
    assert guess_legacy_encoding(buffer.getvalue()) is None
    assert guess_legacy_encoding(b"PK\x03\x04\x14\x00\x00\x00\x08\x00") is None


def test_random_bytes_are_not_vietnamese():
    rng = random.Random(1258)
    assert guess_legacy_encoding(rng.randbytes(4096)) is None
    printable = bytes(rng.randrange(0x20, 0x100) for _ in range(4096))
    assert guess_legacy_encoding(printable) is None


@given(st.binary(max_size=600))
def test_any_bytes_get_an_answer(data):
    assert guess_legacy_encoding(data) in (None, TCVN3, VNI, WINDOWS_1258)


# Garble that reached us as Unicode text (Excel cells, CSV exports).


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TCVN3_MOTTO, TCVN3),
        (TCVN3_SLOGAN, TCVN3),
        ("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM", TCVN3),  # typed in .VnTimeH
        ("§óng", TCVN3),
        ("C©u hái", TCVN3),
        (VNI_MOTTO, VNI),
        (VNI_SLOGAN, VNI),
        ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", VNI),
        ("Ñuùng", VNI),
    ],
)
def test_recognises_garbled_cells(text, expected):
    assert legacy_encoding_of_text(text) == expected


@pytest.mark.parametrize(
    ("text", "encoding", "encode"),
    [(QUESTION, TCVN3, as_tcvn3), (QUESTIONS, TCVN3, as_tcvn3), (QUESTIONS, VNI, as_vni)],
)
def test_recognises_a_garbled_question_sheet(text, encoding, encode):
    assert legacy_encoding_of_text(encode(text).decode("cp1252")) == encoding


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Question 1: 2 + 2 = ?",
        MOTTO,
        SLOGAN,
        "Tôi là Nam",
        QUESTION,
        unicodedata.normalize("NFD", QUESTIONS),
        "The café’s naïve résumé.",
    ],
)
def test_proper_unicode_is_not_garble(text):
    assert legacy_encoding_of_text(text) is None


@given(st.text(max_size=300))
def test_any_text_gets_an_answer(text):
    assert legacy_encoding_of_text(text) in (None, TCVN3, VNI)
