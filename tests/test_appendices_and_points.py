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
    # ... in the body's words ("Danh mục I: Các chất ma túy tuyệt đối cấm sử dụng …"), not the scan's capitals
    assert "tuyệt đối cấm sử dụng" in response.response.lower()
    for citation in citations:
        assert comparable(citation["quote"]) in comparable(engine.library.full_texts[citation["source"]])


@pytest.fixture(scope="module")
def hybrid(engine: PolicyQueryEngine) -> PolicyQueryEngine:
    """The same documents through the hybrid retriever's lookups (no vectors: BM25 and the lookups)."""
    settings = Settings()
    return PolicyQueryEngine(engine.library, HybridRetriever(engine.library, None, settings, mode="hybrid"), settings)


@pytest.mark.parametrize("path", [SCHEDULES_OCR, SCHEDULES], ids=["ocr-2026", "2022"])
def test_the_roster_of_annexed_lists_is_read_from_the_body(engine: PolicyQueryEngine, path: Path) -> None:
    """ "Danh mục I: Các chất …" … "Danh mục IV: Các tiền chất" in Điều 1 says what each schedule is."""
    rosters = [engine.library.nodes[nid] for nid in engine.library.rosters[path.name]]
    assert [n.metadata["section"] for n in rosters] == ["Điều 1"]
    names = {key: line for (source, key), line in engine.library.annex_names.items() if source == path.name}
    assert sorted(names) == ["danh muc i", "danh muc ii", "danh muc iii", "danh muc iv"]
    assert names["danh muc iv"].startswith("Danh mục IV: Các tiền chất")


@pytest.mark.parametrize("number, path", [("57/2022/NĐ-CP", SCHEDULES), ("28/2026/NĐ-CP", SCHEDULES_OCR)], ids=["2022", "ocr-2026"])
def test_how_a_document_divides_its_schedules_is_answered_from_its_roster(hybrid: PolicyQueryEngine, number: str, path: Path) -> None:
    """Asked which lists a decree has, the answer quotes its article naming them all (the schedules'
    hundreds of rows share every word of the question, and a refusal said none covered it)."""
    response = hybrid.ask(f"Nghị định {number} chia các chất ma túy và tiền chất thành những danh mục nào?")
    assert not response.metadata["abstained"], response.response
    for label in ("Danh mục I:", "Danh mục II:", "Danh mục III:", "Danh mục IV:"):
        assert label in response.response
    assert any(c["source"] == path.name and c["section"] == "Điều 1" for c in response.metadata["citations"])


@pytest.mark.parametrize("number, path, parts", [("57/2022/NĐ-CP", SCHEDULES, ["IVA:", "IVB:"]), ("28/2026/NĐ-CP", SCHEDULES_OCR, ["IVA:", "IVB:", "IVC:"])], ids=["2022", "ocr-2026"])
def test_a_schedule_asked_by_its_label_is_defined_by_its_roster_line(hybrid: PolicyQueryEngine, number: str, path: Path, parts: list[str]) -> None:
    response = hybrid.ask(f"Danh mục IV trong Nghị định {number} là gì, gồm những nhóm nào?")
    assert not response.metadata["abstained"], response.response
    first = response.metadata["citations"][0]
    assert first["source"] == path.name and first["section"] == "Điều 1"
    assert first["quote"].startswith("Danh mục IV: Các tiền chất") and all(part in first["quote"] for part in parts)


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


DECREE_163 = SHARED / "corpus-dev" / "nghi-dinh-163-2026-nd-cp-trich.md"


