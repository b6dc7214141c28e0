import io
import itertools
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain.question_files.gift import read_gift, write_gift
from contest.domain.question_files.records import (
    Location,
    Problem,
    ProblemCode,
    RawChoice,
    RawQuestion,
)
from tests.domain.entries import Entry

FILE = "ngan-hang.gift"


def read(gift: str) -> list:
    return list(read_gift(io.StringIO(textwrap.dedent(gift)), FILE))


def only(gift: str):
    items = read(gift)
    assert len(items) == 1, items
    return items[0]


def at(line: int) -> Location:
    return Location(file=FILE, line=line)


def choices(question: RawQuestion) -> list[tuple[str, bool]]:
    return [(choice.text, choice.correct) for choice in question.choices]


def write(entries) -> str:
    out = io.StringIO()
    write_gift(entries, out)
    return out.getvalue()


# Reading


def test_reads_a_multiple_choice_question():
    question = only(
        """\
        Cơ quan nào ban hành Hiến pháp? {
            ~Chính phủ
            =Quốc hội
            ~Chủ tịch nước
        }
        """
    )
    assert question == RawQuestion(
        location=at(1),
        text="Cơ quan nào ban hành Hiến pháp?",
        choices=(
            RawChoice("Chính phủ", False),
            RawChoice("Quốc hội", True),
            RawChoice("Chủ tịch nước", False),
        ),
    )


def test_reads_answers_on_one_line_and_lines_joined_with_a_space():
    question = only("Nhiệm kỳ của Quốc hội\nlà mấy năm?{~4 năm =5 năm ~6 năm}")
    assert question.text == "Nhiệm kỳ của Quốc hội là mấy năm?"
    assert choices(question) == [("4 năm", False), ("5 năm", True), ("6 năm", False)]


