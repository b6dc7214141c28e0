"""Reading Moodle XML quiz files: questions, categories, HTML, other types and broken files."""

import io

import pytest

from contest.domain.question_files.moodle_xml import read_moodle_xml
from contest.domain.question_files.records import (
    Location,
    Problem,
    ProblemCode,
    RawChoice,
    RawQuestion,
)

FILE = "ngan-hang.xml"


def read(xml: str) -> list:
    return list(read_moodle_xml(io.BytesIO(xml.encode()), FILE))


def at(line: int) -> Location:
    return Location(FILE, line=line)


def multichoice(text: str = "Câu hỏi?", *answers: str, fmt: str = "html") -> str:
    body = "".join(answers) or (
        '<answer fraction="100"><text>Có</text></answer>'
        '<answer fraction="0"><text>Không</text></answer>'
    )
    return (
        f'<question type="multichoice"><questiontext format="{fmt}">'
        f"<text>{text}</text></questiontext>{body}</question>"
    )


def quiz(*questions: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>"


MOODLE_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category>
      <text>$course$/top/Pháp luật/Luật Đất đai</text>
    </category>
    <info format="html">
      <text></text>
    </info>
  </question>

<!-- question: 101  -->
  <question type="multichoice">
    <name>
      <text>Câu 1</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p dir="ltr">Đất đai thuộc sở hữu của ai?</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>Điều 4, Luật Đất đai 2013</p>]]></text>
    </generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <answer fraction="0" format="html">
      <text><![CDATA[<p>Nhà nước</p>]]></text>
      <feedback format="html">
        <text>Chưa đủ</text>
      </feedback>
    </answer>
    <answer fraction="100" format="html">
      <text><![CDATA[<p>Toàn dân, Nhà nước đại diện chủ sở hữu</p>]]></text>
      <feedback format="html">
        <text>Đúng rồi</text>
      </feedback>
    </answer>
    <answer fraction="0" format="html">
      <text>Cá nhân</text>
      <feedback format="html">
        <text></text>
      </feedback>
    </answer>
    <tags>
      <tag><text>đất đai</text></tag>
    </tags>
  </question>

<!-- question: 102  -->
  <question type="truefalse">
    <name>
      <text>Câu 2</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>Người sử dụng đất được chuyển nhượng quyền sử dụng đất.</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text></text>
    </generalfeedback>
    <answer fraction="100" format="moodle_auto_format">
      <text>true</text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="0" format="moodle_auto_format">
      <text>false</text>
      <feedback format="html"><text></text></feedback>
    </answer>
  </question>
