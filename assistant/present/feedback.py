"""Staff feedback on answers (👍/👎 and a comment), kept in one SQLite file under data_dir.

Each row holds everything needed to judge the answer later without the live session: the
question as typed, what it was understood as, the answer text, its citations (JSON), the
session's filters (JSON) and the index build that answered. `assistant feedback export`
writes the rows as CSV for whoever reviews them.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from assistant.config import Settings

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
# The database's versions, in order: `PRAGMA user_version` says how many have been applied, and
# opening a store applies the rest in one transaction (a database made before versions existed
# holds version 1's table and reads as 0: its CREATE is IF NOT EXISTS).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (_SCHEMA,),
    (  # 2 (issue 20): approved answers, the questions asked (usage, review queue), review decisions
        """CREATE TABLE approved (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            questions TEXT NOT NULL,
            passages TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            approved_by TEXT NOT NULL,
            approved_at TEXT NOT NULL,
            documents TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
            withdrawn_at TEXT,
            withdrawn_reason TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE asked (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            asked_at TEXT NOT NULL,
            turn_id TEXT NOT NULL DEFAULT '',
            question TEXT NOT NULL,
            understood TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'answer',
            abstained INTEGER NOT NULL DEFAULT 0,
            answerer TEXT NOT NULL DEFAULT '',
            refusal TEXT NOT NULL DEFAULT '',
            answer TEXT NOT NULL DEFAULT '',
            citations TEXT NOT NULL DEFAULT '[]',
            scope TEXT NOT NULL DEFAULT '[]',
            agencies TEXT NOT NULL DEFAULT '[]',
            total_ms REAL,
            build_id TEXT NOT NULL DEFAULT '',
            approved_id INTEGER
        )""",
        "CREATE INDEX asked_by_time ON asked (asked_at)",
        "ALTER TABLE feedback ADD COLUMN turn_id TEXT NOT NULL DEFAULT ''",  # which answer was rated (usage: share rated)
        """CREATE TABLE review_decisions (
            question TEXT PRIMARY KEY,
            decision TEXT NOT NULL CHECK (decision IN ('approved', 'corrected', 'out_of_scope', 'dismissed')),
            approved_id INTEGER,
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL
        )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
COLUMNS = ("id", "created_at", "rating", "comment", "question", "understood_as", "answer", "citations", "filters", "build_id", "session")


class FeedbackRefused(ValueError):
    """Feedback not stored (comment too long, too many in a minute); the message is for the user."""


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
    It holds what staff asked, so only its owner may read it (0600; SQLite gives its WAL and
    shared-memory files the same mode). Comments are bounded in size and each session in rate:
    four unbounded calls once made 170 MB of SQLite.
    """

    def __init__(self, path: Path, max_comment_chars: int = 2000, per_minute: int = 20) -> None:
        self.path = Path(path)
        self.max_comment_chars = max_comment_chars
        self.per_minute = per_minute
        self._ready = False
        self._setup = threading.Lock()
        self._recent: dict[str, deque[float]] = {}
        self._rate_lock = threading.Lock()

    def check_comment(self, comment: str | None) -> str | None:
        """The comment as stored, or `FeedbackRefused` when it is longer than allowed."""
        if comment is None:
            return None
        comment = comment.strip()
        if len(comment) > self.max_comment_chars:
            raise FeedbackRefused(
                f"Góp ý dài {len(comment):,} ký tự, vượt giới hạn {self.max_comment_chars:,} ký tự. Hãy rút gọn rồi gửi lại."
            )
        return comment

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackStore:
        return cls(settings.feedback_db, settings.feedback_comment_chars, settings.feedback_per_minute)

    def check_rate(self, session: str, now: float | None = None) -> None:
        """At most `per_minute` writes per session in any 60 seconds (`FeedbackRefused` beyond).
        Writes without a session (the CLI, scripts on the machine) are not counted."""
        if not session:
            return
        now = time.monotonic() if now is None else now
        with self._rate_lock:
            if len(self._recent) > 10_000:  # forget idle sessions
                self._recent = {k: v for k, v in self._recent.items() if v and now - v[-1] < 60}
            recent = self._recent.setdefault(session, deque())
            while recent and now - recent[0] >= 60:
                recent.popleft()
            if len(recent) >= self.per_minute:
                raise FeedbackRefused("Bạn gửi phản hồi quá nhanh. Hãy thử lại sau một phút.")
            recent.append(now)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection to the migrated database, committed on success (for the stores that share
        the file: approved answers, questions asked, review decisions)."""
        with self._connect() as connection:
            yield connection

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
        os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))  # before SQLite creates it with the umask's mode
        os.chmod(self.path, 0o600)
        for attempt in range(100):  # another process may be creating it too
            try:
                with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as connection:
                    connection.execute("PRAGMA journal_mode=WAL")
                    migrate(connection)
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
        turn_id: str = "",
    ) -> int:
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
        comment = self.check_comment(comment) or ""
        self.check_rate(session)
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, rating, comment, question, understood_as, answer, citations, filters, build_id, session, turn_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now_iso(), rating, storable(comment), storable(question),
                    storable(understood_as) if understood_as is not None else None, storable(answer),
                    storable(json.dumps(list(citations), ensure_ascii=False)), storable(json.dumps(dict(filters or {}), ensure_ascii=False)),
                    storable(build_id), storable(session), turn_id,
                ),
            )
            return int(cursor.lastrowid or 0)

    def update(self, feedback_id: int, rating: Rating | None = None, comment: str | None = None, session: str = "") -> bool:
        """Change the rating (the 👍 became 👎) or add the comment written after clicking."""
        if rating is not None and rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
        comment = self.check_comment(comment)
        self.check_rate(session)
        with self._connect() as db:
            changed = 0
            if rating is not None:
                changed += db.execute("UPDATE feedback SET rating = ? WHERE id = ?", (rating, feedback_id)).rowcount
            if comment is not None:
                changed += db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (storable(comment), feedback_id)).rowcount
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

        Every cell that a spreadsheet would run as a formula (see `_cell`: =, +, -, @ first, also
        after blanks or invisible characters and in full-width form; a tab or line break first)
        gets a leading apostrophe: questions, comments and even the session column come from
        anyone who can open the chat or call the API.
        """
        records = self.all()
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for r in records:
                writer.writerow([_cell(str(value)) for value in (
                    r.id, r.created_at, r.rating, r.comment, r.question, r.understood_as or "", r.answer,
                    json.dumps(r.citations, ensure_ascii=False), json.dumps(r.filters, ensure_ascii=False), r.build_id, r.session,
                )])
        return len(records)


def migrate(connection: sqlite3.Connection) -> int:
    """Apply the migrations the database lacks, all or none (another process may be doing the
    same: BEGIN IMMEDIATE makes it wait, then it finds nothing left to do). Returns the version.
    A database from a newer program is left alone rather than misread."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"Cơ sở dữ liệu phản hồi ở phiên bản {version}, mới hơn chương trình này ({SCHEMA_VERSION}); hãy cập nhật chương trình."
            )
        for number in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[number]:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION


def now_iso() -> str:
    """UTC, to the second: how every table of the store writes its times."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


_FORMULA_START = ("=", "+", "-", "@")


def _cell(text: str) -> str:
    """The text with an apostrophe first when a spreadsheet could run it as a formula: a formula
    sign first once leading blanks and invisible characters are passed over (space, NBSP, line
    breaks, zero-width space, BOM…), counting full-width forms ("＝") as the signs they fold to;
    or a tab or line break first."""
    rest = text.lstrip()
    while rest and unicodedata.category(rest[0]) in ("Cf", "Cc", "Zs", "Zl", "Zp"):
        rest = rest[1:].lstrip()
    first = unicodedata.normalize("NFKC", rest[:1])
    return "'" + text if first.startswith(_FORMULA_START) or text[:1] in ("\t", "\r", "\n") else text


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """The text with each lone surrogate ("\\ud800" sent as JSON: no character) as U+FFFD, so
    SQLite, which stores UTF-8, takes it instead of failing the whole feedback."""
    return _LONE_SURROGATE.sub("\ufffd", text)
