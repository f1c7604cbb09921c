"""Feedback storage and `assistant feedback export`: a real SQLite file and a real CSV."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest

from assistant.present.cli import main as cli_main
from assistant.present.feedback import FeedbackStore

CITATION = {"n": 1, "source": "a.txt", "title": "Kế hoạch A", "section": "III.4", "quote": "Tổ chức tuyên truyền.", "province": "Sơn La"}


def test_add_update_delete_and_read_back(tmp_path: Path):
    store = FeedbackStore(tmp_path / "data" / "feedback.sqlite3")
    assert store.all() == []
    first = store.add("up", "Sở Y tế phải làm gì?", "- Tổ chức tuyên truyền. [1]", [CITATION], {"provinces": ["Sơn La"]}, build_id="b1", session="s1")
    second = store.add("down", "Ai ký?", "Không tìm thấy thông tin", [], {}, understood_as="Ai ký kế hoạch?")
    assert store.update(first, comment="  Đúng, rất hữu ích  ")
    assert store.update(second, rating="up")
    assert not store.update(999, comment="x")
    records = store.all()
    assert [r.id for r in records] == [first, second]
    assert records[0].comment == "Đúng, rất hữu ích" and records[0].citations == [CITATION]
    assert records[0].filters == {"provinces": ["Sơn La"]} and records[0].build_id == "b1"
    assert records[1].rating == "up" and records[1].understood_as == "Ai ký kế hoạch?"
    assert records[0].created_at.endswith("+00:00")
    assert store.delete(second) and [r.id for r in store.all()] == [first]


def test_rejects_unknown_ratings(tmp_path: Path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    with pytest.raises(ValueError):
        store.add("meh", "q", "a")  # type: ignore[arg-type]


def test_concurrent_writers(tmp_path: Path):
    """Worker threads of the web chat (one store) and another process's store, all at once."""
    path = tmp_path / "f.sqlite3"
    shared = FeedbackStore(path)
    errors: list[BaseException] = []

    def write(store: FeedbackStore, name: str) -> None:
        try:
            for j in range(10):
                store.add("up", f"{name}-{j}", "a")
        except BaseException as err:  # noqa: BLE001 — reported below
            errors.append(err)

    threads = [threading.Thread(target=write, args=(shared, f"t{i}")) for i in range(4)]
    threads += [threading.Thread(target=write, args=(FeedbackStore(path), f"other{i}")) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(shared.all()) == 60


def test_export_csv(tmp_path: Path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    store.add("down", "=HYPERLINK(\"http://x\")", "- Trả lời [1]", [CITATION], {"years": ["2023"]}, comment="@sai")
    out = tmp_path / "out" / "feedback.csv"
    assert store.export_csv(out) == 1
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read the tone marks
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert rows[0]["rating"] == "down"
    assert rows[0]["question"] == "'=HYPERLINK(\"http://x\")"  # not a formula when opened
    assert rows[0]["answer"] == "'- Trả lời [1]" and rows[0]["comment"] == "'@sai"
    assert json.loads(rows[0]["citations"]) == [CITATION]
    assert json.loads(rows[0]["filters"]) == {"years": ["2023"]}


def test_cli_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    FeedbackStore(tmp_path / "data" / "feedback.sqlite3").add("up", "Sở Y tế phải làm gì?", "a", [CITATION], {})
    out = tmp_path / "export.csv"
    assert cli_main(["feedback", "export", "--out", str(out)]) == 0
    assert "Đã xuất 1 phản hồi" in capsys.readouterr().out
    assert list(csv.DictReader(out.open(encoding="utf-8-sig")))[0]["question"] == "Sở Y tế phải làm gì?"


def test_export_without_database_writes_header_only(tmp_path: Path):
    out = tmp_path / "empty.csv"
    assert FeedbackStore(tmp_path / "none.sqlite3").export_csv(out) == 0
    assert out.read_text(encoding="utf-8-sig").strip().split(",")[0] == "id"
    assert not (tmp_path / "none.sqlite3").exists()
