"""Units as real copies lay them out: a schedule opened by "DANH MỤC I" right after the signature
(the "PHỤ LỤC" heading lost in an OCR), an appendix heading printed alone after a table's last row
and a running page header, a table row quoted under its schedule's title, a point whose second
rule is a paragraph of its own. Each rule holds on two documents of ../shared (skipped when absent):
what a reader is asked about there (which schedule a substance is in, what a file must hold) is
only answerable when the unit is read whole."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answering.engine import PolicyQueryEngine
from assistant.config import PROJECT_ROOT, Settings
from assistant.documents.load import load_file, repair_lines
from assistant.documents.structure import parse_sections, split_parts
from assistant.index.library import Library
from assistant.query.retrieve import HybridRetriever
from assistant.text import comparable, fold
from tests.conftest import CORPUS

SHARED = PROJECT_ROOT.parent / "shared"
SCHEDULES_OCR = SHARED / "corpus-dev-2" / "nghi-dinh-28-2026-nd-cp-danh-muc-chat-ma-tuy-ocr.md"  # no "PHỤ LỤC" line
SCHEDULES = SHARED / "corpus-dev" / "nghi-dinh-57-2022-nd-cp-danh-muc-chat-ma-tuy.txt"
INDICATORS = SHARED / "corpus-dev-2" / "thong-tu-04-2024-tt-bldtbxh-chi-tieu-thong-ke-layout.txt"
FACILITIES = SHARED / "corpus-dev-2" / "thong-tu-29-2022-tt-bldtbxh-co-so-cai-nghien-ma-tuy-cong-lap-congbao.txt"

pytestmark = pytest.mark.skipif(not all(p.exists() for p in (SCHEDULES_OCR, SCHEDULES, INDICATORS, FACILITIES, SHARED / "corpus-dev-2" / "luat-15-2012-qh13-xu-ly-vi-pham-hanh-chinh-congbao.txt")), reason="needs ../shared/corpus-dev and corpus-dev-2")


def _lines(path: Path) -> list[str]:
    return [line.text for line in load_file(path).lines]


def _without_appendix_heading(path: Path) -> list[str]:
    """The document as a copy that lost its "PHỤ LỤC" line before the schedules."""
    lines = _lines(path)
    return [line for line in lines if not (line.strip().upper().startswith("PHỤ LỤC") and len(line.split()) <= 3)]


@pytest.mark.parametrize("lines", [lambda: _lines(SCHEDULES_OCR), lambda: _without_appendix_heading(SCHEDULES)], ids=["ocr-2026", "2022-without-heading"])
def test_a_schedule_after_the_signature_is_an_appendix_with_its_lists(lines) -> None:
    text = lines()
    appendices = [p for p in split_parts(text) if p.appendix]
    assert len(appendices) == 1, [p.name for p in split_parts(text)]
    labels = [s.label for root in parse_sections(text) for s in root.walk()]
    assert {"Phụ lục, Danh mục I", "Phụ lục, Danh mục IV"} <= set(labels)
    assert any(label.startswith("Phụ lục, Danh mục I, I") for label in labels)
    recipients = [s for root in parse_sections(text) for s in root.walk() if s.label == "Nơi nhận"]
    assert all(not any("DANH MỤC" in line for line in s.lines) for s in recipients)  # no schedule in the recipients


def test_the_schedules_of_a_document_with_its_heading_are_read_as_before() -> None:
    assert [p.name for p in split_parts(_lines(SCHEDULES)) if p.appendix] == ["Phụ lục"]


@pytest.mark.parametrize("path, expected", [(INDICATORS, ["Phụ lục I", "Phụ lục II"]), (FACILITIES, ["Phụ lục I", "Phụ lục II"])], ids=["indicators", "facilities"])
def test_an_appendix_heading_after_a_table_row_and_a_page_header_stands_alone(path: Path, expected: list[str]) -> None:
    assert [p.name for p in split_parts(_lines(path)) if p.appendix] == expected


def test_a_bare_appendix_name_is_never_the_end_of_the_line_before_it() -> None:
    row = "65    808    Tổng số văn bản quy phạm pháp luật ban hành trong năm tiếp theo của ngành và địa phương"
    wrapped = [row, "", "10   CÔNG BÁO/Số 615 + 616/Ngày 18-5-2024", "", "Phụ lục II", "QUY ĐỊNH NỘI DUNG HỆ THỐNG CHỈ TIÊU"] * 6
    assert "Phụ lục II" in repair_lines(wrapped, hard_wrapped=True)
    cut = ["Danh mục chỉ tiêu thống kê được quy định chi tiết tại", "Phụ lục II", "kèm theo Thông tư này."] * 6
    assert "Phụ lục II" not in repair_lines(cut, hard_wrapped=True)  # "… tại / Phụ lục II": one sentence


@pytest.fixture(scope="module")
def engine() -> PolicyQueryEngine:
    library = Library.from_files([SCHEDULES_OCR, SCHEDULES, CORPUS / "sonla-2023-thang-hanh-dong.txt"])
    settings = Settings()
    return PolicyQueryEngine(library, HybridRetriever(library, None, settings, mode="bm25"), settings)


@pytest.mark.parametrize("question, source, schedule", [
    ("Heroin được xếp vào danh mục nào trong Nghị định 28/2026/NĐ-CP?", SCHEDULES_OCR.name, "tuyet doi cam"),
    ("Heroin thuộc danh mục nào theo Nghị định 57/2022/NĐ-CP?", SCHEDULES.name, "tuyet doi cam"),
])
def test_which_schedule_a_substance_is_in_is_answered_with_the_schedule_s_title(engine: PolicyQueryEngine, question: str, source: str, schedule: str) -> None:
    response = engine.ask(question)
    citations = response.metadata["citations"]
    assert not response.metadata["abstained"] and citations, response.response
    assert citations[0]["source"] == source and "Heroin" in citations[0]["quote"]
    assert citations[0]["section"].startswith("Phụ lục, Danh mục I")
    assert schedule in fold(response.response)  # the row's schedule, named by its own title
    for citation in citations:
        assert comparable(citation["quote"]) in comparable(engine.library.full_texts[citation["source"]])


LAW_2012 = SHARED / "corpus-dev-2" / "luat-15-2012-qh13-xu-ly-vi-pham-hanh-chinh-congbao.txt"
DECREE_116 = SHARED / "corpus-dev" / "nghi-dinh-116-2021-nd-cp-cai-nghien.txt"


@pytest.mark.parametrize("path, point, goes_on", [
    (LAW_2012, "a) Đối với người nghiện ma túy có nơi cư trú ổn định", "Hồ sơ đề nghị gồm có bản tóm tắt lý lịch; tài liệu chứng minh tình trạng"),
    (DECREE_116, "b) Trong thời hạn 15 ngày làm việc, kể từ ngày nhận đủ hồ sơ hợp lệ", "Trường hợp không cấp giấy phép phải trả lời bằng văn bản"),
], ids=["law-2012", "decree-116"])
def test_a_point_is_quoted_with_the_paragraphs_it_goes_on_with(path: Path, point: str, goes_on: str) -> None:
    """Laws write a point's second rule as its own paragraph ("a) … lập hồ sơ …" / "Hồ sơ đề nghị gồm
    có …"): quoting the point quotes them, and stops at the next point."""
    from assistant.answering.passages import with_list

    library = Library.from_files([path])
    node, line = next((n, l.strip()) for n in library.nodes.values() for l in n.get_content().split("\n") if l.strip().startswith(point))
    quoted = with_list(node, line).split("\n")
    assert quoted[0] == line and quoted[1].startswith(goes_on)
    assert not any(q.startswith(("b) ", "c) ", "2. ")) for q in quoted[1:])