def test_missing_word_question_gets_a_blank_where_the_answers_were():
    question = only("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert question.text == "Grant is _____ in Grant's tomb."
    assert choices(question) == [("buried", False), ("entombed", True), ("living", False)]


@pytest.mark.parametrize("answer", ["T", "TRUE", "true", "t", "True"])
def test_true_question(answer):
    question = only(f"Hà Nội là thủ đô.{{{answer}}}")
    assert question.text == "Hà Nội là thủ đô."
    assert choices(question) == [("Đúng", True), ("Sai", False)]


@pytest.mark.parametrize("answer", ["F", "FALSE", "false", "f"])
def test_false_question_keeps_the_order_true_then_false(answer):
    question = only(f"Hà Nội là một tỉnh.{{{answer}}}")
    assert choices(question) == [("Đúng", False), ("Sai", True)]


def test_true_false_feedback_is_dropped_and_general_feedback_kept():
    question = only("Mặt trời mọc ở hướng Đông. {TRUE#Sai rồi#Chính xác ####Địa lý lớp 5}")
    assert choices(question) == [("Đúng", True), ("Sai", False)]
    assert question.citation == "Địa lý lớp 5"


def test_category_sets_the_topic_of_the_following_questions():
    items = read(
        """\
        Không chủ đề {=a ~b}

        $CATEGORY: $course$/top/Pháp luật/Chỉ thị 10//CT-TTg

        Câu một {=a ~b}

        Câu hai {=a ~b}

        $CATEGORY: $system$/top/Hiến pháp

        Câu ba {=a ~b}
        """
    )
    assert [(item.text, item.topic) for item in items] == [
        ("Không chủ đề", None),
        ("Câu một", "Chỉ thị 10/CT-TTg"),
        ("Câu hai", "Chỉ thị 10/CT-TTg"),
        ("Câu ba", "Hiến pháp"),
    ]


@pytest.mark.parametrize(
    ("path", "topic"),
    [
        ("$course$/top/Chỉ thị 10//CT-TTg", "Chỉ thị 10/CT-TTg"),
        ("$cat1$/top/A/B", "B"),
        ("$module$/Luật Đất đai", "Luật Đất đai"),
        ("Luật Đất đai", "Luật Đất đai"),
        ("top/Luật", "Luật"),
        ("$course$/top", None),
        ("$course$/top/top", "top"),
        ("$course$/top/ //bắt đầu bằng gạch", "/bắt đầu bằng gạch"),
        ("$course$/top/Nghị định 15// ", "Nghị định 15/"),
    ],
)
def test_category_path(path, topic):
    question = only(f"$CATEGORY: {path}\n\nCâu hỏi {{=a ~b}}")
    assert question.topic == topic


def test_question_right_under_a_category_line_is_still_read():
    question = only("$CATEGORY: $course$/top/Hiến pháp\nCâu hỏi {=a ~b}")
    assert (question.topic, question.text, question.location) == ("Hiến pháp", "Câu hỏi", at(2))


def test_title_is_ignored():
    question = only("::Câu 1 \\: mở đầu:: Thủ đô của Việt Nam? {=Hà Nội ~Huế}")
    assert question.text == "Thủ đô của Việt Nam?"


def test_escapes_give_the_literal_character_and_a_line_break():
    question = only(
        r"""
        1 + 1 \= 2\: đúng hay sai\? Dấu \~ \# \{ \} \\ hết.\nDòng hai {
            =a \= b \# c
            ~x \~ y \{z\}
            ~đường dẫn C\:\\thư mục
        }
        """
    )
    assert question.text == "1 + 1 = 2: đúng hay sai\\? Dấu ~ # { } \\ hết.\nDòng hai"
    assert choices(question) == [
        ("a = b # c", True),
        ("x ~ y {z}", False),
        ("đường dẫn C:\\thư mục", False),
    ]


def test_escaped_line_break_at_a_line_end_joins_without_a_space():
    question = only("Dòng một\\n\nDòng hai\nvẫn dòng hai {=a ~b}")
    assert question.text == "Dòng một\nDòng hai vẫn dòng hai"


def test_a_doubled_backslash_does_not_escape_the_next_character():
    question = only(r"Đường dẫn C:\\{=a ~b}")
    assert question.text == "Đường dẫn C:\\"
    assert choices(question) == [("a", True), ("b", False)]


@pytest.mark.parametrize("marker", ["[moodle]", "[plain]", "[markdown]"])
def test_format_marker_is_removed(marker):
    question = only(f"{marker}Thủ đô **của** Việt Nam? {{=Hà Nội ~Huế}}")
    assert question.text == "Thủ đô **của** Việt Nam?"


def test_unknown_marker_stays_in_the_text():
    assert only("[Điều 5] Nội dung? {=a ~b}").text == "[Điều 5] Nội dung?"


def test_html_is_reduced_to_text():
    question = only(
        """\
        ::Q1::[html]<p>Theo <b>Điều 5</b>,<br>ai &amp; khi nào?</p>
        <script>alert("x")</script><style>p \\{color\\: red\\}</style><p>Chọn &quot;một&quot;</p>{
            =<p>Công dân &lt;18&gt;</p>#<i>Đúng</i>
            ~[plain]<em>giữ nguyên</em>
            ~Ai <script>document.cookie</script>cũng được
        }
        """
    )
    assert question.text == 'Theo Điều 5,\nai & khi nào?\nChọn "một"'
    assert choices(question) == [
        ("Công dân <18>", True),
        ("<em>giữ nguyên</em>", False),
        ("Ai cũng được", False),
    ]


def test_html_script_alone_leaves_nothing_of_it():
    question = only("[html]<script>alert(1)</script>Xin chào<img src=x onerror=alert(1)>{=a ~b}")
    assert question.text == "Xin chào"


def test_difficulty_comment_inside_or_just_before_the_block():
    items = read(
        """\
        // difficulty: hard
        Câu khó {=a ~b}

        Câu không ghi độ khó {=a ~b}

        Câu dễ {
        // Difficulty:  Easy
            =a ~b
        }

        // difficulty: medium

        Câu vừa {=a ~b}

        // một ghi chú khác
        Câu sau {=a ~b}
        """
    )
    assert [(item.text, item.difficulty) for item in items] == [
        ("Câu khó", "hard"),
        ("Câu không ghi độ khó", None),
        ("Câu dễ", "Easy"),
        ("Câu vừa", "medium"),
        ("Câu sau", None),
    ]


def test_difficulty_value_is_kept_as_written_for_validation_to_judge():
    assert only("// difficulty: rất khó\nCâu {=a ~b}").difficulty == "rất khó"


def test_general_feedback_becomes_the_citation_and_answer_feedback_is_dropped():
    question = only(
        """\
        Ai ký Chỉ thị 10? {
            =Thủ tướng # Đúng, xem Điều 1
            ~Bộ trưởng # Sai
            ####Chỉ thị 10/CT-TTg\\, Điều 1
        }
        """
    )
    assert choices(question) == [("Thủ tướng", True), ("Bộ trưởng", False)]
    assert question.citation == "Chỉ thị 10/CT-TTg\\, Điều 1"


def test_no_general_feedback_means_no_citation():
    assert only("Câu {=a ~b ####   }").citation is None
    assert only("Câu {=a ~b}").citation is None


def test_weights():
    question = only(
        "Câu {~%100%trọn điểm ~%50%nửa điểm ~%33.3%một phần ba ~%0%không ~%-50%trừ ~sai}"
    )
    assert choices(question) == [
        ("trọn điểm", True),
        ("nửa điểm", True),
        ("một phần ba", True),
        ("không", False),
        ("trừ", False),
        ("sai", False),
    ]


def test_a_badly_written_weight_is_part_of_the_answer_as_in_moodle():
    assert choices(only("Câu {=đúng ~%abc%x}")) == [("đúng", True), ("%abc%x", False)]


def test_multichoice_without_a_right_answer_is_read_as_it_is():
    items = read("// tiêu đề\n\n\n// ghi chú\nCâu hỏi?\n{~a ~b ~c}\n")
    assert items == [
        RawQuestion(
            location=at(5),
            text="Câu hỏi?",
            choices=(RawChoice("a", False), RawChoice("b", False), RawChoice("c", False)),
        )
    ]


def test_counts_and_empty_choices_are_left_to_validation():
    assert choices(only("Một lựa chọn {~a}")) == [("a", False)]
    assert choices(only("Lựa chọn rỗng {=a ~ ~b}")) == [("a", True), ("", False), ("b", False)]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Viết một bài luận. {}", "essay"),
        ("Viết một bài luận. {####gợi ý}", "essay"),
        ("Năm sinh? {#1890}", "numerical"),
        ("Số pi? {#3.14:0.01}", "numerical"),
        ("Ghép nối {=Hà Nội -> thủ đô =Huế -> cố đô}", "matching"),
        ("Hai cộng hai {=bốn =4}.", "short answer"),
        ("Thủ đô? {=Hà Nội}", "short answer"),
        ("Thủ đô? {Hà Nội}", "short answer"),
        ("Phần tiếp theo nói về Hiến pháp.", "description"),
        ("::Tiêu đề:: Chỉ có mô tả\nnhiều dòng", "description"),
    ],
)
def test_other_question_types_are_reported_with_their_kind(question, kind):
    assert only(f"// ghi chú\n\n{question}") == Problem(
        at(3), ProblemCode.UNSUPPORTED_TYPE, {"kind": kind}
    )


