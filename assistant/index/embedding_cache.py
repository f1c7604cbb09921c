"""Every text is embedded once per machine: vectors kept by (model, query/passage, exact text).

Embedding is the slowest step by far (a few sections a second on two cores), and the same texts
come back all the time: a rebuild after one changed plan, the eval's temporary index, the
quickstart baseline, every test that builds an index. One SQLite file, shared by every build on
the machine and safe for several processes at once (WAL, INSERT OR IGNORE), keeps them.

Nothing in it is needed: a file that is no longer a database (garbled, truncated, overwritten)
is set aside under a dated name, said in the log, and a fresh cache takes its place, instead of
every question and build failing on it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

log = logging.getLogger(__name__)

QUERY, PASSAGE = "query", "passage"
_DAMAGED = {11, 26}  # SQLITE_CORRUPT ("database disk image is malformed"), SQLITE_NOTADB ("file is not a database")
T = TypeVar("T")


def is_damage(err: sqlite3.Error) -> bool:
    """A damaged file, as opposed to a busy, locked, full or read-only one (those are not ours to fix)."""
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _DAMAGED
    return isinstance(err, sqlite3.DatabaseError) and not isinstance(err, sqlite3.OperationalError)


SET_UP_SECONDS = 60  # as long as a writer waits for another's lock


def _set_up(connection: sqlite3.Connection) -> None:
    """WAL mode and the table. Two processes opening a new cache at once may both ask for WAL; SQLite
    answers the second "database is locked" at once, without waiting out the busy timeout (CI saw one
    of four writers fail): such a lock is waited out here."""
    deadline = time.monotonic() + SET_UP_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID")
            return
        except sqlite3.OperationalError as err:
            if not any(word in str(err) for word in ("locked", "busy")) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class EmbeddingCache:
    """Vectors by key; a missing or unreadable entry is simply embedded again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._inode: int | None = None  # the file this connection opened (another process may replace it)
        self.set_aside: Path | None = None  # where a damaged file was moved, when this process did

    @property
    def connection(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=60, check_same_thread=False, isolation_level=None)
            try:
                _set_up(connection)
            except sqlite3.Error:
                connection.close()
                self._inode = _inode(self.path)
                raise
            self._connection = connection
            self._inode = _inode(self.path)
        return self._connection

    def _guarded(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """`operation` on the connection (the caller holds the lock); a damaged file is set aside
        and the operation runs once more on a fresh cache."""
        try:
            return operation(self.connection)
        except sqlite3.DatabaseError as err:
            if not is_damage(err):
                raise
            self._replace_damaged(err)
            return operation(self.connection)

    def _replace_damaged(self, err: sqlite3.Error) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._inode is not None and _inode(self.path) == self._inode:  # not already replaced by another process
            target = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
            os.replace(self.path, target)
            for suffix in ("-wal", "-shm"):  # the damaged file's journal belongs to it, not to the fresh one
                journal = self.path.with_name(self.path.name + suffix)
                if journal.exists():
                    os.replace(journal, target.with_name(target.name + suffix))
            self.set_aside = target
            log.warning(
                "Bộ nhớ đệm vector %s bị hỏng (%s); đã chuyển sang %s và tạo bộ nhớ đệm mới "
                "(các đoạn văn sẽ được nhúng lại khi cần).", self.path, err, target,
            )
        self._inode = None

    @staticmethod
    def key(model: str, kind: str, text: str) -> bytes:
        return hashlib.sha256(f"{model}\x1f{kind}\x1f{text}".encode("utf-8")).digest()

    def get(self, keys: Sequence[bytes]) -> dict[bytes, list[float]]:
        found: dict[bytes, list[float]] = {}
        with self._lock:
            for start in range(0, len(keys), 500):  # SQLite's limit on bound parameters
                batch = list(keys[start : start + 500])
                marks = ",".join("?" * len(batch))
                rows = self._guarded(lambda db: db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", batch).fetchall())
                for key, blob in rows:
                    found[bytes(key)] = np.frombuffer(blob, dtype=np.float32).tolist()
        return found

    def put(self, items: Sequence[tuple[bytes, Sequence[float]]]) -> None:
        rows = [(key, np.asarray(vector, dtype=np.float32).tobytes()) for key, vector in items]
        with self._lock:
            self._guarded(lambda db: db.executemany("INSERT OR IGNORE INTO vectors (key, vector) VALUES (?, ?)", rows))

    def stats(self) -> tuple[int, int]:
        """(vectors, bytes on disk) — for `assistant info`."""
        if not self.path.exists():
            return 0, 0
        with self._lock:
            count = int(self._guarded(lambda db: db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]))
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
        return count, size

    def clear(self) -> int:
        def empty(db: sqlite3.Connection) -> int:
            count = int(db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
            db.execute("DELETE FROM vectors")
            db.execute("VACUUM")
            return count

        with self._lock:
            return self._guarded(empty)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


class CachedEmbedding(BaseEmbedding):
    """Any llama-index embedding, with its vectors looked up in an `EmbeddingCache` first.

    `identity` names what the vectors depend on (model and the text preparation it applies), so
    two configurations never share vectors. `computed` counts texts the model actually embedded.
    """

    identity: str = ""
    _inner: BaseEmbedding = PrivateAttr()
    _cache: EmbeddingCache = PrivateAttr()
    _computed: int = PrivateAttr(default=0)

    def __init__(self, inner: BaseEmbedding, cache: EmbeddingCache, identity: str, **kwargs: Any) -> None:
        super().__init__(model_name=inner.model_name, embed_batch_size=inner.embed_batch_size, identity=identity, **kwargs)
        self._inner = inner
        self._cache = cache

    @classmethod
    def class_name(cls) -> str:
        return "CachedEmbedding"

    @property
    def inner(self) -> BaseEmbedding:
        return self._inner

    @property
    def cache(self) -> EmbeddingCache:
        return self._cache

    @property
    def computed(self) -> int:
        return self._computed

    def cached(self, texts: Sequence[str], kind: str = PASSAGE) -> list[list[float] | None]:
        """The cached vector of each text, None where the model has not embedded it yet."""
        keys = [EmbeddingCache.key(self.identity, kind, t) for t in texts]
        found = self._cache.get(keys)
        return [found.get(k) for k in keys]

    def _embed(self, texts: list[str], kind: str) -> list[list[float]]:
        vectors = self.cached(texts, kind)
        missing = [i for i, v in enumerate(vectors) if v is None]
        if missing:
            todo = [texts[i] for i in missing]
            if kind == QUERY:
                fresh = [self._inner._get_query_embedding(t) for t in todo]
            else:
                fresh = self._inner._get_text_embeddings(todo)
            self._computed += len(todo)
            self._cache.put([(EmbeddingCache.key(self.identity, kind, t), v) for t, v in zip(todo, fresh)])
            for i, vector in zip(missing, fresh):
                vectors[i] = list(map(float, vector))
        return [v for v in vectors if v is not None]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([query], QUERY)[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([text], PASSAGE)[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embed(list(texts), PASSAGE)
