"""Staff feedback on answers (👍/👎 and a comment), kept in one SQLite file under data_dir.

Each row holds everything needed to judge the answer later without the live session: the
question as typed, what it was understood as, the answer text, its citations (JSON), the
session's filters (JSON) and the index build that answered. `assistant feedback export`
writes the rows as CSV for whoever reviews them.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

Rating = Literal["up", "down"]
RATINGS: tuple[Rating, ...] = ("up", "down")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    understood_as TEXT,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    filters TEXT NOT NULL,
    build_id TEXT NOT NULL DEFAULT '',
    session TEXT NOT NULL DEFAULT ''
)
"""
COLUMNS = ("id", "created_at", "rating", "comment", "question", "understood_as", "answer", "citations", "filters", "build_id", "session")


@dataclass(frozen=True)
class FeedbackRecord:
    id: int
    created_at: str
    rating: Rating
    comment: str
    question: str
    understood_as: str | None
    answer: str
    citations: list[dict[str, Any]]
    filters: dict[str, Any]
    build_id: str
    session: str


class FeedbackStore:
    """One connection per call: the web chat writes from several worker threads.

    The file is created (WAL journal, table) once per store under a lock: switching the journal
    mode from several connections at once fails with "database is locked" instead of waiting.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ready = False
        self._setup = threading.Lock()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            with self._setup:
                if not self._ready:
                    self._create()
                    self._ready = True
        connection = sqlite3.connect(self.path, timeout=30)
        try:
            with connection:
                yield connection
        finally:
            connection.close()

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(100):  # another process may be creating it too
            try:
                with closing(sqlite3.connect(self.path, timeout=30)) as connection:
                    connection.execute("PRAGMA journal_mode=WAL")
                    connection.execute(_SCHEMA)
                    connection.commit()
                return
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or attempt == 99:
                    raise
                time.sleep(0.05)

    def add(
        self,
        rating: Rating,
        question: str,
        answer: str,
        citations: Sequence[Mapping[str, Any]] = (),
        filters: Mapping[str, Any] | None = None,
        comment: str = "",
        understood_as: str | None = None,
        build_id: str = "",
        session: str = "",
    ) -> int:
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, rating, comment, question, understood_as, answer, citations, filters, build_id, session)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(timezone.utc).isoformat(timespec="seconds"), rating, comment.strip(), question, understood_as,
                    answer, json.dumps(list(citations), ensure_ascii=False), json.dumps(dict(filters or {}), ensure_ascii=False),
                    build_id, session,
                ),
            )
            return int(cursor.lastrowid or 0)

    def update(self, feedback_id: int, rating: Rating | None = None, comment: str | None = None) -> bool:
        """Change the rating (the 👍 became 👎) or add the comment written after clicking."""
        if rating is not None and rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
        with self._connect() as db:
            changed = 0
            if rating is not None:
                changed += db.execute("UPDATE feedback SET rating = ? WHERE id = ?", (rating, feedback_id)).rowcount
            if comment is not None:
                changed += db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment.strip(), feedback_id)).rowcount
            return changed > 0

    def delete(self, feedback_id: int) -> bool:
        """The user took the 👍/👎 back."""
        with self._connect() as db:
            return db.execute("DELETE FROM feedback WHERE id = ?", (feedback_id,)).rowcount > 0

    def all(self) -> list[FeedbackRecord]:
        if not self.path.exists():
            return []
        with self._connect() as db:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id").fetchall()
        return [
            FeedbackRecord(
                id=row[0], created_at=row[1], rating=row[2], comment=row[3], question=row[4], understood_as=row[5],
                answer=row[6], citations=json.loads(row[7]), filters=json.loads(row[8]), build_id=row[9], session=row[10],
            )
            for row in rows
        ]

    def export_csv(self, out: Path) -> int:
        """All feedback as UTF-8 CSV (with BOM, so spreadsheet programs read the tone marks).

        Cells that a spreadsheet would run as a formula (=, +, -, @ first) get a leading
        apostrophe: questions come from anyone who can open the chat.
        """
        records = self.all()
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for r in records:
                writer.writerow([
                    r.id, r.created_at, r.rating, _cell(r.comment), _cell(r.question), _cell(r.understood_as or ""),
                    _cell(r.answer), json.dumps(r.citations, ensure_ascii=False), json.dumps(r.filters, ensure_ascii=False),
                    r.build_id, r.session,
                ])
        return len(records)


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