@pytest.mark.parametrize("path, lead, clauses", [
    (DECREE_163, "Công an cấp xã mở hồ sơ và quản lý hồ sơ người sau cai nghiện bao gồm:", 7),
    (DECREE_163, "Nhà nước bảo đảm điều kiện thực hiện biện pháp giám sát điện tử gồm:", 2),
    (LAW_2012, "Những tình tiết sau đây là tình tiết giảm nhẹ:", 8),
], ids=["decree-163-records", "decree-163-monitoring", "law-2012-mitigating"])
def test_an_article_s_unnumbered_opening_is_quoted_with_its_numbered_clauses(path: Path, lead: str, clauses: int) -> None:
    """ "Hồ sơ … bao gồm:" opening an article lists the article's numbered clauses: quoting the opening
    quotes them all, in order, and nothing of the next article."""
    from assistant.answering.passages import with_list

    library = Library.from_files([path])
    node, line = next((n, l.strip()) for n in library.nodes.values() for l in n.get_content().split("\n") if l.strip() == lead)
    quoted = [q for q in with_list(node, line).split("\n")[1:] if re.match(r"^\d+\.\s", q)]
    assert [int(q.split(".")[0]) for q in quoted] == list(range(1, clauses + 1))
    assert not any(q.startswith("Điều ") for q in with_list(node, line).split("\n"))


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


# A second coded list in the shape every ministry's statistical circular uses (an entry's code and
# name, then its fields numbered from 1), on another subject than the labour ministry's indicators.
HEALTH_INDICATORS = """BỘ Y TẾ
Số: 77/2026/TT-BYT
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Nội, ngày 10 tháng 3 năm 2026
THÔNG TƯ
Quy định Hệ thống chỉ tiêu thống kê ngành Y tế về điều trị nghiện
Điều 1. Phạm vi điều chỉnh
Thông tư này quy định Hệ thống chỉ tiêu thống kê ngành Y tế về điều trị nghiện tại Phụ lục kèm theo.
Điều 2. Hiệu lực thi hành
Thông tư này có hiệu lực từ ngày 01 tháng 5 năm 2026.
Nơi nhận:
- Như Điều 2;
BỘ TRƯỞNG
Nguyễn Văn A
Phụ lục
NỘI DUNG HỆ THỐNG CHỈ TIÊU THỐNG KÊ NGÀNH Y TẾ
0701. Số người được điều trị nghiện các chất dạng thuốc phiện bằng thuốc thay thế
1. Khái niệm, nội dung, phương pháp tính
Số người được điều trị bằng thuốc thay thế là số người nghiện đang uống thuốc Methadone hoặc Buprenorphine tại cơ sở điều trị trong kỳ báo cáo.
2. Phân tổ chủ yếu
- Giới tính
- Loại thuốc
3. Kỳ công bố: Quý, năm.
4. Nguồn số liệu
Báo cáo thống kê của các cơ sở điều trị nghiện.
5. Cơ quan chịu trách nhiệm thu thập, tổng hợp
Cục Phòng, chống HIV/AIDS.
0702. Số cơ sở điều trị nghiện bằng thuốc thay thế
1. Khái niệm, nội dung, phương pháp tính
Cơ sở điều trị bằng thuốc thay thế là cơ sở y tế được cấp phép điều trị nghiện các chất dạng thuốc phiện bằng thuốc thay thế.
2. Phân tổ chủ yếu
- Tỉnh/thành phố trực thuộc Trung ương.
3. Kỳ công bố: Năm.
4. Nguồn số liệu
Báo cáo của Sở Y tế các tỉnh, thành phố.
5. Cơ quan chịu trách nhiệm thu thập, tổng hợp
Cục Phòng, chống HIV/AIDS.
"""


@pytest.fixture(scope="module")
def indicators(tmp_path_factory: pytest.TempPathFactory) -> PolicyQueryEngine:
    health = tmp_path_factory.mktemp("indicators") / "thong-tu-77-2026-tt-byt-chi-tieu-dieu-tri-nghien.txt"
    health.write_text(HEALTH_INDICATORS, encoding="utf-8")
    library = Library.from_files([INDICATORS, health, DECREE_116])
    settings = Settings()
    return PolicyQueryEngine(library, HybridRetriever(library, None, settings, mode="bm25"), settings)


@pytest.mark.parametrize("source, codes", [
    (INDICATORS.name, {"501", "503", "506", "511"}),
    ("thong-tu-77-2026-tt-byt-chi-tieu-dieu-tri-nghien.txt", {"0701", "0702"}),
])
def test_a_coded_entry_with_its_own_numbered_fields_is_a_unit_of_its_appendix(indicators: PolicyQueryEngine, source: str, codes: set[str]) -> None:
    labels = {str(n.metadata["section"]) for n in indicators.library.sections_of(source)}
    assert all(any(label.endswith(f", {code}") for label in labels) for code in codes), sorted(labels)
    # a numbered field ("2. Phân tổ chủ yếu") is the entry's text, never a unit of its own
    assert not any(label.endswith((", 1", ", 2", ", 5")) for label in labels)


