"""Wiring: one place that builds the model, the store, the index and the engine from `Settings`."""

from __future__ import annotations

import shutil
import threading
from functools import cached_property
from pathlib import Path

from assistant.config import Settings
from assistant.index.embedding import build_embedding
from assistant.index.embedding_cache import CachedEmbedding
from assistant.answering.engine import PolicyQueryEngine
from assistant.index.ingest import IngestReport, Ingestor, ProgressCallback
from assistant.index.library import Library
from assistant.documents.load import DocumentRejected
from assistant.query.retrieve import HybridRetriever, Mode
from assistant.index.store import IndexStore


class PolicyAssistant:
    """Loads the embedding model once; reloads the index only when a new build is committed."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.store = IndexStore(self.settings)
        self._lock = threading.Lock()
        self._library: Library | None = None
        self._engine: PolicyQueryEngine | None = None

    @cached_property
    def embed_model(self) -> CachedEmbedding:
        return build_embedding(self.settings)

    def ingest(self, paths: list[Path] | None = None, progress: ProgressCallback | None = None, show_progress: bool = True) -> IngestReport:
        return Ingestor(self.settings, self.store, self.embed_model).run(paths, progress, show_progress)

    def add_document(self, path: Path, progress: ProgressCallback | None = None) -> IngestReport:
        """An upload: checked first (format, content, duplicates), then copied into the corpus and indexed.

        A rejected file raises `DocumentRejected` and leaves corpus and index untouched.
        """
        ingestor = Ingestor(self.settings, self.store, self.embed_model)
        loaded = ingestor.check_file(path)
        target = self.settings.corpus_dir / path.name
        if target.exists():
            raise DocumentRejected(f"Đã có tài liệu tên {path.name}; hãy đổi tên tệp nếu đây là văn bản khác.")
        self.settings.corpus_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        try:
            report = ingestor.run([self.settings.corpus_dir], progress, show_progress=False)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        if loaded.source in report.rejected:
            target.unlink(missing_ok=True)
            raise DocumentRejected(report.rejected[loaded.source])
        return report

    def ensure_index(self, show_progress: bool = True) -> None:
        """Build the index if there is none, or if it was built by another model or pipeline
        (a deployment that switches embedding backend must not query old vectors with the new model)."""
        if not Ingestor(self.settings, self.store, self.embed_model).is_current(self.store.current_manifest()):
            self.ingest(show_progress=show_progress)

    @property
    def library(self) -> Library:
        return self.engine.library

    @property
    def engine(self) -> PolicyQueryEngine:
        with self._lock:
            build_id = self.store.current_build_id()
            if self._engine is None or build_id is None or build_id != self._engine.library.build_id:
                library = Library.load(self.store)
                self._engine = PolicyQueryEngine(library, self.retriever(library), self.settings)
            return self._engine

    def retriever(self, library: Library, mode: Mode = "hybrid") -> HybridRetriever:
        return HybridRetriever(library, self.embed_model, self.settings, mode)