def test_a_skipped_question_does_not_stop_the_others():
    items = read("Tự luận {}\n\nCâu {=a ~b}\n\nSố {#1}\n")
    assert [type(item) for item in items] == [Problem, RawQuestion, Problem]
    assert [item.location.line for item in items] == [1, 3, 5]


def test_unclosed_brace_at_the_end_of_the_file_is_truncated():
    items = read(
        """\
        Câu đủ {=a ~b}

        // bị cắt
        Câu bị cắt {
            =a
            ~b"""
    )
    assert items[0].text == "Câu đủ"
    assert items[1] == Problem(at(4), ProblemCode.TRUNCATED_QUESTION)


def test_blank_line_inside_the_answers_truncates_the_question_and_orphans_the_rest():
    items = read("Câu {=a\n\n~b}\n")
    assert items == [
        Problem(at(1), ProblemCode.TRUNCATED_QUESTION),
        Problem(at(3), ProblemCode.MALFORMED_QUESTION, {"detail": "'}' without a matching '{'"}),
    ]


@pytest.mark.parametrize(
    ("question", "detail"),
    [
        ("Câu một {=a ~b}\nCâu hai {=c ~d}", "more than one answer block"),
        ("Câu {=a ~b}}", "'}' without a matching '{'"),
        ("Câu } {=a ~b}", "'}' before '{'"),
        ("Câu {=a {~b}", "'{' inside the answers"),
        ("Câu {quên dấu ~a =b}", "text before the first '=' or '~' answer"),
    ],
)
def test_malformed_questions(question, detail):
    assert only(f"\n{question}") == Problem(
        at(2), ProblemCode.MALFORMED_QUESTION, {"detail": detail}
    )


