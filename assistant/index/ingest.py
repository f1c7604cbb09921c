"""Stage 3, ingest: files → nodes → embeddings + Chroma + BM25, incrementally and atomically.

Only texts never embedded on this machine go through the model (the rest come from the embedding
cache), removed files disappear with the next build, and nothing is visible until the new build is
complete and `CURRENT` points at it.
"""

from __future__ import annotations

import fcntl
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from llama_index.core.schema import BaseNode, Document
from llama_index.core.storage.docstore import SimpleDocumentStore
from llama_index.vector_stores.chroma import ChromaVectorStore
from tqdm import tqdm

from assistant.query.abbreviations import document_abbreviations
from assistant.index.bm25 import LexicalIndex
from assistant.index.embedding_cache import CachedEmbedding
from assistant.config import Settings
from assistant.query.diacritics import DiacriticRestorer
from assistant.documents.load import SUPPORTED_SUFFIXES, DocumentRejected, LoadedFile, load_file, to_document
from assistant.index.store import IndexStore, Manifest
from assistant.documents.structure import SectionNodeParser

# Bump when loading/parsing changes, so an unchanged corpus is still re-parsed once.
PIPELINE_VERSION = "7"

ProgressCallback = Callable[[float, str], None]


@dataclass
class IngestReport:
    build_id: str = ""
    changed: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    nodes_embedded: int = 0
    nodes_reused: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [
            f"thêm {len(self.added)}", f"cập nhật {len(self.updated)}", f"bỏ {len(self.removed)}",
            f"giữ nguyên {len(self.unchanged)}", f"nhúng mới {self.nodes_embedded} đoạn",
            f"dùng lại {self.nodes_reused} đoạn",
        ]
        text = ("Đã cập nhật chỉ mục: " if self.changed else "Chỉ mục không thay đổi: ") + ", ".join(parts)
        for name, reason in self.rejected.items():
            text += f"\n- Bỏ qua {name}: {reason}"
        return text


# A folder's own notes (README.md, SOURCES.md…) describe the documents; they are not one of them.
_FOLDER_NOTES = re.compile(r"^(?:readme|sources|license|licence|changelog|notes?)(?:\.[\w-]+)?$", re.I)


