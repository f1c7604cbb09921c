"""Answers on the bundled corpus: complete across documents, cited verbatim, silent when the documents are."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant.answering.types import NOT_FOUND
from assistant.config import PROJECT_ROOT, Settings
from assistant.answering.engine import QuestionRejected
from assistant.text import comparable

HEALTH_BLOCKS = {("sonla-2023-thang-hanh-dong.txt", "III.4"), ("tuyenquang-2023-thang-hanh-dong.md", "III.3")}


def quotes_are_verbatim(assistant, response) -> None:  # type: ignore[no-untyped-def]
    for citation in response.metadata["citations"]:
        node = assistant.library.nodes[citation["node_id"]]
        assert citation["quote"] in node.get_content(), citation  # verbatim in the cited section
        assert node.metadata["section"] == citation["section"]
        assert comparable(citation["quote"]) in comparable(assistant.library.full_texts[citation["source"]])


def test_agency_tasks_come_from_every_document_that_assigns_them(assistant) -> None:  # type: ignore[no-untyped-def]
    response = assistant.engine.ask("Sở Y tế phải làm gì?")
    meta = response.metadata
    assert not meta["abstained"]
    cited_blocks = {(c["source"], c["section"]) for c in meta["citations"]}
    assert HEALTH_BLOCKS <= cited_blocks
    # Every bullet of each Sở Y tế block is in the answer, each followed by its [n].
    for source, section in HEALTH_BLOCKS:
        [block] = [n for n in assistant.library.sections_of(source) if n.metadata["section"] == section]
        for line in block.get_content().split("\n")[1:]:
            assert line.lstrip("- ").strip() in response.response
    # Grouped per document: each document title appears once, as a heading.
    for source in {s for s, _ in HEALTH_BLOCKS}:
        assert response.response.count(assistant.library.documents[source].title) == 1
    # Partners: the answer also points to places that name Sở Y tế without assigning it a block.
    assert "đơn vị phối hợp" in response.response
    quotes_are_verbatim(assistant, response)


def test_accentless_question_gets_the_same_agency_blocks(assistant) -> None:  # type: ignore[no-untyped-def]
    clean = assistant.engine.ask("Sở Y tế phải làm gì?")
    pasted = assistant.engine.ask("[09:41] Anh Tuấn: ae oi so y te phai lam gi vay 🙏")
    assert pasted.metadata["understood_as"]
    assert {c["section"] for c in pasted.metadata["citations"]} >= {c["section"] for c in clean.metadata["citations"] if (c["source"], c["section"]) in HEALTH_BLOCKS}


def test_province_restricts_the_search(assistant) -> None:  # type: ignore[no-untyped-def]
    response = assistant.engine.ask("Ở Tuyên Quang, Sở Y tế phải làm gì?")
    assert {c["source"] for c in response.metadata["citations"]} == {"tuyenquang-2023-thang-hanh-dong.md"}


@pytest.mark.parametrize(
    "question",
    [
        "Sở Khoa học và Công nghệ phải làm gì trong Tháng hành động?",  # an agency no document mentions
        "Tỉnh Lào Cai giao Công an tỉnh những nhiệm vụ gì?",  # a province not in the corpus
        "Bộ Y tế được giao nhiệm vụ gì?",  # shares "y tế" with Sở Y tế, but is not it
        "Ban Dân tộc tỉnh Sơn La được giao nhiệm vụ gì?",  # a "Ban" no document names
        "Mức hỗ trợ tiền ăn cho người cai nghiện tự nguyện là bao nhiêu?",  # an amount never stated
    ],
)
def test_questions_the_documents_do_not_cover_are_declined(assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    response = assistant.engine.ask(question)
    assert response.metadata["abstained"]
    assert response.response.startswith(NOT_FOUND)
    assert response.metadata["citations"] == []
    assert "Sơn La" in response.response and "Tuyên Quang" in response.response  # says what is covered


def test_deadline_answer_quotes_the_date(assistant) -> None:  # type: ignore[no-untyped-def]
    response = assistant.engine.ask("Hạn báo cáo kết quả Tháng hành động ở Sơn La là ngày nào?")
    assert "04/7/2023" in response.response
    assert {c["source"] for c in response.metadata["citations"]} == {"sonla-2023-thang-hanh-dong.txt"}
    quotes_are_verbatim(assistant, response)


def test_one_body_under_the_names_different_plans_give_it(assistant) -> None:  # type: ignore[no-untyped-def]
    # Sơn La's plan heads a block "Tỉnh đoàn Sơn La", Tuyên Quang's "Đoàn Thanh niên Cộng sản Hồ Chí Minh tỉnh".
    response = assistant.engine.ask("Tỉnh đoàn phải làm gì?")
    assert not response.metadata["abstained"]
    assert {c["source"] for c in response.metadata["citations"]} == {"sonla-2023-thang-hanh-dong.txt", "tuyenquang-2023-thang-hanh-dong.md"}
    quotes_are_verbatim(assistant, response)
    women = assistant.engine.ask("Hội Phụ nữ tỉnh Tuyên Quang được giao làm gì?")  # the plan says "Hội Liên hiệp Phụ nữ tỉnh"
    assert not women.metadata["abstained"]
    assert "Hội Liên hiệp Phụ nữ" in women.response


def test_a_generic_document_word_does_not_narrow_the_search(assistant) -> None:  # type: ignore[no-untyped-def]
    # Four of the five titles begin "Kế hoạch": the word names none of them.
    response = assistant.engine.ask("Kinh phí thực hiện kế hoạch lấy từ đâu?")
    assert not response.metadata["abstained"]
    assert any("kinh phí" in c["quote"].lower() for c in response.metadata["citations"])
    quotes_are_verbatim(assistant, response)


def test_a_year_in_a_title_dates_that_document_for_a_comparison(assistant) -> None:  # type: ignore[no-untyped-def]
    response = assistant.engine.ask("Hạn báo cáo năm trong kế hoạch 2024 của Văn phòng UBND tỉnh và trong nghị quyết không ma túy 2030 khác nhau thế nào?")
    assert {c["source"] for c in response.metadata["citations"]} == {"sonla-vp-ubnd-2024-ke-hoach.txt", "sonla-nghi-quyet-khong-ma-tuy-2030.md"}
    quotes_are_verbatim(assistant, response)


def test_who_proposed_a_decision_is_answered_from_its_preamble(assistant) -> None:  # type: ignore[no-untyped-def]
    # "số mấy" (which number) must not be read as "số máy" (a phone extension).
    response = assistant.engine.ask("Quyết định ban hành kế hoạch biên giới năm 2023 theo đề nghị của ai, tờ trình số mấy?")
    assert not response.metadata["abstained"]
    assert any(c["quote"].startswith("Theo đề nghị") for c in response.metadata["citations"])
    quotes_are_verbatim(assistant, response)


def test_provinces_compared_like_with_like(assistant) -> None:  # type: ignore[no-untyped-def]
    # Tuyên Quang has one plan, the 2023 action month; Sơn La's counterpart is its own 2023 action-month plan.
    response = assistant.engine.ask("Tuyên Quang khác Sơn La ở điểm nào?")
    assert not response.metadata["abstained"]
    assert {c["source"] for c in response.metadata["citations"]} == {"tuyenquang-2023-thang-hanh-dong.md", "sonla-2023-thang-hanh-dong.txt"}
    assert "Giao nhiệm vụ cho" in response.response
    quotes_are_verbatim(assistant, response)


@pytest.mark.parametrize("question", ["", "   ", "x" * 20_000])
def test_empty_and_oversized_questions_are_rejected(assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QuestionRejected):
        assistant.engine.ask(question)


def run_cli(settings: Settings, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir)}
    return subprocess.run(
        [sys.executable, "-m", "assistant.present.cli", *args], input=stdin, capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=300
    )


def test_cli_json_and_jsonl(built_settings: Settings) -> None:
    single = run_cli(built_settings, "ask", "--json", "Sở Y tế phải làm gì?")
    assert single.returncode == 0, single.stderr
    answer = json.loads(single.stdout)
    assert set(answer) >= {"question", "answer", "abstained", "citations", "timings_ms"}
    assert {(c["source"], c["section"]) for c in answer["citations"]} >= HEALTH_BLOCKS
    assert all(set(c) >= {"n", "source", "title", "section", "quote"} for c in answer["citations"])

    lines = [
        json.dumps({"question": "Sở Y tế phải làm gì?", "id": "a"}, ensure_ascii=False),
        json.dumps({"question": "Tỉnh Lào Cai làm gì?"}, ensure_ascii=False),
        json.dumps({"question": ""}),
        "not json",
    ]
    batch = run_cli(built_settings, "ask", "--jsonl", "-", stdin="\n".join(lines) + "\n")
    assert batch.returncode == 0, batch.stderr
    out = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [o["question"] for o in out] == ["Sở Y tế phải làm gì?", "Tỉnh Lào Cai làm gì?", "", ""]
    assert [o["abstained"] for o in out] == [False, True, True, True]
    assert "error" in out[2] and "error" in out[3]


def test_cli_info_lists_documents(built_settings: Settings) -> None:
    result = run_cli(built_settings, "info", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert len(info["documents"]) == 5
    by_source = {d["source"]: d for d in info["documents"]}
    assert by_source["tuyenquang-2023-thang-hanh-dong.md"]["province"] == "Tuyên Quang"
    assert all(d["node_count"] > 0 for d in info["documents"])