def test_line_numbers_count_comments_and_blank_lines():
    items = read(
        """\
        // Ngân hàng câu hỏi


        $CATEGORY: $course$/top/Luật

        // câu 1
        // difficulty: easy
        Câu một
        {=a ~b}



        Câu hai {
        // ghi chú giữa câu
        =a ~b}
        // câu 3 ngay sau
        Câu ba {=a ~b}
        """
    )
    assert [item.location.line for item in items] == [8, 13]
    assert (items[0].topic, items[0].difficulty) == ("Luật", "easy")
    assert isinstance(items[1], Problem)  # two answer blocks: no blank line before "Câu ba"


def test_accepts_lines_with_or_without_line_ends_and_a_byte_order_mark():
    gift = "\ufeff// đầu tệp\r\nCâu {=a ~b}\r\n\r\nCâu hai {T}\r\n"
    with_ends = list(read_gift(io.StringIO(gift, newline=""), FILE))
    without_ends = list(read_gift(gift.splitlines(), FILE))
    assert with_ends == without_ends
    assert [(item.text, item.location.line) for item in with_ends] == [
        ("Câu", 2),
        ("Câu hai", 4),
    ]


def test_texts_are_not_normalised():
    decomposed = "Vie\u0302\u0323t Nam"  # what some keyboards type, NFC happens later
    assert only(f"{decomposed}  có {{=a ~b}}").text == f"{decomposed}  có"


def test_empty_input_yields_nothing():
    assert read("") == []
    assert read("// chỉ có ghi chú\n\n$CATEGORY: A\n") == []


# Streaming


def test_first_question_arrives_before_the_rest_is_read():
    def lines():
        yield "Câu một {=a ~b}"
        yield ""
        raise AssertionError("read past the first question")

    assert next(read_gift(lines(), FILE)).text == "Câu một"


def test_endless_input_is_read_one_question_at_a_time():
    consumed = 0

    def endless():
        nonlocal consumed
        for number in itertools.count(1):
            consumed += 1
            yield f"Câu {number} {{=a ~b}}"
            yield ""

    first = list(itertools.islice(read_gift(endless(), FILE), 3))
    assert [item.text for item in first] == ["Câu 1", "Câu 2", "Câu 3"]
    assert consumed == 3


# Writing


def test_writes_moodle_style_gift():
    entries = [
        Entry("Chỉ thị 10/CT-TTg", "Ai ký?", ("Thủ tướng", "Bộ trưởng"), 0, "hard", "Điều 1"),
        Entry("Chỉ thị 10/CT-TTg", "Năm: 2024 = ?", ("a{b}", "~c#"), 1),
        Entry("Hiến pháp", "Dòng 1\nDòng 2", ("[html]<b>x</b>", "%50%y"), 1, citation="[Điều 2]"),
    ]
    assert write(entries) == (
        "$CATEGORY: $course$/top/Chỉ thị 10//CT-TTg\n"
        "\n"
        "// difficulty: hard\n"
        "::Q1:: Ai ký? {\n"
        "\t=Thủ tướng\n"
        "\t~Bộ trưởng\n"
        "\t####Điều 1\n"
        "}\n"
        "\n"
        "::Q2:: Năm\\: 2024 \\= ? {\n"
        "\t~a\\{b\\}\n"
        "\t=\\~c\\#\n"
        "}\n"
        "\n"
        "$CATEGORY: $course$/top/Hiến pháp\n"
        "\n"
        "::Q3:: Dòng 1\\nDòng 2 {\n"
        "\t~[moodle][html]<b>x</b>\n"
        "\t=[moodle]%50%y\n"
        "\t####[moodle][Điều 2]\n"
        "}\n"
        "\n"
    )


