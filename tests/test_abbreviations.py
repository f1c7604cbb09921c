"""expand_abbreviations: whole tokens only, and only where the reading is unambiguous."""

from __future__ import annotations

import re


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.query.abbreviations import RULES, abbreviation_table, document_abbreviations, expand_abbreviations
from assistant.text import comparable

from tests.conftest import CORPUS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SYT phải làm gì", "Sở Y tế phải làm gì"),
        ("syt sl lam gi", "Sở Y tế Sơn La lam gì"),
        ("CAT chủ trì", "Công an tỉnh chủ trì"),
        ("CA tỉnh ko làm j", "Công an tỉnh không làm gì"),
        ("BĐBP và BDBP", "Bộ đội Biên phòng và Bộ đội Biên phòng"),
        ("BCH BĐBP phối hợp", "Bộ Chỉ huy Bộ đội Biên phòng phối hợp"),
        ("Ủy viên BCH Đảng bộ tỉnh", "Ủy viên Ban Chấp hành Đảng bộ tỉnh"),
        ("Sở LĐ-TB&XH, GD&ĐT và TT&TT", "Sở Lao động - Thương binh và Xã hội, Giáo dục và Đào tạo và Thông tin và Truyền thông"),
        ("SLĐTBXH làm gì", "Sở Lao động - Thương binh và Xã hội làm gì"),
        ("NN&PTNT", "Nông nghiệp và Phát triển nông thôn"),
        ("UBND, HĐND, MTTQ", "Ủy ban nhân dân, Hội đồng nhân dân, Mặt trận Tổ quốc"),
        ("công tác PCMT, ANTT", "công tác phòng, chống ma túy, an ninh trật tự"),
        ("KH THĐ ntn", "kế hoạch Tháng hành động như thế nào"),
        ("hạn bn ngày", "hạn bao nhiêu ngày"),
        ("mn oi cx dc ko", "mọi người oi cũng được không"),
        ("để b/c đ/c", "để báo cáo đồng chí"),
        ("sao v", "sao vậy"),
        ("phai lam gi vay", "phai lam gì vậy"),
        ("ae oi SYT SL phai lam j trong thang hanh dong 2023 vay", "anh em oi Sở Y tế Sơn La phai lam gì trong thang hanh dong 2023 vậy"),
        # A question ends before the people it addresses and at its "?", not only at the text's end.
        ("ND 116 con hieu luc ko vay ae", "ND 116 con hieu luc không vậy anh em"),
        ("ntn dc coi la nghien vay mn? bao nhieu tieu chuan", "như thế nào được coi la nghien vậy mọi người? bao nhieu tieu chuan"),
        # No vowel in three letters or more spells no Vietnamese word: the abbreviation in any case.
        ("khiếu nại qđ đưa vào cscnbb mấy ngày", "khiếu nại quyết định đưa vào cơ sở cai nghiện bắt buộc mấy ngày"),
        ("xlvphc va vks", "xử lý vi phạm hành chính va Viện kiểm sát"),
    ],
)
def test_expansions(raw: str, expected: str) -> None:
    assert expand_abbreviations(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "theo 23/KH-UBND và 135/QĐ-UBND",  # document numbers stay one token
        "Tờ trình số 156TTr-CAT-PTM",
        "ca trực đêm",  # "ca" is a shift, not Công an, unless typed "CA"
        "giảm 50 k",  # "k" after a number is a thousand
        "k 2",  # "k" before a number is not "không"
        "bn oi",  # "bn ơi" is "bạn ơi", not "bao nhiêu"
        "có được vay vốn",  # "vay" only ends a question
        "ho tro vay von cho nguoi sau cai nghien the nao",
        "v là chữ cái",  # "v" only at the end of a question
        "sl người nghiện",  # lower-case "sl" away from agency words: số lượng
        "ca tu nay",  # words typed in lower case, not "CA", "TU"
        "Sở Y tế phải làm gì",
        "Tuyên Quang",
    ],
)
def test_ambiguous_forms_left_alone(raw: str) -> None:
    assert expand_abbreviations(raw) == raw


def test_overlap_with_preceding_words_is_not_repeated() -> None:
    assert expand_abbreviations("Văn phòng BLO Sơn La") == (
        "Văn phòng liên lạc phòng, chống ma túy và tội phạm qua biên giới Sơn La"
    )
    assert expand_abbreviations("Sở SYT") == "Sở Y tế"


def test_table_rows_are_valid() -> None:
    rows = abbreviation_table()
    assert len(rows) > 100
    assert {r.kind for r in rows} == {"teencode", "admin"}
    assert all(rule in RULES for r in rows for rule in r.rules)
    keys = [(r.form.lower(), r.rules) for r in rows]
    assert len(keys) == len(set(keys))


def test_document_abbreviations_are_the_documents_own() -> None:
    """Abbreviations the indexer doubles up occur in the corpus; those the documents define
    ("… (PCMT)", "… (BLO)") are expanded in the documents' own words."""
    docs = document_abbreviations()
    defined = {"PCMT", "ANTT", "PCTP", "BLO", "UBND", "HĐND", "MTTQ"}
    assert defined <= docs.keys()
    corpus = comparable(" ".join(p.read_text(encoding="utf-8") for p in CORPUS.iterdir()))
    padded = f" {' '.join(corpus.replace(',', ' ').replace('.', ' ').split())} "
    for form, expansion in docs.items():
        assert f" {comparable(form)} " in padded, form
        if form in defined:
            assert comparable(expansion) in corpus, expansion


TOKENS = [r.form for r in abbreviation_table()] + [
    "Sở", "phải", "làm", "gì", "ơi", "oi", "2023", "26/6", "tỉnh", "Văn", "phòng", "?", ",",
    "so", "y", "te", "ma", "tuy", "Tuấn",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=10))
def test_idempotent(tokens: list[str]) -> None:
    once = expand_abbreviations(" ".join(tokens))
    assert expand_abbreviations(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises(text: str) -> None:
    assert isinstance(expand_abbreviations(text), str)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SYT ĐB phải làm gì", "Sở Y tế Điện Biên phải làm gì"),  # any province, after an agency word
        ("van ban o DB", "van ban o Điện Biên"),
        ("văn bản AG", "văn bản AG"),  # after a word that is not an agency or a place preposition
        ("SYT TN lam gi", "Sở Y tế TN lam gì"),  # Thái Nguyên or Tây Ninh: ambiguous, kept
    ],
)
def test_province_initials_for_every_province(raw: str, expected: str) -> None:
    assert expand_abbreviations(raw) == expected


@pytest.mark.parametrize("typed", ["ND 163 vs ND 116 khac nhau ntn", "so sanh ND 57 va ND 28 ve danh muc", "ĐB 2023 voi ND 116"])
def test_province_initials_before_a_number_are_a_document_kind(typed: str) -> None:
    """ "ND 116" after "với" is Nghị định 116, not Nam Định; before a year ("ĐB 2023") they stay a province."""
    expanded = expand_abbreviations(typed)
    assert "Nam Định" not in expanded
    assert all(n in expanded for n in re.findall(r"\d+", typed))
