"""Stage 3, ingest: files → nodes → embeddings + Chroma + BM25, incrementally and atomically.

Only texts never embedded on this machine go through the model (the rest come from the embedding
cache), and nothing is visible until the new build is complete and `CURRENT` points at it.

Ingest never loses documents: `ingest FILE…` adds or updates those files and keeps every other
indexed document (taken from the live build, so they need not be on disk); a plain `ingest`
follows the corpus folder (a file deleted from it leaves the index); only `replace=True` makes
the index hold exactly the given files. A duplicate of an indexed document is refused, so
citations keep the original name. A file that cannot be read, or would cost too much, is refused
on its own: the others are indexed and the report lists each refusal with its reason. A build
that fails half-way (disk full, killed model) removes what it had written.
"""

from __future__ import annotations

import errno
import os
import json
import fcntl
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from llama_index.core.schema import BaseNode, Document
from llama_index.core.storage.docstore import SimpleDocumentStore
from tqdm import tqdm

from assistant.query.abbreviations import document_abbreviations
from assistant.index.bm25 import LexicalIndex
from assistant.index.embedding_cache import CachedEmbedding
from assistant.index.library import Library
from assistant.config import DocumentLimits, Settings
from assistant.query.diacritics import DiacriticRestorer
from assistant.documents.formats import count_vi
from assistant.documents.load import SUPPORTED_SUFFIXES, DocumentRejected, Line, LoadedFile, load_file, to_document
from assistant.index.store import IndexDamaged, IndexStore, Manifest, REBUILD_COMMAND
from assistant.documents.structure import SectionNodeParser

log = logging.getLogger(__name__)

# Bump when loading/parsing changes, so an unchanged corpus is still re-parsed once.
PIPELINE_VERSION = "18"  # 18: a body's article under any unit of a duties chapter; 17: duty and adoption words read with or without tone marks, a wrapped heading ends on its short line; 16: an article named by a body in a chapter of duties is that body's block; 15: coded appendix entries


class StorageFailed(RuntimeError):
    """The disk is full or the index folder is read-only; the previous build still answers."""


def storage_problem(err: BaseException) -> str | None:
    """A Vietnamese name for a full disk or a read-only index, whichever layer raised it
    (OSError from our own writes, SQLite's "database or disk is full" from Chroma)."""
    text = str(err).lower()
    number = getattr(err, "errno", None)
    if number in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in text or "no space left" in text:
        return "Ổ đĩa đã đầy"
    if number in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly" in text or "read-only" in text or "read only" in text:
        return "Thư mục chỉ mục chỉ đọc (không ghi được)"
    cause = err.__cause__ or err.__context__
    return storage_problem(cause) if cause is not None and cause is not err else None

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
    nodes_embedded: int = 0  # distinct texts the model embedded (a text repeated in the archive counts once)
    nodes_reused: int = 0  # chunks whose vector came from the embedding cache
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


LINK_OUTSIDE = (
    "là liên kết tắt (symlink) trỏ ra ngoài thư mục tài liệu; không đưa vào chỉ mục. "
    "Hãy chép chính tệp văn bản vào thư mục nếu cần."
)
UNPRINTABLE_NAME = "tên tệp chứa ký tự điều khiển, xuống dòng hoặc đổi chiều chữ; hãy đổi tên tệp rồi thêm lại."
HIDDEN_NAME = (
    "tên tệp (hoặc thư mục chứa nó) bắt đầu bằng dấu chấm: tệp ẩn, thư mục tài liệu không đọc tệp ẩn. "
    "Hãy đổi tên tệp rồi thêm lại."
)
NOTES_NAME = (
    "tên này dành cho ghi chú của thư mục (README, NOTES, SOURCES…), thư mục tài liệu không coi là văn bản. "
    "Hãy đổi tên tệp (ví dụ theo số hiệu văn bản) rồi thêm lại."
)
_LISTED = (LINK_OUTSIDE, UNPRINTABLE_NAME)  # what a folder scan lists among refused files (hidden files and notes: silently)

