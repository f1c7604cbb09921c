"""read_question: a Zalo paste and a textbook question must be read as the same question."""

from __future__ import annotations

import dataclasses
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.query.diacritics import DiacriticRestorer
from assistant.query.nonsense import NotAQuestion, nonsense_reason
from assistant.query.reading import Reading, read_question
from assistant.text import fold, has_diacritics, unify_tones
from tests.conftest import corpus_restorer

restorer = corpus_restorer


def key(text: str) -> str:
    """Case-, punctuation- and tone-placement-insensitive, but accent-sensitive."""
    return " ".join(re.findall(r"\w+", unify_tones(text.lower())))


@pytest.mark.parametrize(
    ("pasted", "typed"),
    [
        ("Fwd: so y te phai lam gi", "Sở Y tế phải làm gì"),
        ("[09:41] Anh Tuấn: SYT phai lam j 🙏", "Sở Y tế phải làm gì"),
        ("[23/11 09:41] Chị Lan - VP: CAT co nv j trong THĐ ko?", "Công an tỉnh có nhiệm vụ gì trong Tháng hành động không?"),
        ("cong an tinh phoi hop voi ai ve ma tuy", "Công an tỉnh phối hợp với ai về ma túy"),
        ("BCH BĐBP phai lam gi", "Bộ Chỉ huy Bộ đội Biên phòng phải làm gì"),
        ("han bc ket qua thang hanh dong la ngay nao vay", "hạn báo cáo kết quả tháng hành động là ngày nào vậy"),
    ],
)
def test_paste_reads_like_textbook_question(pasted: str, typed: str) -> None:
    assert key(read_question(pasted, restorer()).text) == key(read_question(typed, restorer()).text)
    assert key(read_question(pasted, restorer()).text) == key(typed)


def test_motivating_zalo_paste() -> None:
    raw = "[09:41] Anh Tuấn: ae oi SYT SL phai lam j trong thang hanh dong 2023 vay 🙏"
    reading = read_question(raw, restorer())
    assert reading.original == raw
    assert reading.changed
    for phrase in ["Sở Y tế Sơn La", "phải làm gì", "tháng hành động 2023", "vậy"]:
        assert key(phrase) in key(reading.text)
    assert "09:41" not in reading.text and "Tuấn" not in reading.text and "🙏" not in reading.text


def test_textbook_question_is_unchanged() -> None:
    q = "Sở Y tế phải làm gì trong Tháng hành động phòng, chống ma túy năm 2023?"
    reading = read_question(q, restorer())
    assert reading == Reading(original=q, text=q, changed=False)
    assert not read_question("Sở Y  tế\nphải làm gì?", restorer()).changed  # spacing alone


def test_without_restorer_only_paste_and_abbreviations() -> None:
    reading = read_question("Fwd: SYT phai lam j", None)
    assert reading.text == "Sở Y tế phai lam gì"
    assert reading.changed


def test_reading_is_frozen() -> None:
    reading = read_question("ai chủ trì?", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        reading.text = "x"  # type: ignore[misc]


ACCENTED = ["Sở", "tế", "phải", "làm", "gì", "Tháng", "hành", "động", "phòng", "chống", "túy",
            "Công", "tỉnh", "Sơn", "báo", "cáo", "hạn", "ngày", "nào", "chủ", "trì", "nhiệm", "vụ",
            "nhiêu", "xã", "huyện", "Biên", "giới", "người", "nghiện", "2023", "26/6", "04/7/2023", "15"]
UNACCENTED = ["so", "y", "te", "phai", "lam", "gi", "ma", "tuy", "cong", "an", "tinh", "thang",
              "hanh", "dong", "bao", "nhieu", "xa", "ai", "chu", "tri", "La", "Quang"]
SCAFFOLD = ["", "[09:41] ", "Fwd: ", "[23/11 09:41] Chị Lan - VP: ", "Anh Tuấn: ", "09:41 Trung uy Nam: "]
TAIL = ["", " 🙏", " [Sticker]", " https://zalo.me/x", " :))"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(ACCENTED + UNACCENTED), min_size=1, max_size=12),
    st.sampled_from(SCAFFOLD),
    st.sampled_from(TAIL),
    st.booleans(),
)
def test_no_question_word_is_lost(ws: list[str], head: str, tail: str, mark: bool) -> None:
    question = " ".join(ws) + ("?" if mark else "")
    if nonsense_reason(question) is not None:  # "2023?" alone: refused, not read
        with pytest.raises(NotAQuestion):
            read_question(head + question + tail, restorer())
        return
    out = read_question(head + question + tail, restorer()).text
    got = [fold(w) for w in out.split()]
    it = iter(got)
    assert all(any(g == fold(w) for g in it) for w in question.split()), (question, out)
    for w in ws:
        if has_diacritics(w) or w[0].isdigit():
            assert w in out  # accented words and dates are kept exactly as typed


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(ACCENTED + UNACCENTED + ["j", "ko", "SYT", "SL", "CAT", "ntn", "vay", "k", "2"]), max_size=12))
def test_idempotent(ws: list[str]) -> None:
    try:
        once = read_question(" ".join(ws), restorer()).text
    except NotAQuestion:  # "2", "2 2": nothing to search for
        assert nonsense_reason(" ".join(ws)) is not None
        return
    again = read_question(once, restorer())
    assert again.text == once
    assert not again.changed


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_and_outputs_nfc(text: str) -> None:
    """Any text is read, or refused as not a question (numbers, symbols, placeholders, bare HTML)
    with `NotAQuestion` — never another exception."""
    try:
        reading = read_question(text, restorer())
    except NotAQuestion:
        return
    assert unicodedata.is_normalized("NFC", reading.text)
    assert reading.text == reading.text.strip() and "  " not in reading.text
    assert read_question(reading.text, restorer()).text == reading.text
