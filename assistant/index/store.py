"""Stage 3, store: where a built index lives, and how a new build replaces the old one atomically.

Each build gets its own folder under `index/builds/` (docstore, BM25, manifest) and its own Chroma
collection. `index/CURRENT` names the live build and is replaced with one `os.replace`, so a
build killed half-way leaves the previous one answering questions. The same code talks to an
embedded persistent Chroma under `index/chroma/` or to a Chroma server.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.config import Settings


class IndexMissing(RuntimeError):
    """No build has completed yet."""


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
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    path = settings.index_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


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

    @property
    def builds(self) -> Path:
        return self.root / "builds"

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current_build_id(self) -> str | None:
        """The live build's id: one small read, cheap enough to check on every request."""
        try:
            return self.pointer.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def current_manifest(self) -> Manifest | None:
        build_id = self.current_build_id()
        manifest = self.builds / build_id / "manifest.json" if build_id else None
        if manifest is None or not manifest.exists():
            return None
        return Manifest.from_json(manifest.read_text(encoding="utf-8"))

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
        a question already running on it (web chat, a second process) finishes on it."""
        folder = self.build_dir(manifest.build_id)
        (folder / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
        replaced = self.current_build_id()
        tmp = self.root / f".CURRENT.{manifest.build_id}"
        tmp.write_text(manifest.build_id, encoding="utf-8")
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, self.pointer)
        self.collect_garbage(keep={manifest.build_id, replaced} - {None})

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