def test_a_short_numbered_line_in_an_appendix_list_is_no_entry() -> None:
    from assistant.documents.kinds.appendix import coded_entries
    communes = ["101. Xã Chiềng Sinh", "102. Xã Chiềng Cơi", "103. Phường Quyết Thắng"]
    assert not coded_entries(communes)
    assert coded_entries(["503. Số người nghiện", "", "1. Khái niệm"]) == {"503. Số người nghiện"}


@pytest.mark.parametrize("question, source, section", [
    ("Thông tư 04/2024 định nghĩa số người sau cai nghiện được quản lý tại nơi cư trú (chỉ tiêu 504) là gì?", INDICATORS.name, "Phụ lục II, 504"),
    ("Theo Thông tư 77/2026/TT-BYT, chỉ tiêu 0702 được hiểu thế nào?", "thong-tu-77-2026-tt-byt-chi-tieu-dieu-tri-nghien.txt", "Phụ lục, 0702"),
    ("Mẫu số 47 của Nghị định 116/2021/NĐ-CP gồm những nội dung gì?", DECREE_116.name, "Mẫu số 47"),
])
def test_an_appendix_unit_named_by_its_code_is_the_one_quoted(indicators: PolicyQueryEngine, question: str, source: str, section: str) -> None:
    response = indicators.ask(question)
    citations = response.metadata["citations"]
    assert not response.metadata["abstained"] and citations, response.response
    assert citations[0]["source"] == source and section in str(citations[0]["section"]), citations[0]
    for citation in citations:
        assert comparable(citation["quote"]) in comparable(indicators.library.full_texts[citation["source"]])


@pytest.mark.parametrize("question, value", [
    ("Theo Thông tư 77/2026/TT-BYT, chỉ tiêu số cơ sở điều trị nghiện bằng thuốc thay thế lấy nguồn số liệu từ đâu?", "Báo cáo của Sở Y tế"),
    ("Theo Thông tư 04/2024, chỉ tiêu 506 được phân tổ chủ yếu theo gì?", "Loại hình cơ sở"),
])
def test_a_field_is_quoted_with_the_value_under_its_label(indicators: PolicyQueryEngine, question: str, value: str) -> None:
    """ "4. Nguồn số liệu" alone answers nothing; the line under it alone does not say what it is."""
    response = indicators.ask(question)
    assert not response.metadata["abstained"], response.response
    assert any(value in str(c["quote"]) and re.match(r"^\d\.\s", str(c["quote"])) for c in response.metadata["citations"]), response.response


def test_the_codes_a_question_names_and_the_units_they_name() -> None:
    from assistant.documents.references import asked_entries, entry_code, entry_key
    assert asked_entries("Mẫu số 05 và chỉ tiêu 504, mã số 503 của biểu mẫu số 2a") == ["05", "504", "503", "2a"]
    assert asked_entries("mau so 05 va chi tieu so 504, ma so 503") == ["05", "504", "503"]  # typed without accents
    assert asked_entries("Điều 5 khoản 2 Thông tư 04/2024") == []
    # counts and amounts, not codes: "máu", "chi tiêu" typed or folded alike
    assert asked_entries("Xét nghiệm máu 2 lần thì sao?") == [] and asked_entries("xet nghiem mau 2 lan") == []
    assert asked_entries("Mức chi tiêu 1.500.000 đồng") == [] and asked_entries("muc chi tieu 1.500.000 dong") == []
    assert entry_code("Phụ lục II, Mẫu số 05") == "5" and entry_code("Phụ lục II, 504") == "504"
    assert entry_code("Phụ lục, Mẫu số 02đ") == entry_key("02d") == "2d"
    assert entry_code("Điều 5") is None and entry_code("Phụ lục I, Danh mục II") is None
