"""The chat answers who does what and when from the build's responsibility extraction
(index.assignments): the bundled plans and two development documents (a national plan with its
"Phân công" lines, a Prime Minister's dispatch with its deadlines), parsed in memory (no model, no
Chroma). Every expectation is derived from the extraction and the documents' texts, not written in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from assistant.answering.engine import PolicyQueryEngine
from assistant.config import Settings
from assistant.index.assignments import body_identity
from assistant.index.library import Library
from assistant.query.retrieve import HybridRetriever
from assistant.text import comparable, fold
from tests.conftest import CORPUS
from tests.test_documents import DEV, DEV2

PLAN_2026 = "quyet-dinh-152-qd-ttg-2026-ke-hoach-thi-hanh-luat-pcmt.md"
DISPATCH_2026 = "cong-van-573-ttg-kgvx-2026-thang-hanh-dong-pcmt.md"


@pytest.fixture(scope="module")
def engine() -> Iterator[PolicyQueryEngine]:
    if not (DEV / PLAN_2026).exists():
        pytest.skip("../shared/corpus-dev is not here")
    library = Library.from_files([*sorted(CORPUS.glob("*.txt")), *sorted(CORPUS.glob("*.md")), DEV / PLAN_2026, DEV / DISPATCH_2026])
    settings = Settings()
    yield PolicyQueryEngine(library, HybridRetriever(library, None, settings, mode="bm25"), settings)


def ask(engine: PolicyQueryEngine, question: str) -> tuple[str, list[dict[str, object]], dict[str, object]]:
    response = engine.ask(question)
    meta = response.metadata or {}
    for citation in meta["citations"]:  # every quote is the cited document's own words
        assert comparable(str(citation["quote"])) in comparable(engine.library.full_texts[str(citation["source"])]), citation
    return response.response or "", list(meta["citations"]), meta


def _places(engine: PolicyQueryEngine, identity: str) -> set[tuple[str, str]]:
    return {(a.document, a.section) for a in engine.library.responsibilities.assignments if a.identity == identity}


@pytest.mark.parametrize("question, body, province", [
    ("Sở Y tế phải làm gì?", "Sở Y tế", None),
    ("SYT phai lam j", "Sở Y tế", None),
    # "Công an tỉnh có trách nhiệm theo dõi, hướng dẫn, đôn đốc …" under "Tổ chức thực hiện": a
    # task the extraction reads from a sentence, not from a block headed by the body
    ("Công an tỉnh Tuyên Quang phải làm gì?", "Công an tỉnh", "Tuyên Quang"),
])
def test_what_a_body_must_do_lists_every_document_s_tasks_from_the_extraction(engine: PolicyQueryEngine, question: str, body: str, province: str | None) -> None:
    answer, citations, meta = ask(engine, question)
    assert meta["answerer"] == "agency" and not meta["abstained"]
    identity = body_identity(body)
    own = {(s, p) for s, p in _places(engine, identity) if province is None or engine.library.documents[s].province == province}
    assert len(own) >= 2
    cited = {(str(c["source"]), str(c["section"])) for c in citations}
    assert own <= cited  # every document's block, each task quoted from it
    statements = answer.split("\n\n" + body)[0]  # the answer before its note on partner mentions
    for assignment in engine.library.responsibilities.of_agency(body):
        if (assignment.document, assignment.section) in own:
            for task in assignment.tasks:
                assert comparable(task.text[:60]) in comparable(statements), task.text[:60]


def test_a_national_body_s_tasks_come_from_the_development_documents(engine: PolicyQueryEngine) -> None:
    _, citations, meta = ask(engine, "Bộ Công an phải làm gì?")
    assert meta["answerer"] == "agency"
    own = _places(engine, body_identity("Bộ Công an"))
    assert {DISPATCH_2026} <= {source for source, _ in own}
    assert own <= {(str(c["source"]), str(c["section"])) for c in citations}


@pytest.mark.parametrize("body", ["Sở Y tế", "Bộ Công an"])
def test_who_works_with_a_body_is_read_from_the_partners(engine: PolicyQueryEngine, body: str) -> None:
    answer, citations, meta = ask(engine, f"Những cơ quan nào phối hợp với {body}?")
    assert meta["answerer"] == "roles" and citations
    identity = body_identity(body)
    told = [a for a in engine.library.responsibilities.assignments
            if a.identity != identity and any(body_identity(p) == identity for p in a.partners)]
    assert told, "the documents name partners of this body"
    intro = answer.split("\n\n")[0]
    for assignment in told:
        assert assignment.agency in intro
    for citation in citations:
        assert "phoi hop" in fold(str(citation["quote"]))
        place = (str(citation["source"]), str(citation["section"]))
        assert any((a.document, a.section) == place and (a.identity == identity or a in told)
                   for a in engine.library.responsibilities.assignments), place


@pytest.mark.parametrize("question, words", [
    ("Ai chủ trì việc kiểm tra cơ sở kinh doanh tiền chất?", ["kiem tra", "tien chat"]),
    ("ai chu tri kiem tra tien chat", ["kiem tra", "tien chat"]),
    ("Ai chủ trì tổ chức các hoạt động cấp Trung ương hưởng ứng Tháng hành động?", ["cap trung uong", "huong ung"]),
])
def test_who_leads_a_task_is_answered_with_the_bodies_and_their_roles(engine: PolicyQueryEngine, question: str, words: list[str]) -> None:
    answer, citations, meta = ask(engine, question)
    assert meta["answerer"] == "roles" and citations
    assignments = engine.library.responsibilities.assignments
    for citation in citations:
        quote = fold(str(citation["quote"]))
        assert all(w in quote for w in words), quote
        place = (str(citation["source"]), str(citation["section"]))
        bodies = [a.agency for a in assignments if (a.document, a.section) == place and comparable(str(citation["quote"]))[:40] in comparable(" ".join(t.text for t in a.tasks))]
        assert bodies and any(b in answer for b in bodies), place
    leads = [c for c in citations if re.search(r"(?<!\w)chủ trì(?!\w)", str(c["quote"]), re.I)]
    if leads:  # a clause that says "chủ trì" names the leading body first
        assert answer.startswith("Chủ trì:")
    else:
        assert "không nêu cơ quan chủ trì" in answer


def _june(first: date, last: date) -> bool:
    return first <= date(last.year, 6, 30) and last >= date(last.year, 6, 1)


@pytest.mark.parametrize("question", ["Việc gì đến hạn trong tháng 6?", "thang 6 co viec j den han"])
def test_what_falls_due_in_a_month_takes_each_document_s_year(engine: PolicyQueryEngine, question: str) -> None:
    answer, citations, meta = ask(engine, question)
    assert meta["answerer"] == "due" and citations
    in_june = {(d.document, d.section) for d in engine.library.responsibilities.deadlines
               if (d.start or d.date) and _june(date.fromisoformat(d.start or d.date or ""), date.fromisoformat(d.end or d.date or ""))}
    cited = {(str(c["source"]), str(c["section"])) for c in citations}
    assert in_june and in_june <= cited
    years = {int(y) for y in re.findall(r"20\d\d", answer.split("\n\n")[0])}
    assert {engine.library.documents[s].year for s, _ in in_june} <= years  # it says which years it took
    for source, section in cited - in_june:  # the others come back every year in June
        assert any(d.document == source and d.section == section and d.recurrence for d in engine.library.responsibilities.deadlines)


def test_a_month_with_a_year_keeps_to_that_year(engine: PolicyQueryEngine) -> None:
    _, citations, meta = ask(engine, "Việc gì đến hạn trong tháng 3 năm 2026?")
    assert meta["answerer"] == "due" and citations
    for citation in citations:
        deadlines = [d for d in engine.library.responsibilities.deadlines if (d.document, d.section) == (citation["source"], citation["section"])]
        assert any((d.start or d.date or "").startswith("2026-03") or (d.end or "").startswith("2026-03") for d in deadlines)


def test_a_body_s_report_deadlines_include_those_of_its_group_and_its_plans(engine: PolicyQueryEngine) -> None:
    """Sở Y tế's own deadlines, those set for "Các sở, ban, ngành, …", and those a plan that assigns
    it tasks sets for no body in particular ("các cơ quan, đơn vị, địa phương … báo cáo … trước ngày")."""
    answer, citations, meta = ask(engine, "Sở Y tế có hạn báo cáo nào?")
    assert meta["answerer"] == "due" and citations
    identity = body_identity("Sở Y tế")
    plans = {a.document for a in engine.library.responsibilities.assignments if a.identity == identity}
    calendar = engine.library.responsibilities.deadlines

    def applies(d: object) -> bool:
        return d.identity == identity or fold(d.agency or "").startswith("cac so") or (d.agency is None and d.document in plans)  # type: ignore[attr-defined]

    for citation in citations:
        assert any(applies(d) for d in calendar if (d.document, d.section) == (citation["source"], citation["section"]))
        assert "bao cao" in fold(str(citation["quote"]))
    expected = {(d.document, d.section) for d in calendar if applies(d) and "bao cao" in fold(d.what)}
    assert len({s for s, _ in expected}) >= 2 and expected <= {(str(c["source"]), str(c["section"])) for c in citations}


@pytest.mark.parametrize("question", [
    "Hạn báo cáo của Sở Y tế là khi nào?",
    "Cơ quan nào chủ trì tổ chức các hoạt động cấp Trung ương và báo cáo kết quả trước ngày nào?",
])
def test_one_date_asked_is_left_to_the_passages(engine: PolicyQueryEngine, question: str) -> None:
    """A single date ("… là khi nào?", "… trước ngày nào?") is the time answerer's: it quotes the
    passage that holds it, with whatever else the question asks."""
    _, citations, meta = ask(engine, question)
    assert meta["answerer"] not in ("due", "roles")


def test_a_body_no_document_names_is_refused_with_the_proof(engine: PolicyQueryEngine) -> None:
    body = "Sở Du lịch"
    assert not any(fold(body) in fold(text) for text in engine.library.full_texts.values())
    assert not engine.library.responsibilities.of_agency(body)
    for question in (f"{body} phải làm gì?", f"Những cơ quan nào phối hợp với {body}?"):
        answer, citations, meta = ask(engine, question)
        assert meta["abstained"] and not citations and meta["refusal"] == "agency", answer
        assert "Không tìm thấy" in answer and "không văn bản nào" in answer.lower()


DECREE_105 = "nghi-dinh-105-2021-nd-cp-congbao.md"
DECREE_28 = "nghi-dinh-28-2026-nd-cp-danh-muc-chat-ma-tuy-ocr.md"


@pytest.fixture(scope="module")
def decrees() -> Iterator[PolicyQueryEngine]:
    if not (DEV2 / DECREE_105).exists():
        pytest.skip("../shared/corpus-dev-2 is not here")
    library = Library.from_files([DEV2 / DECREE_105, DEV2 / DECREE_28])
    settings = Settings()
    yield PolicyQueryEngine(library, HybridRetriever(library, None, settings, mode="bm25"), settings)


@pytest.mark.parametrize("source, body, number", [(DECREE_105, "Bộ Công Thương", "105/2021/NĐ-CP"), (DECREE_28, "Bộ Y tế", "28/2026/NĐ-CP")])
def test_an_article_sharing_a_competence_is_quoted_where_it_names_the_body(decrees: PolicyQueryEngine, source: str, body: str, number: str) -> None:
    """ "2. Bộ Công Thương cho phép …" is the body's clause; "1. Bộ Công an cho phép … (trừ các tiền
    chất công nghiệp do Bộ Công Thương quản lý và cho phép)" in the same article bounds it."""
    answer, citations, meta = ask(decrees, f"Theo Nghị định {number}, {body} có trách nhiệm gì?")
    assert meta["answerer"] == "agency"
    own = [a for a in decrees.library.responsibilities.of_agency(body) if a.document == source]
    assert own
    articles = {decrees.library.node_at(a.document, a.order).metadata["section"] for a in own}  # type: ignore[union-attr]
    statements = answer.split("\n\n" + body)[0]
    naming = [c for c in citations if str(c["section"]).split(",")[0] in articles
              and (str(c["source"]), str(c["section"])) not in {(a.document, a.section) for a in own}]
    assert naming, "another clause of the body's article names it"
    for citation in naming:
        assert fold(body) in fold(str(citation["quote"])) and comparable(str(citation["quote"])) in comparable(statements)
