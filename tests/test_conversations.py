"""Conversations of several turns, as staff have them, on the bundled plans and on the development
documents (../shared/corpus-dev; skipped when absent): each follow-up must be answered from what
the documents say about the thing it now asks of, not from what the previous turn was about."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.present.chat import Filters, Turn, answer, last_context, prepare
from assistant.service import PolicyAssistant
from assistant.text import fold

DEV = PROJECT_ROOT.parent / "shared" / "corpus-dev"
DATE = re.compile(r"\b\d{1,2}/\d{1,2}/20\d\d\b")


def converse(engine: Any, messages: list[str], filters: Filters | None = None) -> list[Turn]:
    """The turns of one conversation, each asked with the previous ones as its context."""
    filters = filters or Filters()
    turns: list[Turn] = []
    for message in messages:
        last = last_context([t.as_dict() for t in turns])
        turns.append(answer(engine, prepare(engine, message, last, filters), filters, last))
    return turns


def quotes(turn: Turn) -> str:
    return "\n".join(str(c.get("quote") or "") for c in turn.citations)


def deadline_clause(library: Any, province: str) -> str:
    """The date a province's plan sets for the reports ("gửi … trước ngày dd/mm/yyyy"), read from
    the plan itself, so the test knows what a right answer contains without storing it."""
    for entry in library.documents.values():
        if entry.province != province:
            continue
        for line in library.full_texts.get(entry.source, "").splitlines():
            if "báo cáo" in line and "trước ngày" in line and DATE.search(line.split("trước ngày", 1)[1]):
                return DATE.search(line.split("trước ngày", 1)[1]).group(0)
    raise AssertionError(f"no report deadline in {province}'s plan")


# ----------------------------------------------------------------------------- the bundled plans


def test_deadline_follow_ups_stay_with_the_documents_and_move_to_the_province(assistant):
    """Issue 17's scenario: the deadline asked after a body's tasks is the plans' report deadline,
    and "còn Tuyên Quang thì sao?" finds Tuyên Quang's, which asking directly also finds."""
    engine = assistant.engine
    tasks, deadline, there, police = converse(
        engine, ["Sở Y tế phải làm gì?", "Hạn báo cáo là khi nào?", "còn Tuyên Quang thì sao?", "Còn Công an tỉnh thì sao?"],
    )
    cited_before = {c["source"] for c in tasks.citations}
    assert not deadline.abstained and {c["source"] for c in deadline.citations} <= cited_before
    tuyen_quang = deadline_clause(assistant.library, "Tuyên Quang")
    assert tuyen_quang in quotes(deadline)
    assert not there.abstained, there.answer
    assert {c["province"] for c in there.citations} == {"Tuyên Quang"} and tuyen_quang in quotes(there)
    assert "Tuyên Quang" in (there.understood_as or "")
    # A new body replaces the old one and keeps the place and the intent.
    assert "Công an tỉnh" in (police.understood_as or "") and "Sở Y tế" not in (police.understood_as or "")
    assert not police.abstained and {c["province"] for c in police.citations} == {"Tuyên Quang"}


def test_a_new_year_or_place_replaces_the_old_one(assistant):
    engine = assistant.engine
    first, other_year, other_place = converse(
        engine, ["Hạn báo cáo kết quả năm 2023 là khi nào?", "năm 2024 thì sao?", "còn Tuyên Quang thì sao?"],
    )
    assert not first.abstained
    assert "2024" in (other_year.understood_as or "") and "2023" not in (other_year.understood_as or "")
    assert other_year.citations and {assistant.library.documents[c["source"]].year for c in other_year.citations} == {2024}
    # Tuyên Quang has no 2024 plan: its 2023 deadline, and a notice that says so.
    assert {c["province"] for c in other_place.citations} == {"Tuyên Quang"}
    assert deadline_clause(assistant.library, "Tuyên Quang") in quotes(other_place)
    assert any("2024" in n for n in other_place.notices), other_place.notices


def test_a_year_with_no_document_and_another_body_is_refused_naming_what_is_missing(assistant):
    """Not another body's clause of another year: a refusal that names the year and the body and
    says what exists."""
    library = assistant.library
    year = max(library.years) + 3
    (turn,) = converse(assistant.engine, [f"Kinh phí năm {year} cho Sở Y tế là bao nhiêu?"])
    assert turn.abstained and turn.citations == []
    assert f"năm {year}" in turn.answer and "Sở Y tế" in turn.answer
    assert all(str(y) in turn.answer for y in (min(library.years), max(library.years)))
    assert not turn.notices


def test_a_newer_plan_of_the_same_body_keeps_the_notice(assistant):
    """The substitution the user wants: the same body's tasks in the plan there is, said so."""
    library = assistant.library
    year = max(library.years) + 1
    (turn,) = converse(assistant.engine, [f"Sở Y tế phải làm gì năm {year}?"])
    assert not turn.abstained and turn.citations
    assert any(f"năm {year}" in n for n in turn.notices)
    assert any("Sở Y tế" in c["heading_path"] for c in turn.citations)


# ----------------------------------------------------------------------------- the development documents


@pytest.fixture(scope="module")
def dev_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PolicyAssistant]:
    """One index of the development documents for the module (the embedding cache is shared)."""
    if not DEV.is_dir() or not any(DEV.iterdir()):
        pytest.skip("../shared/corpus-dev is not here")
    root = tmp_path_factory.mktemp("dev")
    settings = Settings(corpus_dir=DEV, index_dir=root / "index", data_dir=root / "data")
    built = PolicyAssistant(settings)
    built.ingest(show_progress=False)
    yield built


def _source_by_number(library: Any, number: str) -> str:
    return next(s for s, d in library.documents.items() if number in fold(d.number or "") or number in fold(s))


def test_dev_follow_ups_stay_in_the_decree_and_swap_the_topic(dev_assistant):
    engine = dev_assistant.engine
    decree = _source_by_number(dev_assistant.library, "116")
    first, timing, again = converse(engine, [
        "Hồ sơ đề nghị cấp giấy phép hoạt động cai nghiện ma túy tự nguyện gồm những gì?",
        "Thời hạn giải quyết là bao lâu?",
        "Còn cấp lại thì sao?",
    ])
    assert {c["source"] for c in first.citations} == {decree}
    assert {c["source"] for c in timing.citations} == {decree}, "the short follow-up left the decree"
    assert "cấp lại" in (again.understood_as or "")
    assert again.citations and {c["source"] for c in again.citations} == {decree}
    assert any("cấp lại" in fold(c["heading_path"]).replace("cap lai", "cấp lại") for c in again.citations)


def test_dev_follow_up_to_another_document_leaves_the_first(dev_assistant):
    engine = dev_assistant.engine
    library = dev_assistant.library
    decree = _source_by_number(library, "116")
    circular = _source_by_number(library, "18")
    first, moved, back = converse(engine, [
        "Ai có thẩm quyền cấp giấy phép hoạt động cai nghiện ma túy tự nguyện?",
        "Theo Thông tư 18/2021/TT-BYT, ai được xác định tình trạng nghiện ma túy?",
        "Văn bản này có hiệu lực từ ngày nào?",
    ])
    assert decree in {c["source"] for c in first.citations}
    assert {c["source"] for c in moved.citations} == {circular}
    assert {c["source"] for c in back.citations} == {circular}, back.understood_as
