"""The review queue and the usage figures (issue 20), from a feedback database filled by the real
chat flow (engine, embedding model) or, for the figures, by hand."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from assistant.present.approved import ApprovalRefused, ApprovedStore, Passage
from assistant.present.approved_chat import ApprovedReplies
from assistant.present.chat import Filters, answer, prepare
from assistant.present.feedback import FeedbackStore
from assistant.present.review import ReviewQueue
from assistant.present.usage import iso_week, nearest_rank, usage

DRINK = ["Mức phạt vi phạm giao thông khi uống rượu bia là bao nhiêu?", "Lái xe uống rượu bia bị phạt bao nhiêu tiền?",
         "Mức phạt khi lái xe có nồng độ cồn là bao nhiêu?"]
HOLIDAY = "Lịch nghỉ Tết Nguyên đán năm 2024 thế nào?"
HEALTH = "Sở Y tế Sơn La phải làm gì trong Tháng hành động 2023?"


def _ask(assistant: Any, replies: ApprovedReplies, question: str) -> Any:
    """One question through the chat's path: read, approved answer or the engine's, logged."""
    engine = assistant.engine
    prepared = prepare(engine, question, None, Filters())
    turn = replies.turn(prepared, Filters(), engine.library) or answer(engine, prepared, Filters())
    replies.record(turn, engine.library)
    return turn


@pytest.fixture
def stores(assistant: Any, tmp_path: Path) -> tuple[FeedbackStore, ApprovedReplies, ReviewQueue]:
    feedback = FeedbackStore(tmp_path / "feedback.sqlite3")
    replies = ApprovedReplies.for_assistant(assistant, feedback)
    queue = ReviewQueue(feedback, assistant.embed_model, assistant.settings.review_group_similarity)
    return feedback, replies, queue


def test_failed_questions_are_grouped_and_decided(assistant: Any, stores: Any) -> None:
    feedback, replies, queue = stores
    turns = [_ask(assistant, replies, q) for q in [*DRINK, HOLIDAY, HEALTH]]
    assert [t.abstained for t in turns] == [True, True, True, True, False]
    feedback.add("down", HEALTH, turns[-1].answer, turns[-1].citations, comment="Thiếu phần xét nghiệm", understood_as=turns[-1].asked,
                 turn_id=turns[-1].id)
    groups = queue.groups()
    drink = next(g for g in groups if set(g.questions) >= {t.asked for t in turns[:3]})
    assert drink.count == 3 and drink.counts() == {"refused": 3}
    assert groups[0] is drink  # the most asked first
    holiday = next(g for g in groups if turns[3].asked in g.questions)
    assert holiday.count == 1 and holiday is not drink
    wrong = next(g for g in groups if g.counts().get("wrong"))
    assert wrong.comments() == ["Thiếu phần xét nghiệm"]
    assert "sonla-2023-thang-hanh-dong.txt" in dict(wrong.documents())

    queue.decide(holiday, "out_of_scope", "an")
    assert all(turns[3].asked not in g.questions for g in queue.groups())
    with sqlite3.connect(feedback.path) as db:  # decided before: the question asked again later comes back
        db.execute("UPDATE review_decisions SET decided_at = '2000-01-01T00:00:00+00:00'")
    assert any(turns[3].asked in g.questions for g in queue.groups())

    # Approving the "Chưa đúng" group keeps the answer's own passages; the next asker gets it.
    with pytest.raises(ApprovalRefused):
        queue.approve(drink, assistant.library, "an")  # a refusal cites nothing to approve
    approved = queue.approve(wrong, assistant.library, "an", note="Đã kiểm tra")
    assert [p.quote for p in approved.passages] == [c["quote"] for c in turns[-1].citations]
    assert all(wrong.question not in g.questions for g in queue.groups())
    again = _ask(assistant, replies, "So Y te Son La phai lam gi trong thang hanh dong 2023?")
    assert again.kind == "approved" and again.answerer == f"approved:{approved.id}"
    assert again.notices[0].startswith("Câu trả lời đã được duyệt ngày ")
    assert "Ghi chú của quản trị viên: Đã kiểm tra" in again.answer

    # A correction from passages picked from a document, for the refused group.
    library = assistant.library
    source = "sonla-2023-thang-hanh-dong.txt"
    node = library.sections_of(source)[3]
    sentence = max(node.get_content().split("\n"), key=len)
    corrected = queue.correct(drink, library, [Passage.picked(library, source, sentence, node_id=node.node_id)], "an")
    assert corrected.passages[0].quote == " ".join(sentence.split()).lstrip("-• ")
    assert _ask(assistant, replies, DRINK[1]).answerer == f"approved:{corrected.id}"

    out = io.StringIO()
    queue.export_csv(out)
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert rows[0][:3] == ["nhom", "cau_hoi", "so_lan"] and len(rows) == 1 + len(queue.groups())


def test_a_withdrawn_answer_is_queued_and_never_shown(assistant: Any, stores: Any) -> None:
    feedback, replies, queue = stores
    library = assistant.library
    first = _ask(assistant, replies, HEALTH)
    store = ApprovedStore(feedback)
    answer_ = store.add(library, [first.asked], [Passage.from_citation(library, c) for c in first.citations], "an")
    assert _ask(assistant, replies, HEALTH).kind == "approved"
    # The document changes under it (as a new build would show it): withdrawn on the next question.
    with sqlite3.connect(feedback.path) as db:
        passages = json.loads(db.execute("SELECT passages FROM approved WHERE id = ?", (answer_.id,)).fetchone()[0])
        passages[0]["quote"] = passages[0]["quote"] + " (đã sửa)"
        db.execute("UPDATE approved SET passages = ? WHERE id = ?", (json.dumps(passages, ensure_ascii=False), answer_.id))
    replies.matcher._checked_build = None  # as when a new build is opened
    assert _ask(assistant, replies, HEALTH).kind == "answer"
    assert store.get(answer_.id).status == "withdrawn"
    withdrawn = [g for g in queue.groups() if g.counts().get("withdrawn")]
    assert len(withdrawn) == 1 and "nguyên văn" in withdrawn[0].comments()[0]


def test_usage_figures_match_counts_made_by_hand(tmp_path: Path) -> None:
    feedback = FeedbackStore(tmp_path / "feedback.sqlite3")
    rows = [  # asked_at, abstained, kind, turn, agencies, cited sources, named sources, total ms
        ("2025-03-03T08:00:00+00:00", 0, "answer", "t1", ["Sở Y tế"], ["a.txt"], [], 100.0),
        ("2025-03-03T09:00:00+00:00", 1, "answer", "t2", [], [], ["b.txt"], 300.0),
        ("2025-03-04T10:00:00+00:00", 0, "approved", "t3", ["Sở Y tế", "Công an tỉnh"], ["a.txt", "a.txt"], [], 20.0),
        ("2025-03-09T23:00:00+00:00", 0, "answer", "t4", ["Công an tỉnh"], ["b.txt"], ["b.txt"], 200.0),
        ("2025-03-10T07:00:00+00:00", 1, "answer", "t5", ["Sở Y tế"], [], [], 900.0),
        ("2025-03-10T08:00:00+00:00", 0, "answer", "t6", ["Sở Y tế"], ["a.txt"], [], None),
    ]
    with feedback.connect() as db:
        for at, abstained, kind, turn, agencies, cited, named, ms in rows:
            db.execute(
                "INSERT INTO asked (asked_at, turn_id, question, understood, kind, abstained, citations, scope, agencies, total_ms)"
                " VALUES (?, ?, 'q', 'q', ?, ?, ?, ?, ?, ?)",
                (at, turn, kind, abstained, json.dumps([{"source": s} for s in cited]), json.dumps(named), json.dumps(agencies), ms),
            )
    for turn in ("t1", "t4", "t4"):  # t4 rated, then its rating changed: one rated answer
        feedback.add("up", "q", "a", turn_id=turn)
    figures = usage(feedback, {"a.txt": "Kế hoạch A"})
    assert figures.questions == 6
    assert (figures.refused, figures.refused_share) == (2, 2 / 6)
    assert (figures.rated, figures.rated_share) == (2, 2 / 6)
    assert figures.approved == 1
    assert figures.per_day == [("2025-03-03", 2), ("2025-03-04", 1), ("2025-03-09", 1), ("2025-03-10", 2)]
    assert figures.per_week == [("2025-W10", 4), ("2025-W11", 2)]  # 9 March 2025 is a Sunday
    assert figures.bodies == [("Sở Y tế", 4), ("Công an tỉnh", 2)]
    assert figures.documents == [("Kế hoạch A", 3), ("b.txt", 2)]
    # five timed answers 20, 100, 200, 300, 900: p50 the 3rd, p95 the 5th
    assert (figures.p50_ms, figures.p95_ms) == (200.0, 900.0)
    assert nearest_rank([], 0.5) is None and iso_week("2025-01-01") == "2025-W01"


def test_empty_database_gives_empty_figures(tmp_path: Path) -> None:
    figures = usage(FeedbackStore(tmp_path / "none.sqlite3"))
    assert figures.questions == 0 and figures.refused_share == 0.0 and figures.p95_ms is None


def test_cli_review_csv_and_approved_round_trip(assistant: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    from assistant.present.cli import main

    built = assistant.settings
    for name, value in (("CORPUS_DIR", built.corpus_dir), ("INDEX_DIR", built.index_dir), ("DATA_DIR", tmp_path / "data")):
        monkeypatch.setenv(f"ASSISTANT_{name}", str(value))
    feedback = FeedbackStore(tmp_path / "data" / "feedback.sqlite3")
    replies = ApprovedReplies.for_assistant(assistant, feedback)
    for question in (*DRINK, HOLIDAY):
        _ask(assistant, replies, question)
    assert main(["review", "list", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsysbinary.readouterr().out.decode("utf-8"))))
    assert rows[0][:3] == ["nhom", "cau_hoi", "so_lan"]
    assert sorted(int(r[2]) for r in rows[1:]) == [1, 3]  # three ways of asking one thing, and another question

    health = _ask(assistant, replies, HEALTH)
    ApprovedStore(feedback).add(assistant.library, [health.asked], [Passage.from_citation(assistant.library, c) for c in health.citations], "an")
    out = tmp_path / "shared.json"
    assert main(["approved", "export", "--out", str(out)]) == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))["answers"]) == 1
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "other"))
    assert main(["approved", "import", str(out), "--by", "binh"]) == 0
    capsysbinary.readouterr()
    assert main(["approved", "list", "--json"]) == 0
    listed = json.loads(capsysbinary.readouterr().out.decode("utf-8"))
    assert [a["questions"] for a in listed] == [[health.asked]] and listed[0]["approved_by"].startswith("binh")
    assert main(["approved", "import", str(tmp_path / "missing.json")]) == 2
