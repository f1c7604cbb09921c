"""Wiring: one place that builds the model, the store, the index and the engine from `Settings`."""

from __future__ import annotations

import logging
import shutil
import threading
from functools import cached_property
from pathlib import Path

from assistant.config import Settings, load_settings
from assistant.index.embedding import build_embedding
from assistant.index.embedding_cache import CachedEmbedding
from assistant.answering.engine import PolicyQueryEngine
from assistant.index.ingest import IngestReport, Ingestor, ProgressCallback, StorageFailed, storage_problem
from assistant.index.library import Library
from assistant.documents.load import DocumentRejected
from assistant.query.retrieve import HybridRetriever, Mode
from assistant.index.store import REBUILD_COMMAND, ChromaUnavailable, IndexDamaged, IndexMissing, IndexStore, set_aside_chroma

log = logging.getLogger(__name__)


def _chroma_damaged(err: BaseException) -> bool:
    """Was it Chroma's own database that could not be read (rather than our build files)?"""
    seen: BaseException | None = err
    while seen is not None:
        if type(seen).__module__.startswith("chromadb"):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _what_failed(err: BaseException) -> str:
    return "cơ sở dữ liệu Chroma" if _chroma_damaged(err) else "tệp của bản dựng (library.json, BM25, restorer)"


class PolicyAssistant:
    """Loads the embedding model once; reloads the index only when a new build is committed."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self.store = IndexStore(self.settings)
        self._lock = threading.Lock()
        self._library: Library | None = None
        self._engine: PolicyQueryEngine | None = None

    @cached_property
    def embed_model(self) -> CachedEmbedding:
        return build_embedding(self.settings)

    def ingest(
        self, paths: list[Path] | None = None, progress: ProgressCallback | None = None, show_progress: bool = True,
        replace: bool = False, rebuild: bool = False,
    ) -> IngestReport:
        """See `Ingestor.run`: files are added or updated, never lost unless `replace`."""
        try:
            return Ingestor(self.settings, self.store, self.embed_model).run(paths, progress, show_progress, replace, rebuild)
        except StorageFailed:
            with self._lock:
                self._engine = None  # the next question reopens the index with a fresh Chroma client
            raise

    def add_document(self, path: Path, progress: ProgressCallback | None = None) -> IngestReport:
        """An upload: checked first (format, limits, content, duplicates), then copied into the
        corpus and indexed beside the other documents.

        A rejected file raises `DocumentRejected` and leaves corpus and index untouched.
        """
        ingestor = Ingestor(self.settings, self.store, self.embed_model)
        loaded = ingestor.check_file(path)
        target = self.settings.corpus_dir / path.name
        if target.exists():
            raise DocumentRejected(f"Đã có tài liệu tên {path.name}; hãy đổi tên tệp nếu đây là văn bản khác.")
        self.settings.corpus_dir.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(path, target)
            report = ingestor.run([target], progress, show_progress=False)
        except DocumentRejected:
            target.unlink(missing_ok=True)
            raise
        except BaseException as err:
            target.unlink(missing_ok=True)
            problem = storage_problem(err)
            if problem is not None and not isinstance(err, StorageFailed):
                raise StorageFailed(f"{problem}: không lưu được {path.name}; chỉ mục cũ vẫn trả lời câu hỏi.") from err
            raise
        if loaded.source in report.rejected:
            target.unlink(missing_ok=True)
            raise DocumentRejected(report.rejected[loaded.source])
        return report

    def ensure_index(self, show_progress: bool = True) -> str | None:
        """Build the index if there is none, or if it was built by another model or pipeline
        (a deployment that switches embedding backend must not query old vectors with the new model).

        A damaged live build (manifest, library.json, BM25 files, Chroma database) is rebuilt from the
        corpus folder; returns a note saying so (for the log / the terminal), else None."""
        try:
            manifest = self.store.current_manifest()
            if Ingestor(self.settings, self.store, self.embed_model).is_current(manifest):
                self._library = self.open_library()  # read once: the engine answers from this very copy
                return None
            self.ingest(show_progress=show_progress)
            return None
        except IndexDamaged as damage:
            log.info("%s — rebuilding from %s", damage, self.settings.corpus_dir)  # the returned note says it to the user
            report = self.rebuild(show_progress=show_progress)
            self._library = self.open_library()
            return f"{damage}\nĐã dựng lại chỉ mục từ {self.settings.corpus_dir}: {report.summary()}"

    def rebuild(self, show_progress: bool = True) -> IngestReport:
        """The index afresh from the corpus folder, whatever state the live build is in. An embedded
        Chroma database that no longer opens is set aside (renamed, for inspection) first."""
        try:
            self.store.client.heartbeat()
        except ChromaUnavailable:
            raise
        except Exception as err:  # noqa: BLE001 - whatever Chroma raises for a file that is not a database
            if storage_problem(err) is not None or self.settings.chroma_host:
                raise
            self.store = IndexStore(self.settings)  # a fresh client for the fresh database
            moved = set_aside_chroma(self.settings)
            log.warning("Chroma database unreadable (%s); moved to %s", err, moved)
        with self._lock:
            self._engine = None
        return self.ingest(show_progress=show_progress, rebuild=True)

    def open_library(self) -> Library:
        """The live build, read whole; `IndexDamaged` (naming the part and the fixing command)
        when any of its files cannot be read."""
        build_id = self.store.current_build_id()
        try:
            return Library.load(self.store)
        except (IndexMissing, IndexDamaged, ChromaUnavailable):
            raise
        except Exception as err:  # noqa: BLE001 - json, numpy, pydantic, sqlite and Chroma errors alike
            problem = storage_problem(err)
            if problem is not None:  # Chroma needs to write even to answer: not damage, nothing to rebuild
                raise StorageFailed(
                    f"{problem}: không mở được chỉ mục {self.settings.index_dir} ({type(err).__name__}: {str(err)[:160]}). "
                    "Chroma cần ghi được vào thư mục chỉ mục và cần chỗ trống trên đĩa, kể cả khi chỉ trả lời câu hỏi."
                ) from err
            raise IndexDamaged(
                f"Chỉ mục bị hỏng: bản dựng {build_id} không đọc được ({_what_failed(err)}: {type(err).__name__}: "
                f"{str(err)[:160]}). Chạy: {REBUILD_COMMAND}"
            ) from err

    @property
    def library(self) -> Library:
        return self.engine.library

    @property
    def engine(self) -> PolicyQueryEngine:
        with self._lock:
            build_id = self.store.current_build_id()
            if self._engine is None or build_id is None or build_id != self._engine.library.build_id:
                opened, self._library = self._library, None
                # The build ensure_index just read, if it is still the live one (reading a build costs
                # seconds: library.json, BM25, restorer, Chroma client); else the live build afresh.
                library = opened if opened is not None and opened.build_id == build_id else self.open_library()
                self._engine = PolicyQueryEngine(library, self.retriever(library), self.settings)
            return self._engine

    def retriever(self, library: Library, mode: Mode = "hybrid") -> HybridRetriever:
        return HybridRetriever(library, self.embed_model, self.settings, mode)