def discover_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not _FOLDER_NOTES.match(p.name)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"Không tìm thấy {path}")
    return files


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index folder (CLI and web upload may race)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Ingestor:
    def __init__(self, settings: Settings, store: IndexStore, embed_model: CachedEmbedding) -> None:
        self.settings = settings
        self.store = store
        self.embed_model = embed_model
        self.parser = SectionNodeParser()

    @property
    def model_id(self) -> str:
        """Which vectors a build holds (see `embedding_identity`)."""
        return self.embed_model.identity

    def is_current(self, manifest: Manifest | None) -> bool:
        """Was `manifest` built by this pipeline and model? If not, the corpus is parsed and
        embedded again even when no file changed."""
        return manifest is not None and manifest.embed_model == self.model_id and all(
            entry.get("pipeline") == PIPELINE_VERSION for entry in manifest.documents.values()
        )

    def run(
        self,
        paths: list[Path] | None = None,
        progress: ProgressCallback | None = None,
        show_progress: bool = True,
    ) -> IngestReport:
        started = time.perf_counter()
        with build_lock(self.store.root):
            report = self._run(paths or [self.settings.corpus_dir], progress, show_progress)
        report.seconds = time.perf_counter() - started
        return report

    def check_file(self, path: Path) -> LoadedFile:
        """Load a candidate upload; raises `DocumentRejected` for corrupt, empty, legacy or duplicate files."""
        loaded = load_file(path)
        previous = self.store.current_manifest()
        for source, entry in (previous.documents if previous else {}).items():
            if entry["sha256"] == loaded.sha256:
                raise DocumentRejected(f"Tệp {path.name} trùng nội dung với tài liệu đã có: {source}.")
        return loaded

    def _run(self, paths: list[Path], progress: ProgressCallback | None, show_progress: bool) -> IngestReport:
        report = IngestReport()
        notify = progress or (lambda fraction, message: None)
        previous = self.store.current_manifest()
        old_docs = previous.documents if previous else {}

        loaded: dict[str, LoadedFile] = {}
        seen_hashes: dict[str, str] = {}
        for path in discover_files(paths):
            try:
                item = load_file(path)
            except DocumentRejected as err:
                report.rejected[path.name] = str(err)
                continue
            if item.source in loaded:
                report.rejected[path.name] = f"trùng tên với một tệp khác ({item.source})."
                continue
            if item.sha256 in seen_hashes:
                report.rejected[path.name] = f"trùng nội dung với {seen_hashes[item.sha256]}."
                continue
            seen_hashes[item.sha256] = item.source
            loaded[item.source] = item

        for source, item in loaded.items():
            old = old_docs.get(source)
            if old is None:
                report.added.append(source)
            elif old["sha256"] != item.sha256:
                report.updated.append(source)
            else:
                report.unchanged.append(source)
        report.removed = sorted(set(old_docs) - set(loaded))

        if self.is_current(previous) and not (report.added or report.updated or report.removed):
            assert previous is not None
            report.build_id = previous.build_id
            notify(1.0, "Không có thay đổi")
            return report
        if not loaded:
            raise DocumentRejected("Không có tài liệu hợp lệ nào để đưa vào chỉ mục; chỉ mục cũ được giữ nguyên.")

        self.store.collect_garbage()  # leftovers of an interrupted build
        manifest = self.store.new_build(self.model_id)
        notify(0.05, "Phân tích cấu trúc văn bản")
        documents: list[Document] = []
        nodes: list[BaseNode] = []
        for source, item in loaded.items():
            document = to_document(item)
            doc_nodes = self.parser.get_nodes_from_documents([document])
            documents.append(document)
            nodes.extend(doc_nodes)
            info = {k: v for k, v in document.metadata.items() if k != "line_emphasis"}
            manifest.documents[source] = {
                **info,
                "pipeline": PIPELINE_VERSION,
                "format": item.fmt,
                "node_count": len(doc_nodes),
                "node_ids": [n.node_id for n in doc_nodes],
            }

        self._embed(nodes, report, notify, show_progress)
        notify(0.85, "Ghi vào Chroma")
        collection = self.store.collection(manifest.collection, create=True)
        ChromaVectorStore(chroma_collection=collection).add(nodes)  # it batches to Chroma's limit itself

        notify(0.92, "Dựng chỉ mục từ khóa (BM25)")
        folder = self.store.build_dir(manifest.build_id)
        docstore = SimpleDocumentStore()
        docstore.add_documents(documents + nodes, store_text=True)
        docstore.persist(str(folder / "docstore.json"))
        LexicalIndex.build([n.node_id for n in nodes], [lexical_text(n) for n in nodes]).save(folder / "bm25")
        self._fit_restorer(documents, folder)

        self.store.commit(manifest)
        report.build_id = manifest.build_id
        report.changed = True
        notify(1.0, "Hoàn tất")
        return report

    def _embed(self, nodes: list[BaseNode], report: IngestReport, notify: ProgressCallback, show_progress: bool) -> None:
        """Vectors come from the machine's cache by the exact text embedded: a section that did
        not change, or that another build or test already embedded, costs nothing."""
        texts = [embed_text(n) for n in nodes]
        cached = self.embed_model.cached(texts)
        todo = [i for i, vector in enumerate(cached) if vector is None]
        for node, vector in zip(nodes, cached):
            node.embedding = vector
        report.nodes_reused = len(nodes) - len(todo)
        report.nodes_embedded = len(todo)
        batch = max(1, self.settings.embedding_batch_size)
        bar = tqdm(total=len(todo), desc="Nhúng đoạn văn", unit="đoạn", disable=not show_progress or not todo)
        for start in range(0, len(todo), batch):
            chunk = todo[start : start + batch]
            vectors = self.embed_model.get_text_embedding_batch([texts[i] for i in chunk])
            for i, vector in zip(chunk, vectors):
                nodes[i].embedding = vector
            bar.update(len(chunk))
            notify(0.1 + 0.75 * (start + len(chunk)) / max(1, len(todo)), f"Nhúng {start + len(chunk)}/{len(todo)} đoạn")
        bar.close()

    def _fit_restorer(self, documents: list[Document], folder: Path) -> None:
        DiacriticRestorer().fit(d.text for d in documents).save(folder / "restorer.json")


def embed_text(node: BaseNode) -> str:
    """What the embedding model sees: heading path, then the section text."""
    from llama_index.core.schema import MetadataMode

    return node.get_content(metadata_mode=MetadataMode.EMBED)


def lexical_text(node: BaseNode) -> str:
    """Heading path + text, plus the spelled-out form of abbreviations the text uses ("PCMT" →
    "phòng, chống ma túy"), so a passage is found by either form."""
    text = f"{node.metadata.get('heading_path', '')}\n{node.get_content()}"
    table, pattern = _document_abbreviations()
    expansions = list(dict.fromkeys(table[short] for short in pattern.findall(text)))
    return text + ("\n" + "\n".join(expansions) if expansions else "")


@lru_cache(maxsize=1)
def _document_abbreviations() -> tuple[dict[str, str], re.Pattern[str]]:
    table = document_abbreviations()
    return table, re.compile(r"(?<!\w)(" + "|".join(sorted(map(re.escape, table), key=len, reverse=True)) + r")(?!\w)")