</quiz>
"""


def test_reads_a_moodle_export_question_by_question():
    assert read(MOODLE_EXPORT) == [
        RawQuestion(
            location=at(14),
            text="Đất đai thuộc sở hữu của ai?",
            choices=(
                RawChoice("Nhà nước", False),
                RawChoice("Toàn dân, Nhà nước đại diện chủ sở hữu", True),
                RawChoice("Cá nhân", False),
            ),
            topic="Luật Đất đai",
            citation="Điều 4, Luật Đất đai 2013",
        ),
        RawQuestion(
            location=at(54),
            text="Người sử dụng đất được chuyển nhượng quyền sử dụng đất.",
            choices=(RawChoice("Đúng", True), RawChoice("Sai", False)),
            topic="Luật Đất đai",
            citation=None,
        ),
    ]


def test_the_line_is_where_the_question_tag_starts():
    xml = (
        "<quiz>\n"
        "<!-- a comment\n  over two lines -->\n"
        "  <question\n     type='multichoice'>\n"
        "    <questiontext><text>Hai dòng?</text></questiontext>\n"
        "  </question>\n"
        "  <question type='essay'>\n"
        "  </question>\n"
        "</quiz>\n"
    )
    items = read(xml)
    assert [item.location for item in items] == [at(4), at(8)]


def topic_after(category_xml: str) -> str | None:
    [question] = read(quiz(category_xml, multichoice()))
    return question.topic


@pytest.mark.parametrize(
    ("path", "topic"),
    [
        ("$course$/top/Pháp luật/Luật Cán bộ, công chức", "Luật Cán bộ, công chức"),
        ("$system$/top/Kiến thức chung", "Kiến thức chung"),
        ("$module$/top/Vòng 1", "Vòng 1"),
        ("$cat1$/top/Hành chính/Cải cách", "Cải cách"),
        ("$course$/Mặc định cho khóa học", "Mặc định cho khóa học"),  # before Moodle 3.5
        ("Đề thi/Phần 2", "Phần 2"),  # no context marker, as in files before Moodle 1.9
        ("$course$/top/Thuế thu nhập 5//10 triệu", "Thuế thu nhập 5/10 triệu"),
        ("$course$/top/Văn bản ban hành 2019//2020/ ", "Văn bản ban hành 2019/2020"),
        ("  $course$/top/  Lịch sử  ", "Lịch sử"),
        ("$course$/top", None),
        ("$course$", None),
        ("", None),
    ],
)
def test_a_category_names_the_topic_of_the_questions_after_it(path, topic):
    category = f'<question type="category"><category><text>{path}</text></category></question>'
    assert topic_after(category) == topic


def test_an_old_category_without_a_text_element():
    category = '<question type="category"><category>$course$/Đề cũ/Phần A</category></question>'
    assert topic_after(category) == "Phần A"


def test_questions_before_any_category_have_no_topic_and_each_category_applies_onwards():
    items = read(
        quiz(
            multichoice("Một?"),
            '<question type="category"><category><text>$course$/top/A</text></category></question>',
            multichoice("Hai?"),
            multichoice("Ba?"),
            '<question type="category"><category><text>$course$/top/A/B</text></category>'
            "</question>",
            multichoice("Bốn?"),
        )
    )
    assert [(item.text, item.topic) for item in items] == [
        ("Một?", None),
        ("Hai?", "A"),
        ("Ba?", "A"),
        ("Bốn?", "B"),
    ]


def test_no_html_survives_in_question_text():
    html = (
        "<![CDATA[<div><p>Cơ quan nào <b>ban hành</b>&nbsp;Hiến pháp?</p>"
        "<script>alert(1)</script><style>p { color: red }</style>"
        "<ul><li>Phương án&nbsp;&amp; ghi chú</li><li>Dòng hai<br/>dòng ba</li></ul>"
        '<img src="@@PLUGINFILE@@/a.png" alt="hình"><!-- ghi chú --></div>]]>'
    )
    [question] = read(quiz(multichoice(html)))
    assert question.text == (
        "Cơ quan nào ban hành Hiến pháp?\nPhương án & ghi chú\nDòng hai\ndòng ba"
    )
    assert "<" not in question.text
    assert "alert" not in question.text
    assert "color" not in question.text


def test_html_escaped_without_cdata_is_stripped_too():
    escaped = "&lt;p&gt;Tỉnh nào?&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;"
    [question] = read(quiz(multichoice(escaped)))
    assert question.text == "Tỉnh nào?"


def test_an_unclosed_script_hides_everything_after_it():
    [question] = read(quiz(multichoice("<![CDATA[Xin chào<script>alert(1)]]>")))
    assert question.text == "Xin chào"


def test_line_breaks_in_html_source_are_spaces():
    [question] = read(quiz(multichoice("<![CDATA[<p>Một câu\n   viết trên\n hai dòng</p>]]>")))
    assert question.text == "Một câu viết trên hai dòng"


def test_html_is_the_default_format():
    xml = quiz(
        '<question type="multichoice"><questiontext><text><![CDATA[<p>Đúng <i>không</i>?'
        '</p>]]></text></questiontext><answer fraction="100"><text><![CDATA[<b>Có</b>]]>'
        "</text></answer></question>"
    )
    [question] = read(xml)
    assert question.text == "Đúng không?"
    assert question.choices == (RawChoice("Có", True),)


def test_plain_text_is_kept_as_written_and_answers_take_the_question_format():
    xml = quiz(
        multichoice(
            "So sánh: 3 &lt; 5 &amp;&amp; 5 &gt; 2?",
            '<answer fraction="100"><text>&lt;b&gt; là thẻ in đậm</text></answer>',
            '<answer fraction="0" format="html"><text>&lt;b&gt;Không&lt;/b&gt;</text></answer>',
            fmt="plain_text",
        )
    )
    [question] = read(xml)
    assert question.text == "So sánh: 3 < 5 && 5 > 2?"
    assert question.choices == (RawChoice("<b> là thẻ in đậm", True), RawChoice("Không", False))


def test_moodle_auto_format_keeps_its_line_breaks_but_not_its_tags():
    [question] = read(quiz(multichoice("Dòng một\n<b>Dòng hai</b>", fmt="moodle_auto_format")))
    assert question.text == "Dòng một\nDòng hai"


def test_a_positive_fraction_marks_a_right_answer_and_zero_or_negative_a_wrong_one():
    xml = quiz(
        multichoice(
            "Chọn các đáp án đúng?",
            '<answer fraction="50"><text>Một</text></answer>',
            '<answer fraction="-50"><text>Hai</text></answer>',
            '<answer fraction="0"><text>Ba</text></answer>',
            '<answer fraction="33.33333"><text>Bốn</text></answer>',
            "<answer><text>Năm</text></answer>",
        )
    )
    [question] = read(xml)
    assert [choice.correct for choice in question.choices] == [True, False, False, True, False]


def test_several_answers_allowed_is_still_read():
    xml = quiz(
        '<question type="multichoice"><questiontext><text>Chọn hai?</text></questiontext>'
        "<single>false</single>"
        '<answer fraction="50"><text>A</text></answer>'
        '<answer fraction="50"><text>B</text></answer>'
        '<answer fraction="0"><text>C</text></answer></question>'
    )
    [question] = read(xml)
    assert sum(choice.correct for choice in question.choices) == 2


def test_a_question_with_no_right_answer_is_still_read():
    xml = quiz(
        multichoice(
            "Không có đáp án đúng?",
            '<answer fraction="0"><text>Một</text></answer>',
            '<answer fraction="-100"><text>Hai</text></answer>',
        )
    )
    [question] = read(xml)
    assert isinstance(question, RawQuestion)
    assert not any(choice.correct for choice in question.choices)


def test_a_fraction_that_is_not_a_number_is_a_malformed_question():
    xml = quiz(multichoice("Câu?", '<answer fraction="một trăm"><text>A</text></answer>'))
    [problem] = read(xml)
    assert problem.code is ProblemCode.MALFORMED_QUESTION
    assert problem.location == at(3)
    assert "một trăm" in problem.params["detail"]


def test_general_feedback_is_the_citation_without_html():
    xml = quiz(
        '<question type="multichoice"><questiontext><text>Câu?</text></questiontext>'
        '<generalfeedback format="html"><text><![CDATA[<p>Khoản 2 <b>Điều 5</b></p>'
        "<script>x()</script>]]></text></generalfeedback>"
        '<answer fraction="100"><text>A</text></answer></question>',
        '<question type="multichoice"><questiontext><text>Câu 2?</text></questiontext>'
        "<generalfeedback><text><![CDATA[<p>&nbsp;</p>]]></text></generalfeedback>"
        '<answer fraction="100"><text>A</text></answer></question>',
    )
    assert [question.citation for question in read(xml)] == ["Khoản 2 Điều 5", None]


def test_answer_feedback_is_ignored():
    xml = quiz(
        multichoice(
            "Câu?",
            '<answer fraction="100"><text>Đúng</text><feedback><text>Giỏi</text></feedback>'
            "</answer>",
        )
    )
    [question] = read(xml)
    assert question.choices == (RawChoice("Đúng", True),)


@pytest.mark.parametrize(
    ("true_fraction", "false_fraction", "right"),
    [("100", "0", [True, False]), ("0", "100", [False, True])],
)
def test_true_false_either_way(true_fraction, false_fraction, right):
    xml = quiz(
        '<question type="truefalse"><questiontext><text>Hà Nội là thủ đô?</text></questiontext>'
        f'<answer fraction="{false_fraction}"><text>false</text></answer>'
        f'<answer fraction="{true_fraction}"><text>true</text></answer></question>'
    )
    [question] = read(xml)
    assert question.text == "Hà Nội là thủ đô?"
    assert [choice.text for choice in question.choices] == ["Đúng", "Sai"]
    assert [choice.correct for choice in question.choices] == right


def test_true_false_with_localised_answer_words_goes_by_position_as_moodle_does():
    xml = quiz(
        '<question type="truefalse"><questiontext><text>Câu?</text></questiontext>'
        '<answer fraction="0"><text>Đúng</text></answer>'
        '<answer fraction="100"><text>Sai</text></answer></question>'
    )
    [question] = read(xml)
    assert question.choices == (RawChoice("Đúng", False), RawChoice("Sai", True))


@pytest.mark.parametrize(
    "kind",
    [
        "shortanswer",
        "essay",
        "matching",
        "numerical",
        "description",
        "cloze",
        "multianswer",
        "ddwtos",
        "calculated",
        "calculatedmulti",
        "gapselect",
    ],
)
def test_other_question_types_are_left_out_with_their_kind_and_line(kind):
    xml = quiz(
        multichoice("Trước?"),
        f'<question type="{kind}">\n<questiontext><text>Khác</text></questiontext>\n'
        '<answer fraction="100"><text>x</text></answer>\n</question>',
        multichoice("Sau?"),
    )
    first, skipped, last = read(xml)
    assert skipped == Problem(at(4), ProblemCode.UNSUPPORTED_TYPE, {"kind": kind})
    assert skipped.is_skip
    assert (first.text, last.text) == ("Trước?", "Sau?")


def test_a_question_without_a_type_is_malformed():
    [problem] = read(quiz("<question><questiontext><text>?</text></questiontext></question>"))
    assert problem == Problem(
        at(3), ProblemCode.MALFORMED_QUESTION, {"detail": "question has no type"}
    )


def test_xml_that_is_not_well_formed_is_reported_at_its_line_after_the_questions_before():
    xml = quiz(
        multichoice("Một?"),
        "<question type='multichoice'>\n<questiontext><text>Hai?</txt></questiontext>",
    )
    first, problem = read(xml)
    assert first.text == "Một?"
    assert problem == Problem(at(5), ProblemCode.UNREADABLE_FILE, {"detail": "mismatched tag"})
    assert problem.blocks_whole_file


def test_an_undeclared_entity_is_unreadable():
    [problem] = read(quiz(multichoice("Giá &euro;?")))
    assert problem.code is ProblemCode.UNREADABLE_FILE
    assert problem.location == at(3)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE quiz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<quiz><question type="multichoice"><questiontext><text>&lol3;</text></questiontext>
</question></quiz>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="multichoice"><questiontext><text>&secret;</text></questiontext>
</question></quiz>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE quiz SYSTEM "http://example.invalid/quiz.dtd">
<quiz></quiz>
"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_dtds_and_entity_declarations_are_refused(xml):
    [problem] = read(xml)
    assert problem.code is ProblemCode.UNREADABLE_FILE
    assert problem.location == at(2)
    assert "not allowed" in problem.params["detail"]


def test_a_file_cut_off_inside_a_question_reports_that_question():
    xml = quiz(multichoice("Một?"), multichoice("Hai?"))
    cut = xml[: xml.index("Hai?") + 2]
    first, problem = read(cut)
    assert first.text == "Một?"
    assert problem == Problem(at(4), ProblemCode.TRUNCATED_QUESTION)


def test_a_file_cut_off_inside_a_tag_of_a_question_reports_that_question():
    xml = quiz(multichoice("Một?"), "<question type='multichoice'>\n<answer fract")
    cut = xml.removesuffix("\n</quiz>")
    assert read(cut)[-1] == Problem(at(4), ProblemCode.TRUNCATED_QUESTION)


def test_a_file_cut_off_between_questions_is_unreadable():
    xml = quiz(multichoice("Một?"))
    first, problem = read(xml.removesuffix("</quiz>"))
    assert first.text == "Một?"
    assert problem.code is ProblemCode.UNREADABLE_FILE
    assert problem.params == {"detail": "no element found"}


def test_a_root_other_than_quiz_is_the_wrong_layout():
    xml = '<?xml version="1.0"?>\n<html><body><question type="multichoice"/></body></html>'
    assert read(xml) == [
        Problem(at(1), ProblemCode.WRONG_LAYOUT, {"expected": "<quiz>", "found": "<html>"})
    ]


def test_an_empty_stream_is_unreadable():
    [problem] = read("")
    assert problem.code is ProblemCode.UNREADABLE_FILE


def test_a_byte_order_mark_and_another_declared_encoding_are_understood():
    xml = quiz(multichoice("Thủ đô?")).encode()
    [question] = read_moodle_xml(io.BytesIO(b"\xef\xbb\xbf" + xml), FILE)
    assert question.text == "Thủ đô?"
    latin = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?><quiz>'
        + multichoice("Caf\xe9?").encode("latin-1")
        + b"</quiz>"
    )
    [question] = read_moodle_xml(io.BytesIO(latin), FILE)
    assert question.text == "Café?"


class CountingStream(io.BytesIO):
    """A file that tells how much of it has been read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_questions_come_out_before_the_whole_file_is_read():
    many = [multichoice(f"Câu số {n}: thủ tục hành chính nào?") for n in range(5000)]
    data = quiz(*many).encode()
    stream = CountingStream(data)
    items = read_moodle_xml(stream, FILE)
    first = next(items)
    assert first.text == "Câu số 0: thủ tục hành chính nào?"
    assert stream.bytes_read < len(data) / 2
    rest = list(items)
    assert len(rest) == 4999
    assert rest[-1].location == at(5002)