def test_written_file_reads_back():
    entries = [
        Entry("Chỉ thị 10/CT-TTg", "Ai ký?", ("Thủ tướng", "Bộ trưởng"), 0, "hard", "Điều 1"),
        Entry("Hiến pháp", "[html]<b>in đậm</b>", ("%50%y", "[plain]z", "\\"), 2, None, "[x]"),
    ]
    items = list(read_gift(io.StringIO(write(entries)), FILE))
    assert items == [
        RawQuestion(
            at(4),
            "Ai ký?",
            (RawChoice("Thủ tướng", True), RawChoice("Bộ trưởng", False)),
            "Chỉ thị 10/CT-TTg",
            "hard",
            "Điều 1",
        ),
        RawQuestion(
            at(12),
            "[html]<b>in đậm</b>",
            (RawChoice("%50%y", False), RawChoice("[plain]z", False), RawChoice("\\", True)),
            "Hiến pháp",
            None,
            "[x]",
        ),
    ]


def test_writing_nothing_writes_nothing():
    assert write([]) == ""


_FRAGMENTS = [
    *"~=#{}:\\[]%/->_ \t",
    "\\n",
    "::",
    "####",
    "//",
    "[html]",
    "[moodle]",
    "%50%",
    "{T}",
    "$CATEGORY:",
    "$course$",
    "top",
    "<b>",
    "&amp;",
    "Đúng",
    "Chỉ thị 10/CT-TTg",
    "Nghị định",
    "\ue000",  # a private-use character, like the reader's placeholders
]
_CHARACTERS = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))


def _texts(*, line_breaks: bool) -> st.SearchStrategy[str]:
    pieces = _CHARACTERS | st.sampled_from(_FRAGMENTS)
    if line_breaks:
        pieces |= st.sampled_from(["\n", "\r\n", " \n "])
    return st.lists(pieces, max_size=12).map(lambda parts: "".join(parts).strip())


def _entries() -> st.SearchStrategy[Entry]:
    texts = _texts(line_breaks=True)
    return st.lists(texts, min_size=2, max_size=6).flatmap(
        lambda options: st.builds(
            Entry,
            topic=_texts(line_breaks=False).map(lambda topic: topic or "Chủ đề"),
            text=texts,
            choices=st.just(tuple(options)),
            correct_index=st.integers(0, len(options) - 1),
            difficulty=st.sampled_from([None, "easy", "medium", "hard"]),
            citation=texts.map(lambda citation: citation or None),
        )
    )


def _line_breaks(text: str) -> str:
    return "\n".join(text.splitlines())


@given(st.lists(_entries(), max_size=5))
def test_round_trip(entries):
    gift = write(entries)
    items = list(read_gift(io.StringIO(gift), FILE))

    assert all(isinstance(item, RawQuestion) for item in items), items
    assert [
        (
            item.topic,
            item.text,
            choices(item),
            item.difficulty,
            item.citation,
        )
        for item in items
    ] == [
        (
            entry.topic,
            _line_breaks(entry.text),
            [
                (_line_breaks(choice), index == entry.correct_index)
                for index, choice in enumerate(entry.choices)
            ],
            entry.difficulty,
            entry.citation and _line_breaks(entry.citation),
        )
        for entry in entries
    ]
    # Lines as a file reader gives them, with their ends, read the same.
    assert list(read_gift(gift.splitlines(keepends=True), FILE)) == items
