"""Stage 3, store: where a built index lives, and how a new build replaces the old one atomically.

Each build gets its own folder under `index/builds/` (docstore, BM25, manifest) and its own Chroma
collection. `index/CURRENT` names the live build and is replaced with one `os.replace`, so a
build killed half-way leaves the previous one answering questions. The same code talks to an
embedded persistent Chroma under `index/chroma/` or to a Chroma server.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.config import Settings


log = logging.getLogger(__name__)

REBUILD_COMMAND = "assistant ingest --rebuild"


class IndexMissing(RuntimeError):
    """No build has completed yet."""


class ChromaUnavailable(RuntimeError):
    """The configured Chroma server does not answer; nothing is wrong with the index itself."""


class IndexDamaged(RuntimeError):
    """The live build cannot be read (a damaged manifest, docstore, BM25 file or Chroma database);
    the message says what and which command rebuilds it."""


@dataclass
class Manifest:
    """What a build contains: per source file its hash, identity and node ids."""

    build_id: str
    collection: str
    embed_model: str
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: float = field(default_factory=time.time)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        return cls(**json.loads(text))


def chroma_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as err:  # noqa: BLE001 - chromadb raises ValueError("Could not connect …") or httpx errors
            raise ChromaUnavailable(
                f"Không kết nối được máy chủ Chroma tại {settings.chroma_host}:{settings.chroma_port} ({type(err).__name__}). "
                "Hãy khởi động nó (chroma run --host … --port …) hoặc bỏ ASSISTANT_CHROMA_HOST để dùng chỉ mục trên máy."
            ) from err
    path = settings.index_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception:
        # Chroma caches a client's system per path before starting it, so a database that failed
        # to open (damaged, read-only) would fail every later client in this process as well.
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient._identifier_to_system.pop(str(path), None)
        raise


def set_aside_chroma(settings: Settings) -> Path | None:
    """Move a damaged embedded Chroma database out of the way (kept for inspection) so a rebuild
    starts from an empty one. Nothing to do for a Chroma server."""
    path = settings.index_dir / "chroma"
    if settings.chroma_host or not path.exists():
        return None
    target = settings.index_dir / f"chroma.damaged-{time.strftime('%Y%m%dT%H%M%S')}"
    os.replace(path, target)
    return target


class IndexStore:
    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.settings = settings
        self.root = settings.index_dir
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = chroma_client(self.settings)
        return self._client

    def reopen(self) -> None:
        """Forget this process's embedded Chroma client. After a write failed half-way (disk
        full) its in-memory state no longer matches the files and later queries fail ("Error
        purging logs"); a new client reads the files as they are. Holders of the old client
        (a library still answering) keep it until they are replaced."""
        if not self.settings.chroma_host:
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient._identifier_to_system.pop(str(self.root / "chroma"), None)
        self._client = None

    @property
    def builds(self) -> Path:
        return self.root / "builds"

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current_build_id(self) -> str | None:
        """The live build's id: one small read, cheap enough to check on every request.
        `IndexDamaged` when the pointer holds anything but a build's name (binary garbage, a path)."""
        try:
            raw = self.pointer.read_bytes()
        except FileNotFoundError:
            return None
        text = raw.decode("utf-8", errors="replace").strip()
        if not text:
            return None
        if not _BUILD_NAME.fullmatch(text):
            raise IndexDamaged(
                f"Chỉ mục bị hỏng: tệp {self.pointer} không chứa tên một bản dựng ({len(raw)} byte không đọc được). "
                f"Chạy: {REBUILD_COMMAND}"
            )
        return text

    def current_manifest(self) -> Manifest | None:
        """The live build's manifest; None when there is none yet, `IndexDamaged` when it is unreadable."""
        build_id = self.current_build_id()
        manifest = self.builds / build_id / "manifest.json" if build_id else None
        if manifest is None or not manifest.exists():
            return None
        try:
            loaded = Manifest.from_json(manifest.read_text(encoding="utf-8"))
            if not isinstance(loaded.documents, dict) or not all(isinstance(e, dict) for e in loaded.documents.values()):
                raise TypeError("documents is not a mapping of entries")
            return loaded
        except (ValueError, TypeError, KeyError, UnicodeDecodeError) as err:
            raise IndexDamaged(
                f"Chỉ mục bị hỏng: tệp {manifest} không đọc được ({type(err).__name__}). Chạy: {REBUILD_COMMAND}"
            ) from err

    def build_dir(self, build_id: str) -> Path:
        return self.builds / build_id

    def new_build(self, embed_model: str) -> Manifest:
        build_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        self.build_dir(build_id).mkdir(parents=True, exist_ok=False)
        return Manifest(build_id=build_id, collection=self._collection_name(build_id), embed_model=embed_model)

    def _collection_name(self, build_id: str) -> str:
        return f"{self.settings.collection_prefix}-{build_id}".lower()

    def collection(self, name: str, create: bool = False) -> Any:
        if create:
            return self.client.get_or_create_collection(name, metadata={"hnsw:space": "cosine"})
        return self.client.get_collection(name)

    def commit(self, manifest: Manifest) -> None:
        """Make `manifest` the live build. The build it replaces stays until the next commit:
        a question already running on it (web chat, a second process) finishes on it.

        Everything the pointer will name reaches the disk first (the build's files, Chroma's
        files, their folders), so a power cut after the switch cannot leave it pointing at a
        build that was still in the page cache."""
        folder = self.build_dir(manifest.build_id)
        (folder / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
        sync_tree(folder)
        if not self.settings.chroma_host:
            sync_tree(self.chroma_dir)
        try:
            replaced = self.current_build_id()
        except IndexDamaged:  # a rebuild replacing a garbled pointer
            replaced = None
        tmp = self.root / f".CURRENT.{manifest.build_id}"
        try:
            tmp.write_text(manifest.build_id, encoding="utf-8")
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, self.pointer)
        finally:
            tmp.unlink(missing_ok=True)
        _sync_dir(self.root)
        self.collect_garbage(keep={manifest.build_id, replaced} - {None})

    @property
    def chroma_dir(self) -> Path:
        return self.root / "chroma"

    def discard(self, manifest: Manifest) -> None:
        """Remove a build that failed half-way (disk full, killed model, bad file): its folder and
        collection would otherwise keep the disk full for the index that still answers."""
        try:
            self.client.delete_collection(manifest.collection)
        except Exception:  # noqa: BLE001 - it may never have been created, or Chroma is the problem
            pass
        shutil.rmtree(self.build_dir(manifest.build_id), ignore_errors=True)
        self.remove_orphan_segments()

    def collect_garbage(self, keep: set[str] | None = None) -> None:
        """Drop this index's builds other than `keep` (default: the live one and any build that
        was committed), with their Chroma collections. Collections of other indexes sharing a
        Chroma server are never touched: only names of this index's own build folders are."""
        if not self.builds.exists():
            return
        for folder in self.builds.iterdir():
            unfinished = not (folder / "manifest.json").exists()  # an interrupted build
            if (keep is None and not unfinished) or (keep is not None and folder.name in keep):
                continue
            try:
                self.client.delete_collection(self._collection_name(folder.name))
            except Exception:  # noqa: BLE001 - the build may have died before creating it
                pass
            shutil.rmtree(folder, ignore_errors=True)
        for stray in self.root.glob(".CURRENT.*"):  # a pointer switch killed before os.replace
            stray.unlink(missing_ok=True)
        self.remove_orphan_segments()

    def remove_orphan_segments(self) -> None:
        """Delete the vector files of deleted collections. Chroma 1.x removes a collection from its
        SQLite catalogue but leaves its HNSW folder (`<segment uuid>/`) on disk (chroma-core/chroma
        #5259, #5520); a folder no segment in the catalogue names is such a leftover."""
        if self.settings.chroma_host or not (self.chroma_dir / "chroma.sqlite3").exists():
            return
        try:
            with sqlite3.connect(f"file:{self.chroma_dir / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=30) as catalogue:
                live = {row[0] for row in catalogue.execute("SELECT id FROM segments")}
        except sqlite3.Error as err:
            log.warning("Chroma catalogue unreadable, vector files kept: %s", err)
            return
        for folder in self.chroma_dir.iterdir():
            if folder.is_dir() and _UUID.fullmatch(folder.name) and folder.name not in live:
                shutil.rmtree(folder, ignore_errors=True)


_BUILD_NAME = re.compile(r"[0-9A-Za-z_][0-9A-Za-z_.-]{0,99}")  # what `new_build` names a build, loosely
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _files(root: Path) -> Iterator[Path]:
    for folder, _dirs, names in os.walk(root):
        yield Path(folder)
        for name in names:
            yield Path(folder) / name


def sync_tree(root: Path) -> None:
    """fsync every file and folder under `root`."""
    if not root.exists():
        return
    for path in _files(root):
        if path.is_dir():
            _sync_dir(path)
        else:
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def _sync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
