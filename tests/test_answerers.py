"""Answerers on documents parsed in memory (no embedding model, no Chroma): the rules, in seconds.

Each rule is a pattern of Vietnamese administrative writing, so each is checked on at least two
documents: the national decrees of ../shared/corpus-dev and the bundled provincial plans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from assistant.answering.engine import PolicyQueryEngine
from assistant.answering.evidence import MONEY, MONEY_OR_SHARE, TIME
from assistant.config import Settings
from assistant.index.library import Library
from assistant.query.retrieve import HybridRetriever
from assistant.query.understand import understand
from assistant.text import comparable
from tests.conftest import CORPUS
from tests.test_documents import DEV

DECREE_2021 = "nghi-dinh-116-2021-nd-cp-cai-nghien.txt"
DECREE_2026 = "nghi-dinh-163-2026-nd-cp-trich.md"
LISTS = "nghi-dinh-57-2022-nd-cp-danh-muc-chat-ma-tuy.txt"
PLAN = "sonla-2023-thang-hanh-dong.txt"


@pytest.fixture(scope="module")
def engine() -> Iterator[PolicyQueryEngine]:
    library = Library.from_files([DEV / DECREE_2021, DEV / DECREE_2026, DEV / LISTS, CORPUS / PLAN])
    settings = Settings()
    yield PolicyQueryEngine(library, HybridRetriever(library, None, settings, mode="bm25"), settings)


def ask(engine: PolicyQueryEngine, question: str) -> tuple[str, list[dict[str, object]], dict[str, object]]:
    response = engine.ask(question)
    meta = response.metadata or {}
    for citation in meta["citations"]:  # every quote is the document's own words
        assert comparable(str(citation["quote"])) in comparable(engine.library.full_texts[str(citation["source"])])
    return response.response or "", list(meta["citations"]), meta


def _clause_openings(engine: PolicyQueryEngine, source: str, article: str) -> list[str]:
    text = "\n".join(n.get_content() for n in engine.library.sections_of(source) if n.metadata["section"] == article)
    return [line[:40] for line in text.split("\n") if re.match(r"^\d+\.\s", line)]


@pytest.mark.parametrize("source, article, question", [
    (DECREE_2021, "Điều 30", "Điều 30 Nghị định 116/2021 quy định những gì?"),
    (DECREE_2026, "Điều 3", "NĐ 163 điều 3 nói gì"),
    (LISTS, "Điều 2", "Điều 2 của Nghị định 57/2022/NĐ-CP quy định gì?"),
])
def test_an_article_is_quoted_whole_from_the_document_asked(engine: PolicyQueryEngine, source: str, article: str, question: str) -> None:
    answer, citations, meta = ask(engine, question)
    assert meta["answerer"] == "article" and not meta["abstained"]
    assert {c["source"] for c in citations} == {source}
    assert all(str(c["section"]).startswith(article) for c in citations)
    for opening in _clause_openings(engine, source, article):
        assert comparable(opening) in comparable(answer), opening


def test_a_clause_is_quoted_alone(engine: PolicyQueryEngine) -> None:
    answer, citations, _ = ask(engine, "khoản 2 Điều 3 Nghị định 163 quy định gì?")
    assert citations and all(str(c["quote"]).startswith("2.") for c in citations)
    assert "\n- 3." not in answer


def test_an_article_the_named_document_lacks_is_refused_not_borrowed(engine: PolicyQueryEngine) -> None:
    answer, _, meta = ask(engine, "Điều 95 Nghị định 116/2021/NĐ-CP quy định gì?")
    assert meta["abstained"] and "Điều 95" in answer


def test_a_document_that_is_not_indexed_is_said_to_be_missing(engine: PolicyQueryEngine) -> None:
    answer, citations, meta = ask(engine, "Nghị định 105/2021/NĐ-CP quy định gì về hồ sơ cai nghiện?")
    assert meta["abstained"] and not citations and "105/2021" in answer and "chưa có trong hệ thống" in answer


def test_a_term_is_defined_from_every_document_the_one_in_force_first(engine: PolicyQueryEngine) -> None:
    answer, citations, meta = ask(engine, "Tái nghiện là gì?")
    assert meta["answerer"] == "definition"
    assert [c["source"] for c in citations][:2] == [DECREE_2026, DECREE_2021]  # 163/2026 ends 116/2021
    assert all(re.search(r"Tái nghiện là", str(c["quote"])) for c in citations)
    assert "hết hiệu lực" in answer  # the replaced decree's answer says so


def test_validity_is_read_from_what_other_indexed_documents_say(engine: PolicyQueryEngine) -> None:
    answer, citations, _ = ask(engine, "Nghị định 116/2021/NĐ-CP còn hiệu lực không?")
    assert {c["source"] for c in citations} == {DECREE_2026}
    assert "116/2021/NĐ-CP" in answer and "hết hiệu lực" in answer and "01/07/2026" in answer
    answer, citations, meta = ask(engine, "Nghị định 57/2022 còn hiệu lực không?")
    assert not meta["abstained"] and "Không văn bản nào trong hệ thống" in answer
    _, _, meta = ask(engine, "Nghị định 57/2022 đã bị thay thế bởi văn bản nào?")
    assert meta["abstained"]  # nothing indexed says so: nothing is assumed


def test_duties_come_from_decrees_and_plans_the_document_in_force_first(engine: PolicyQueryEngine) -> None:
    answer, citations, meta = ask(engine, "Bộ Công an có trách nhiệm gì?")
    assert meta["answerer"] == "agency"
    assert citations[0]["source"] == DECREE_2026
    assert answer.index("163/2026/NĐ-CP)**") < answer.index("116/2021/NĐ-CP)**")  # in force first: 163/2026 ended 116/2021
    answer, citations, _ = ask(engine, "Sở Y tế phải làm gì?")
    assert citations[0]["source"] == PLAN and citations[0]["section"] == "III.4"
    assert not any(c["section"] == "Điều 84, khoản 2" for c in citations)  # the ministry (Bộ Y tế) is another body


@pytest.mark.parametrize("text", [
    "Trong thời hạn 03 ngày làm việc kể từ ngày tiếp nhận", "trong thời hạn 24 giờ", "từ 06 tháng đến 12 tháng",
    "trong thời hạn 02 năm", "hằng năm trước ngày 15/12", "trước ngày 04/7/2023", "một tuần một lần",
])
def test_time_in_any_written_form(text: str) -> None:
    assert TIME.search(text)


@pytest.mark.parametrize("text", ["Điều 30 Nghị định này", "khoản 2 Điều 3", "các cơ quan có liên quan"])
def test_what_is_not_a_time(text: str) -> None:
    assert not TIME.search(text)


@pytest.mark.parametrize("text", ["450.000 đ", "5.000.000 đồng", "bằng 0,8 mức lương cơ sở", "20 lần mức chuẩn trợ giúp xã hội", "1,5 tỷ đồng"])
def test_amounts_in_any_written_form(text: str) -> None:
    assert MONEY.search(text)


def test_a_share_is_an_amount_only_when_a_share_is_asked() -> None:
    assert not MONEY.search("trên 90% người nghiện") and MONEY_OR_SHARE.search("hỗ trợ 95% chi phí")


@pytest.mark.parametrize("question", [
    "Thời hạn Chủ tịch Ủy ban nhân dân cấp xã quyết định cai nghiện tự nguyện tại gia đình là bao lâu?",
    "Hạn báo cáo kết quả Tháng hành động của Sơn La là khi nào?",
])
def test_durations_and_deadlines_are_answered_with_the_time(engine: PolicyQueryEngine, question: str) -> None:
    answer, citations, meta = ask(engine, question)
    assert not meta["abstained"] and meta["answerer"] == "time"
    assert all(TIME.search(str(c["quote"])) for c in citations)


@pytest.mark.parametrize("question", [
    "Những trường hợp nào được hoãn chấp hành quyết định đưa vào cơ sở cai nghiện bắt buộc?",
    "Người bị giám sát điện tử được tháo tạm thời thiết bị khi nào?",
    "Kinh phí thực hiện Tháng hành động ở Sơn La lấy từ đâu?",
])
def test_questions_of_no_particular_kind_get_the_passages_that_answer(engine: PolicyQueryEngine, question: str) -> None:
    answer, citations, meta = ask(engine, question)
    assert not meta["abstained"] and citations
    assert len(answer) < 3000


@pytest.mark.parametrize("question", [
    "Quy định về nuôi ong lấy mật ở vùng cao như thế nào?",
    "Giá vé tham quan bảo tàng là bao nhiêu tiền?",
])
def test_a_subject_no_document_mentions_is_refused(engine: PolicyQueryEngine, question: str) -> None:
    answer, citations, meta = ask(engine, question)
    assert meta["abstained"] and not citations and answer.startswith("Không tìm thấy thông tin")


@pytest.mark.parametrize("question, source, words", [
    ("Heroin thuộc danh mục nào?", LISTS, ["Heroin", "Danh mục I"]),
    ("ND 57 xep Morphin vao danh muc nao", LISTS, ["Morphine"]),
    ("Cơ sở điều trị bằng Methadon do ai duy trì?", PLAN, ["Methadone", "Sở Y tế"]),
])
def test_an_international_name_finds_the_few_places_that_use_it_however_it_is_spelled(
    engine: PolicyQueryEngine, question: str, source: str, words: list[str],
) -> None:
    """Names of substances and drugs are used in a few places only, spelled with or without the
    final "e" ("Heroin", "Morphin", "Methadon"), and asked about in words the documents do not
    use ("xếp vào danh mục nào"): those places answer."""
    answer, citations, meta = ask(engine, question)
    assert not meta["abstained"], answer
    assert citations[0]["source"] == source
    for word in words:
        assert word in answer


@pytest.mark.parametrize("question", [
    # Prison terms are in the Criminal Code, which is not indexed; "tàng trữ" is not the "tang" of
    # "chế độ chịu tang", nor is "kịp thời" a number of years.
    "Theo Nghị định 116/2021, tàng trữ trái phép 5 gam heroin thì bị phạt tù bao nhiêu năm?",
    "Theo Nghị định 163, mua bán trái phép chất ma túy bị phạt tù bao nhiêu năm?",
    "Kế hoạch Tháng hành động Sơn La 2023 phạt tù bao nhiêu năm?",
])
def test_a_time_or_figure_no_passage_states_is_refused_rather_than_answered_with_other_text(engine: PolicyQueryEngine, question: str) -> None:
    answer, citations, meta = ask(engine, question)
    assert meta["abstained"] and not citations, answer


@pytest.mark.parametrize("question", [
    "Hồ sơ đề nghị đưa vào cơ sở cai nghiện bắt buộc gồm những gì và phải lập trong bao lâu?",
    "Theo Nghị định 163, hồ sơ quản lý người sử dụng trái phép chất ma túy gồm những gì và phải lập trong bao lâu?",
])
def test_a_question_of_two_parts_gets_both_the_time_and_the_list(engine: PolicyQueryEngine, question: str) -> None:
    """"… gồm những gì và trong bao lâu?": the time answerer answers one part, the procedure
    answerer the other (a list opener quoted with its items)."""
    answer, citations, meta = ask(engine, question)
    assert not meta["abstained"], answer
    quotes = [str(c["quote"]) for c in citations]
    assert any(TIME.search(q) for q in quotes)
    assert any(re.search(r"\bgồm\b[^.]*:", q) for q in quotes), answer


@pytest.fixture(scope="module")
def archive() -> Library:
    """Every document we have, provincial and national, as a user's archive holds them."""
    files = [p for p in [*CORPUS.iterdir(), *DEV.iterdir()] if p.suffix in (".md", ".txt") and p.name not in ("README.md", "SOURCES.md")]
    return Library.from_files(files)


@pytest.mark.parametrize("question, source", [
    # Sơn La's Nghị quyết and the ministry's Quyết định both set targets to 2030 ("mục tiêu").
    ("Theo mục tiêu của Nghị quyết, tỷ lệ người nghiện được quản lý là bao nhiêu?", "sonla-nghi-quyet-khong-ma-tuy-2030.md"),
    ("Mục tiêu của Quyết định giao chỉ tiêu cho Bộ Y tế là gì?", "quyet-dinh-2942-qd-bca-2026-giao-muc-tieu-ctmtqg-pcmt.md"),
])
def test_the_kind_of_document_a_question_names_picks_the_document_of_that_kind(archive: Library, question: str, source: str) -> None:
    assert understand(question, archive).sources == [source]