def test_a_refusal_about_a_named_document_reads_that_document_whole() -> None:
    """ "Theo Luật 15/2012 … bao nhiêu tháng?" claims something about that law: a refusal needs it
    read whole, not only the five sections retrieval ranked first. Given five sections of the law
    that state no time, the proof finds the clause that states the time; a time the law never states (a period
    for appealing to an ASEAN body) stays refused."""
    from llama_index.core.schema import NodeWithScore

    from assistant.answering.passages import PassageFinder
    from assistant.answering.refusal import Refusal
    from assistant.query.understand import understand

    library = Library.from_files([LAW_2012, CORPUS / "sonla-2023-thang-hanh-dong.txt"])
    refusal = Refusal(library, PassageFinder(library))
    sections = library.sections_of(LAW_2012.name)
    question = understand("Theo Luật 15/2012/QH13, thời hiệu áp dụng biện pháp đưa vào cơ sở cai nghiện bắt buộc là bao nhiêu tháng?", library)
    timeless = [n for n in sections if not re.search(r"\d+\s*(?:tháng|ngày|năm)|(?:một|hai|ba|sáu) (?:tháng|năm)", n.get_content())]
    elsewhere = [NodeWithScore(node=n, score=1.0) for n in timeless[-5:]]  # five sections stating no time
    evidence = refusal.evidence(question, elsewhere)
    assert evidence is not None and any("cơ sở cai nghiện bắt buộc là 03 tháng" in hit.node.get_content() for hit in evidence)
    absent = understand("Theo Luật 15/2012/QH13, thời hạn khiếu nại lên Ban thư ký ASEAN là bao nhiêu ngày?", library)
    assert refusal.evidence(absent, elsewhere) is None


@pytest.mark.parametrize("question, source", [
    ("Nghị định 28/2026/NĐ-CP được ban hành theo đề nghị của ai?", SCHEDULES_OCR.name),  # OCR: "Theo dé nghị cua …"
    ("Nghị định 57/2022/NĐ-CP được ban hành theo đề nghị của ai?", SCHEDULES.name),
])
def test_who_proposed_a_document_is_read_from_its_preamble_as_printed(engine: PolicyQueryEngine, question: str, source: str) -> None:
    response = engine.ask(question)
    proposer = [c for c in response.metadata["citations"] if fold(c["quote"]).startswith("theo de nghi")]
    assert proposer and proposer[0]["source"] == source and "Bộ trưởng Bộ Công an" in proposer[0]["quote"], response.response


DECREE_105 = SHARED / "corpus-dev-2" / "nghi-dinh-105-2021-nd-cp-congbao.md"
LONG_AN = SHARED / "corpus-dev-2" / "longan-qd-ubnd-2009-phu-cap-can-bo-khong-chuyen-trach-cong-an-ban-vu-trang.txt"


@pytest.mark.parametrize("path, cut_at, goes_on", [
    (SCHEDULES_OCR, "kinh doanh hợp pháp Carisoprodol,", "Etomidate thực hiện"),
    (DECREE_105, "Bộ đội Biên phòng,", "Cảnh sát biển"),
], ids=["ocr-2026", "decree-105"])
def test_a_line_ending_with_a_comma_goes_on_in_any_format(path: Path, cut_at: str, goes_on: str) -> None:
    """No Vietnamese sentence ends with a comma: an OCR's or a converter's line break there, even
    before a capital ("Carisoprodol," / "Etomidate …"), is inside the sentence."""
    assert any(cut_at + " " + goes_on in line for line in _lines(path))
    assert not any(line.endswith(cut_at) for line in _lines(path))


def test_the_decision_formula_after_the_preamble_stands_alone() -> None:
    assert "Quyết định:" in [line.strip() for line in _lines(LONG_AN)]