# Characters that would let a name forge lines or reverse text where it is printed (C0/C1
# controls, line and paragraph separators, direction marks, embeddings, overrides, isolates).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable_name(name: str) -> str:
    """A file name as it may be printed in a report: each control, line-breaking or direction
    character written as its code (\\u000a), so a name cannot forge an output line."""
    return _UNPRINTABLE.sub(lambda found: f"\\u{ord(found.group()):04x}", name)


def name_refusal(path: Path, root: Path) -> str | None:
    """Why a scan of the folder `root` leaves `path` out, or None. The same rule refuses a file
    named to `ingest FILE` or uploaded: what is added never leaves the index at the next plain
    `ingest` while its file stays in the folder."""
    name = path.name
    if _UNPRINTABLE.search(name):
        return UNPRINTABLE_NAME
    inside = path.absolute().is_relative_to(root.absolute())
    parts = path.absolute().relative_to(root.absolute()).parts if inside else (name,)
    if any(part.startswith(".") for part in parts):
        return HIDDEN_NAME
    if _FOLDER_NOTES.match(name):
        return NOTES_NAME
    if inside and path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
        return LINK_OUTSIDE
    return None


def discover_files(paths: list[Path], refused: dict[str, str] | None = None) -> list[Path]:
    """The documents of `paths`: files as given, folders scanned (see `_scan`). A link in a folder
    that leads out of it is not followed; its refusal goes to `refused`, by name."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(_scan(path, refused if refused is not None else {}))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"Không tìm thấy tệp hoặc thư mục {path}.")
    return files


def _scan(root: Path, refused: dict[str, str]) -> list[Path]:
    """Documents under `root` (`name_refusal` says which are left out). Links are followed only
    where they stay inside `root`: `ln -s /etc/passwd corpus/passwd.txt` would otherwise put the
    machine's files in the index and in quotes the open chat shows."""
    inside = root.resolve()
    found: list[Path] = []
    for folder, dirs, names in os.walk(root):  # never descends into a linked folder
        here = Path(folder)
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in dirs:
            if (here / name).is_symlink() and not (here / name).resolve().is_relative_to(inside):
                refused[f"{printable_name(name)}/"] = LINK_OUTSIDE
        for name in names:
            path = here / name
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            reason = name_refusal(path, root)
            if reason in _LISTED:
                refused[printable_name(name)] = str(reason)
            elif reason is None and path.is_file():
                found.append(path)
    return sorted(found)


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
        replace: bool = False,
        rebuild: bool = False,
    ) -> IngestReport:
        """Index `paths` (default: the corpus folder). See the module docstring for what is kept;
        `rebuild` ignores the live build (damaged, or another model) and indexes the files afresh."""
        started = time.perf_counter()
        with build_lock(self.store.root):
            report = self._run(paths, progress, show_progress, replace, rebuild)
        report.seconds = time.perf_counter() - started
        return report

    @property
    def limits(self) -> DocumentLimits:
        return self.settings.document_limits

    def check_file(self, path: Path) -> LoadedFile:
        """Load a candidate upload; raises `DocumentRejected` for a name the corpus folder's scan
        would leave out or that an indexed document has, and for corrupt, empty, legacy, hostile
        or duplicate files."""
        reason = name_refusal(self.settings.corpus_dir / path.name, self.settings.corpus_dir)
        if reason is not None:
            raise DocumentRejected(f"Tệp {printable_name(path.name)}: {reason}")
        previous = self.store.current_manifest()
        if previous is not None and path.name in previous.documents:  # indexed from outside the corpus folder, say
            raise DocumentRejected(f"Đã có tài liệu tên {path.name} trong chỉ mục; hãy đổi tên tệp nếu đây là văn bản khác.")
        loaded = load_file(path, self.limits)
        for source, entry in (previous.documents if previous else {}).items():
            if entry["sha256"] == loaded.sha256:
                raise DocumentRejected(f"Tệp {path.name} trùng nội dung với tài liệu đã có: {source}.")
        return loaded

    def _load(self, path: Path, report: IngestReport) -> LoadedFile | None:
        """One file, never raising: a hostile or broken file is a refusal, not the batch's end."""
        try:
            return load_file(path, self.limits)
        except DocumentRejected as err:
            report.rejected[path.name] = str(err)
        except Exception as err:  # noqa: BLE001 - a parser's surprise on one file must not abort the others
            log.exception("Unexpected error loading %s", path)
            report.rejected[path.name] = f"lỗi khi đọc tệp ({type(err).__name__}: {str(err)[:200]})."
        return None

    def _previous(self, rebuild: bool) -> Manifest | None:
        if rebuild:
            return None
        try:
            return self.store.current_manifest()
        except IndexDamaged as err:
            raise IndexDamaged(f"{err} (lệnh này dựng lại chỉ mục từ thư mục corpus).") from err

    def _kept(self, previous: Manifest, sources: list[str]) -> dict[str, LoadedFile]:
        """Documents of the live build that this run keeps, as they were indexed (their files may
        be gone or elsewhere): the text and heading hints saved in the build's docstore."""
        if not sources:
            return {}
        path = self.store.build_dir(previous.build_id) / "docstore.json"
        try:
            docstore = SimpleDocumentStore.from_persist_path(str(path))
        except Exception as err:  # noqa: BLE001 - json, pydantic or OS errors alike mean "damaged"
            raise IndexDamaged(
                f"Chỉ mục bị hỏng: không đọc được {path} ({type(err).__name__}). Chạy: {REBUILD_COMMAND}"
            ) from err
        kept: dict[str, LoadedFile] = {}
        for source in sources:
            entry = previous.documents[source]
            document = docstore.docs.get(f"doc:{source}")
            if document is None:
                raise IndexDamaged(f"Chỉ mục bị hỏng: thiếu văn bản {source} trong {path}. Chạy: {REBUILD_COMMAND}")
            emphasis = json.loads(document.metadata.get("line_emphasis") or "{}")
            lines = [Line(text, emphasis.get(str(i))) for i, text in enumerate(document.get_content().split("\n"))]
            kept[source] = LoadedFile(source=source, lines=lines, sha256=str(entry["sha256"]), fmt=str(entry.get("format", "")))
        return kept

    def _in_corpus(self, entry: dict[str, Any]) -> bool:
        origin = entry.get("origin")
        if not origin:  # built before origins were recorded: from the corpus folder
            return True
        return Path(origin).resolve().is_relative_to(self.settings.corpus_dir.resolve())

    def _run(
        self, paths: list[Path] | None, progress: ProgressCallback | None, show_progress: bool, replace: bool, rebuild: bool,
    ) -> IngestReport:
        report = IngestReport()
        notify = progress or (lambda fraction, message: None)
        previous = self._previous(rebuild)
        old_docs = previous.documents if previous else {}

        # Files first, in an order that lets an indexed document win over a copy of itself.
        candidates: list[tuple[LoadedFile, Path]] = []
        refused_names: dict[str, str] = {}  # links out of the folder, names the folder scan leaves out
        if paths is None and not self.settings.corpus_dir.is_dir():
            raise FileNotFoundError(f"Không tìm thấy thư mục tài liệu {self.settings.corpus_dir} (ASSISTANT_CORPUS_DIR).")
        for path in discover_files(paths or [self.settings.corpus_dir], refused_names):
            reason = name_refusal(path, self.settings.corpus_dir)  # a file named on the command line: as the scan would
            if reason is not None:
                refused_names[printable_name(path.name)] = reason
                continue
            item = self._load(path, report)
            if item is not None:
                candidates.append((item, path))
        candidates.sort(key=lambda pair: old_docs.get(pair[0].source, {}).get("sha256") != pair[0].sha256)

        if replace:
            removable = set(old_docs)
        elif paths is None:  # the corpus folder: what was deleted from it leaves the index
            removable = {source for source, entry in old_docs.items() if self._in_corpus(entry)}
        else:
            removable = set()
        named = {item.source for item, _ in candidates}
        unreadable = set(report.rejected)  # an indexed file that now fails to load keeps its indexed version
        report.rejected.update(refused_names)  # these do not: they never belonged in the index
        kept_sources = [s for s in old_docs if s not in named and (s not in removable or s in unreadable)]
        assert previous is not None or not kept_sources
        kept = self._kept(previous, kept_sources) if previous else {}

        loaded: dict[str, LoadedFile] = {}
        origins: dict[str, str] = {source: str(old_docs[source].get("origin") or "") for source in kept}
        seen_hashes: dict[str, str] = {item.sha256: source for source, item in kept.items()}
        for item, path in candidates:
            if item.source in loaded:
                report.rejected[path.name] = f"trùng tên với một tệp khác ({item.source})."
                continue
            if item.sha256 in seen_hashes:
                original = seen_hashes[item.sha256]
                report.rejected[path.name] = f"trùng nội dung với {original}; văn bản giữ tên {original} trong chỉ mục và trích dẫn."
                continue
            seen_hashes[item.sha256] = item.source
            loaded[item.source] = item
            origins[item.source] = str(path.resolve())

        parsed = self._parse({**kept, **loaded}, set(loaded), report)
        for source in [s for s in loaded if s not in parsed and s in old_docs and previous is not None]:
            kept.update(self._kept(previous, [source]))  # an update refused: the indexed version stays
            origins[source] = str(old_docs[source].get("origin") or "")
            parsed.update(self._parse({source: kept[source]}, set(), report))
            del loaded[source]
        loaded = {source: item for source, item in loaded.items() if source in parsed}

        for source, item in loaded.items():
            old = old_docs.get(source)
            if old is None:
                report.added.append(source)
            elif old["sha256"] != item.sha256:
                report.updated.append(source)
            else:
                report.unchanged.append(source)
        report.unchanged.extend(s for s in kept if s in parsed)
        report.removed = sorted(set(old_docs) - set(parsed))

        moved = any(old_docs[s].get("origin") not in (None, origins[s]) for s in loaded if s in old_docs)
        if self.is_current(previous) and not (report.added or report.updated or report.removed or moved):
            assert previous is not None
            report.build_id = previous.build_id
            notify(1.0, "Không có thay đổi")
            return report
        if not parsed:
            reasons = "".join(f"\n- {name}: {reason}" for name, reason in report.rejected.items())
            raise DocumentRejected("Không có tài liệu hợp lệ nào để đưa vào chỉ mục; chỉ mục cũ được giữ nguyên." + reasons)

        self.store.collect_garbage()  # leftovers of an interrupted build
        manifest = self.store.new_build(self.model_id)
        try:
            self._build(manifest, parsed, origins, report, notify, show_progress)
        except BaseException as err:
            self.store.discard(manifest)
            problem = storage_problem(err)
            if problem is not None:
                self.store.reopen()
                raise StorageFailed(
                    f"{problem}: không ghi được bản dựng chỉ mục mới vào {self.store.root}. Bản dựng dở đã được xóa; "
                    "chỉ mục cũ vẫn trả lời câu hỏi. Hãy giải phóng dung lượng hoặc cấp quyền ghi rồi chạy lại."
                ) from err
            raise
        report.build_id = manifest.build_id
        report.changed = True
        notify(1.0, "Hoàn tất")
        return report

    def _parse(
        self, files: dict[str, LoadedFile], new: set[str], report: IngestReport,
    ) -> dict[str, tuple[LoadedFile, Document, list[BaseNode]]]:
        """Sections of each document; a new one that would cost too many chunks to embed is
        refused here, before any embedding (documents already indexed are kept as they are)."""
        limit = self.limits.max_chunks_per_document
        parsed: dict[str, tuple[LoadedFile, Document, list[BaseNode]]] = {}
        for source, item in files.items():
            document = to_document(item)
            doc_nodes = self.parser.get_nodes_from_documents([document])
            if source in new and len(doc_nodes) > limit:
                report.rejected[source] = (
                    f"văn bản chia thành {count_vi(len(doc_nodes))} đoạn, vượt giới hạn {count_vi(limit)} đoạn mỗi văn bản "
                    "(document_limits.max_chunks_per_document); hãy tách văn bản."
                )
                continue
            parsed[source] = (item, document, doc_nodes)
        return parsed

    def _build(
        self, manifest: Manifest, parsed: dict[str, tuple[LoadedFile, Document, list[BaseNode]]], origins: dict[str, str],
        report: IngestReport, notify: ProgressCallback, show_progress: bool,
    ) -> None:
        notify(0.05, "Phân tích cấu trúc văn bản")
        documents: list[Document] = []
        nodes: list[BaseNode] = []
        for source, (item, document, doc_nodes) in parsed.items():
            documents.append(document)
            nodes.extend(doc_nodes)
            info = {k: v for k, v in document.metadata.items() if k != "line_emphasis"}
            manifest.documents[source] = {
                **info,
                "pipeline": PIPELINE_VERSION,
                "format": item.fmt,
                "origin": origins.get(source) or None,
                "node_count": len(doc_nodes),
                "node_ids": [n.node_id for n in doc_nodes],
            }

        self._embed(nodes, report, notify, show_progress)
        notify(0.85, "Ghi vào Chroma")
        collection = self.store.collection(manifest.collection, create=True)
        # Chroma holds what the dense search needs and nothing else: the vector, the chunk's id and
        # its document (questions scoped to documents filter on it). The texts and the chunks'
        # metadata are in library.json; through llama-index's ChromaVectorStore each chunk's text
        # was stored again, with its node JSON and a full-text index, three more copies.
        # Chroma 1.x refuses more than get_max_batch_size() (5,461 here) records per call.
        limit = max(1, int(self.store.client.get_max_batch_size()))
        for start in range(0, len(nodes), limit):
            batch = nodes[start : start + limit]
            collection.add(
                ids=[n.node_id for n in batch], embeddings=[n.embedding for n in batch],  # type: ignore[misc]
                metadatas=[{"source": str(n.metadata.get("source", ""))} for n in batch],
            )

        notify(0.92, "Dựng chỉ mục từ khóa (BM25)")
        folder = self.store.build_dir(manifest.build_id)
        docstore = SimpleDocumentStore()  # the documents as indexed, for the next ingest to keep
        docstore.add_documents(documents, store_text=True)
        docstore.persist(str(folder / "docstore.json"))
        LexicalIndex.build([n.node_id for n in nodes], [lexical_text(n) for n in nodes]).save(folder / "bm25")
        Library.save(folder, {str(d.metadata.get("source", d.doc_id)): d.text for d in documents}, nodes)  # type: ignore[arg-type]
        self._fit_restorer(documents, folder)
        self.store.commit(manifest)

    def _embed(self, nodes: list[BaseNode], report: IngestReport, notify: ProgressCallback, show_progress: bool) -> None:
        """Vectors come from the machine's cache by the exact text embedded: a section that did
        not change, or that another build or test already embedded, costs nothing."""
        texts = [embed_text(n) for n in nodes]
        # An archive repeats sections word for word (a province's plan re-issued each year, the
        # same article in several builds): each distinct text goes through the model once.
        distinct = list(dict.fromkeys(texts))
        vectors: dict[str, list[float] | None] = dict(zip(distinct, self.embed_model.cached(distinct)))
        todo = [text for text, vector in vectors.items() if vector is None]
        report.nodes_embedded = len(todo)
        report.nodes_reused = len(nodes) - sum(1 for text in texts if vectors[text] is None)
        batch = max(1, self.settings.embedding_batch_size)
        bar = tqdm(total=len(todo), desc="Nhúng đoạn văn", unit="đoạn", disable=not show_progress or not todo)
        for start in range(0, len(todo), batch):
            chunk = todo[start : start + batch]
            vectors.update(zip(chunk, self.embed_model.get_text_embedding_batch(chunk)))
            bar.update(len(chunk))
            notify(0.1 + 0.75 * (start + len(chunk)) / max(1, len(todo)), f"Nhúng {start + len(chunk)}/{len(todo)} đoạn")
        bar.close()
        for node, text in zip(nodes, texts):
            node.embedding = vectors[text]

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
