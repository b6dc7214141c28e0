"""The bank check on crafted banks: each check finds what it is for, and a fair bank is clean."""

from contest.domain.bank_lint import LintQuestion, lint

FAIR = (
    ("Cơ quan nào ban hành nghị định?", ("Quốc hội", "Chính phủ", "Thủ tướng", "Bộ Nội vụ"), 1),
    ("Nhiệm kỳ của Hội đồng nhân dân là mấy năm?", ("03 năm", "04 năm", "05 năm", "06 năm"), 2),
    ("Ai ký chỉ thị của Thủ tướng?", ("Thủ tướng", "Bộ trưởng", "Chủ tịch", "Thư ký"), 0),
    ("Đơn vị sự nghiệp công lập tuyển ai?", ("Công chức", "Viên chức", "Cán bộ", "Sĩ quan"), 1),
)


def question(n: int, text: str, choices: tuple[str, ...], key: int, topic="T") -> LintQuestion:
    return LintQuestion(f"q{n}", topic, text, choices, key)


def fair_bank(topic="T") -> list[LintQuestion]:
    return [question(n, *item, topic=topic) for n, item in enumerate(FAIR)]


def codes(bank) -> list[str]:
    return [finding.code for finding in lint(bank).findings]


def test_a_fair_bank_is_clean():
    report = lint(fair_bank())
    assert report.is_clean
    assert report.questions == 4
    assert report.longest_key == 0  # the keys tie with a distractor at most


def test_too_many_longest_keys_over_the_bank_and_in_a_topic():
    long_keys = [
        question(
            10 + n, f"Câu hỏi về chủ đề số {n} là gì?", ("Một", "Hai", "Phương án dài"), 2, "L"
        )
        for n in range(10)
    ]
    report = lint(fair_bank("A") + fair_bank("B") + fair_bank("C") + long_keys)
    shares = [f for f in report.findings if f.code == "longest_key_share"]
    assert [f.detail.get("topic") for f in shares] == [None, "L"]  # 11/22 over the bank
    assert report.longest_key == 10


def test_a_key_half_as_long_again_as_its_distractors():
    bank = [question(1, "Câu hỏi?", ("Ngắn", "Ngắn", "Một đáp án dài hơn hẳn"), 2)]
    (finding,) = [f for f in lint(bank).findings if f.code == "long_key"]
    assert finding.refs == ("q1",)
    assert finding.detail["ratio"] >= 1.5
    assert "long_key" not in codes([question(1, "Câu?", ("Bốn chữ", "Năm chữ", "Sáu chữ"), 0)])


def test_distractors_sharing_a_giveaway():
    bank = [
        question(
            1,
            "Ai ký?",
            ("Chỉ Bộ trưởng", "Chỉ Thủ tướng", "Chỉ Chủ tịch", "Người có thẩm quyền"),
            3,
        ),
        question(
            2,
            "Việc gì?",
            ("Luôn luôn họp", "Họp luôn luôn", "Tất cả đều luôn luôn", "Theo quy chế"),
            3,
        ),
    ]
    report = lint(bank)
    assert [
        (f.code, f.detail["pattern"]) for f in report.findings if f.code == "giveaway_pattern"
    ] == [
        ("giveaway_pattern", "chi …"),
        ("giveaway_pattern", "luon luon"),
    ]


def test_the_number_of_negative_stems():
    negatives = [
        question(n, f"Nội dung nào KHÔNG thuộc nhóm {n}?", ("A một", "B hai", "C ba"), 0)
        for n in range(2)
    ]
    # 2 of 6 ask for the exception: over 5 %.
    report = lint(fair_bank() + negatives)
    assert report.negative_stems == 2
    assert "negative_stems" in codes(fair_bank() + negatives)
    # "có ... không?" is a plain question, not a negative stem.
    yes_no = question(9, "Công chức có được thành lập doanh nghiệp không?", ("Có", "Không"), 1)
    assert lint([yes_no]).negative_stems == 0


def test_near_duplicates_and_a_stem_that_answers_another_come_as_pairs():
    bank = [
        question(1, "Nhiệm kỳ của Hội đồng nhân dân mỗi khóa là mấy năm?", ("4", "5", "6"), 1),
        question(2, "Nhiệm kỳ của Hội đồng nhân dân mỗi khóa là mấy năm vậy?", ("4", "5", "6"), 1),
        question(
            3,
            "Chỉ số PAPI đo lường điều gì?",
            ("Hiệu quả quản trị và hành chính công cấp tỉnh", "Năng lực cạnh tranh", "Hài lòng"),
            0,
        ),
        question(
            4,
            "Chỉ số đo hiệu quả quản trị và hành chính công cấp tỉnh do ai thực hiện?",
            ("UNDP và CECODES", "VCCI", "Bộ Nội vụ"),
            0,
        ),
    ]
    pairs = [
        (f.code, f.refs)
        for f in lint(bank).findings
        if f.code in ("near_duplicate", "answers_another")
    ]
    assert pairs == [("near_duplicate", ("q1", "q2")), ("answers_another", ("q4", "q3"))]


def test_choices_too_alike_but_not_numbers_that_differ():
    alike = question(
        1, "Câu?", ("Ủy ban nhân dân cấp tỉnh", "Uỷ ban nhân dân cấp tỉnh.", "Quốc hội"), 2
    )
    reordered = question(2, "Câu?", ("cần, kiệm, liêm, chính", "liêm, chính, cần, kiệm", "khác"), 0)
    dates = question(3, "Câu?", ("Ngày 01/01/2020", "Ngày 01/7/2020", "Ngày 01/01/2021"), 0)
    report = lint([alike, reordered, dates])
    assert [(f.refs, f.detail) for f in report.findings if f.code == "similar_choices"] == [
        (("q1",), {"choices": "AB"}),
        (("q2",), {"choices": "AB"}),
    ]


def test_the_share_with_a_source_note():
    bank = [
        *fair_bank()[:3],
        LintQuestion("n", "T", "Câu có nguồn?", ("A", "B"), 0, has_source_note=True),
    ]
    assert lint(bank).source_note_share == 0.25
