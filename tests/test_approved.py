"""Approved answers (issue 20): stored by a migration, made only of verbatim passages, withdrawn
when their documents change, shared as JSON, and matched to questions asked again."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from assistant.index.library import Library
from assistant.present.approved import ApprovalRefused, ApprovedStore, Passage, stale_reason
from assistant.present.feedback import SCHEMA_VERSION, FeedbackStore
from tests.conftest import CORPUS

PLAN = "tuyenquang-2023-thang-hanh-dong.md"
OTHER = "sonla-2023-thang-hanh-dong.txt"


def _library(folder: Path) -> Library:
    return Library.from_files(sorted(p for p in folder.iterdir() if p.is_file()))


def _copy_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


def _passages(library: Library, source: str, count: int = 2) -> list[Passage]:
    """Passages picked as an administrator would: whole sentences of sections of the document."""
    picked = []
    for node in library.sections_of(source):
        sentence = next((s.strip() for s in node.get_content().split("\n") if len(s.strip()) > 60), None)
        if sentence:
            picked.append(Passage.picked(library, source, sentence, str(node.metadata.get("section") or ""), node.node_id))
        if len(picked) == count:
            return picked
    raise AssertionError(f"no passages in {source}")


def test_old_feedback_database_is_migrated_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    with sqlite3.connect(path) as db:  # as the program before versions made it
        db.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, rating TEXT NOT NULL"
                   " CHECK (rating IN ('up', 'down')), comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL, understood_as TEXT,"
                   " answer TEXT NOT NULL, citations TEXT NOT NULL, filters TEXT NOT NULL, build_id TEXT NOT NULL DEFAULT '',"
                   " session TEXT NOT NULL DEFAULT '')")
        db.execute("INSERT INTO feedback (created_at, rating, question, answer, citations, filters) VALUES ('2025-01-01', 'down', 'q', 'a', '[]', '{}')")
    store = FeedbackStore(path)
    assert [r.question for r in store.all()] == ["q"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"feedback", "approved", "asked", "review_decisions"} <= tables
    FeedbackStore(path).all()  # opening again applies nothing twice


def test_a_database_from_a_newer_program_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(sqlite3.DatabaseError, match="mới hơn"):
        FeedbackStore(path).all()


def test_a_quote_must_be_the_documents_own_words(tmp_path: Path) -> None:
    library = _library(CORPUS)
    passage = _passages(library, PLAN, 1)[0]
    assert passage.quote in " ".join(library.full_texts[PLAN].split())
    with pytest.raises(ApprovalRefused, match="nguyên văn"):
        Passage.picked(library, PLAN, passage.quote.replace(" ", " không ", 1))
    with pytest.raises(ApprovalRefused):
        Passage.picked(library, "khong-co.txt", passage.quote)
    store = ApprovedStore(FeedbackStore(tmp_path / "f.sqlite3"))
    with pytest.raises(ApprovalRefused):
        store.add(library, ["Câu hỏi?"], [], "admin")
    forged = Passage(PLAN, passage.section, "Một câu không có trong văn bản nào cả, viết tay.", passage.hash)
    with pytest.raises(ApprovalRefused):
        store.add(library, ["Câu hỏi?"], [forged], "admin")
    assert store.all() == []


def test_the_note_is_shown_as_a_note_and_quotes_as_quotes(tmp_path: Path) -> None:
    library = _library(CORPUS)
    store = ApprovedStore(FeedbackStore(tmp_path / "f.sqlite3"))
    passages = _passages(library, PLAN)
    answer = store.add(library, ["Sở Y tế Tuyên Quang phải làm gì?"], passages, "admin", note="Xem thêm công văn của Sở.")
    text = answer.text()
    for n, passage in enumerate(passages, start=1):
        assert f"“{passage.quote}” [{n}]" in text
    assert "Ghi chú của quản trị viên: Xem thêm công văn của Sở." in text
    assert "“Xem thêm" not in text
    assert [c["quote"] for c in answer.citations()] == [p.quote for p in passages]


@pytest.mark.parametrize("change", ["edited", "replaced", "removed", "unchanged"])
def test_a_changed_document_withdraws_the_answer(tmp_path: Path, change: str) -> None:
    folder = _copy_corpus(tmp_path)
    library = _library(folder)
    store = ApprovedStore(FeedbackStore(tmp_path / "f.sqlite3"))
    passages = _passages(library, PLAN)
    answer = store.add(library, ["Sở Y tế Tuyên Quang phải làm gì?"], passages, "admin")
    kept = store.add(library, ["Sơn La?"], _passages(library, OTHER, 1), "admin")
    path = folder / PLAN
    text = path.read_text(encoding="utf-8")
    if change == "edited":  # the cited passage's words change
        path.write_text(text.replace(passages[0].quote[:40], passages[0].quote[:40].replace(" ", "  x ", 1)), encoding="utf-8")
    elif change == "replaced":  # a new version of the file; the cited passages still in it
        path.write_text(text + "\n\nPhụ lục bổ sung: danh sách đơn vị phối hợp.\n", encoding="utf-8")
    elif change == "removed":
        path.unlink()
    library = _library(folder)
    reason = stale_reason(answer, library)
    withdrawn = store.check(library)
    if change == "unchanged":
        assert reason is None and withdrawn == []
        assert [a.id for a in store.all("active")] == [answer.id, kept.id]
        return
    assert reason and [a.id for a, _ in withdrawn] == [answer.id]
    assert {"edited": "nguyên văn", "replaced": "thay bằng", "removed": "gỡ"}[change] in reason
    assert [a.id for a in store.all("active")] == [kept.id]
    assert store.get(answer.id).status == "withdrawn" and store.get(answer.id).withdrawn_reason == reason


def test_export_and_import_share_a_set_between_installations(tmp_path: Path) -> None:
    library = _library(CORPUS)
    first = ApprovedStore(FeedbackStore(tmp_path / "a.sqlite3"))
    first.add(library, ["Sở Y tế Tuyên Quang phải làm gì?", "Nhiệm vụ của Sở Y tế Tuyên Quang?"], _passages(library, PLAN), "an", note="ghi chú")
    first.add(library, ["Sơn La?"], _passages(library, OTHER, 1), "an")
    out = tmp_path / "approved.json"
    assert first.export_json(out) == 2
    second = ApprovedStore(FeedbackStore(tmp_path / "b.sqlite3"))
    assert second.import_json(out, library, "binh") == (2, [])
    assert second.import_json(out, library, "binh") == (0, [])  # nothing twice
    got = second.all("active")
    assert [a.questions for a in got] == [a.questions for a in first.all()]
    assert [[p.quote for p in a.passages] for a in got] == [[p.quote for p in a.passages] for a in first.all()]
    assert got[0].note == "ghi chú" and got[0].approved_by.startswith("binh")

    # Another province's library without one of the documents: that answer is refused, the other kept.
    smaller = _library_without(tmp_path, OTHER)
    third = ApprovedStore(FeedbackStore(tmp_path / "c.sqlite3"))
    added, refused = third.import_json(out, smaller, "chi")
    assert added == 1 and len(refused) == 1 and "Câu trả lời số 2" in refused[0]
    # A quote edited in the file (its hash no longer matches) is refused.
    data = json.loads(out.read_text(encoding="utf-8"))
    data["answers"][0]["passages"][0]["hash"] = "0" * 64
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    fourth = ApprovedStore(FeedbackStore(tmp_path / "d.sqlite3"))
    assert fourth.import_json(out, library, "chi")[0] == 1
    with pytest.raises(ApprovalRefused):
        fourth.import_json(tmp_path / "missing.json", library, "chi")


def _library_without(tmp_path: Path, source: str) -> Library:
    folder = tmp_path / f"without-{source}"
    folder.mkdir()
    for path in CORPUS.iterdir():
        if path.name != source:
            shutil.copy(path, folder / path.name)
    return _library(folder)


def test_matching_meets_its_targets(assistant: object, tmp_path: Path) -> None:
    """Variants of approved questions get their answer ≥ 95% of the time; other gold questions
    get one ≤ 2% of the time (eval/approved_matching.py, at the configured thresholds)."""
    from eval.approved_matching import measure

    measurement = measure(assistant, tmp_path / "feedback.sqlite3")
    settings = assistant.settings  # type: ignore[attr-defined]
    assert len(measurement.approved) >= 10
    hit, false = measurement.rates(settings.approved_similarity, settings.approved_overlap)
    assert hit >= 0.95, hit
    assert false <= 0.02, false


class _CountingEmbedder:
    """The real embedder, counting the questions it is asked to embed."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.calls = 0

    def get_query_embedding(self, text: str) -> list[float]:
        self.calls += 1
        return self.real.get_query_embedding(text)  # type: ignore[attr-defined]


def test_a_question_is_not_embedded_when_no_approved_answer_could_match(assistant: object, tmp_path: Path) -> None:
    """Every chat question passes here first: with no approved answer (or none in the session's
    documents) it costs no model call."""
    from assistant.present.approved import ApprovedMatcher

    library = assistant.library  # type: ignore[attr-defined]
    store = ApprovedStore(FeedbackStore(tmp_path / "feedback.sqlite3"))
    embedder = _CountingEmbedder(assistant.embed_model)  # type: ignore[attr-defined]
    matcher = ApprovedMatcher(store, embedder, lambda text: assistant.engine.read(text), 0.92, 0.4)  # type: ignore[attr-defined]
    assert matcher.match("Sở Y tế phải làm gì?", library) is None and embedder.calls == 0
    store.add(library, ["Sở Y tế phải làm gì?"], _passages(library, PLAN), "admin")
    assert matcher.match("Sở Y tế phải làm gì?", library, sources=[OTHER]) is None and embedder.calls == 0
    assert matcher.match("So Y te phai lam gi?", library) is not None and embedder.calls == 1  # one vector: both fold alike
