"""The live build, loaded once per process: documents, their sections, BM25 and the Chroma store."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

from llama_index.core.schema import Document, TextNode
from llama_index.core.storage.docstore import SimpleDocumentStore
from llama_index.vector_stores.chroma import ChromaVectorStore

from assistant.agencies import agency_identity, agency_key
from assistant.bm25 import LexicalIndex
from assistant.metadata import DocumentInfo
from assistant.store import IndexMissing, IndexStore, Manifest
from assistant.text import fold, unify_tones


@dataclass
class DocumentEntry(DocumentInfo):
    """A document as indexed: its identity plus how many chunks it became."""

    node_count: int = 0

    @property
    def label(self) -> str:
        return f"{self.title} ({self.province})" if self.province else self.title


class Library:
    def __init__(self, store: IndexStore) -> None:
        manifest = store.current_manifest()
        if manifest is None:
            raise IndexMissing("Chưa có chỉ mục: hãy chạy `assistant ingest` trước.")
        self.manifest: Manifest = manifest
        folder = store.build_dir(manifest.build_id)
        docstore = SimpleDocumentStore.from_persist_path(str(folder / "docstore.json"))
        self.nodes: dict[str, TextNode] = {}
        self.full_texts: dict[str, str] = {}
        for item in docstore.docs.values():
            if isinstance(item, Document):
                self.full_texts[item.metadata.get("source", item.doc_id)] = item.text
            elif isinstance(item, TextNode):
                self.nodes[item.node_id] = item
        self.lexical = LexicalIndex.load(folder / "bm25")
        self.vector_store = ChromaVectorStore(chroma_collection=store.collection(manifest.collection))
        self.restorer = _load_restorer(folder / "restorer.json")
        self.documents: dict[str, DocumentEntry] = {
            source: DocumentEntry(
                **{f.name: _field_value(f.name, entry, source) for f in fields(DocumentInfo)},
                node_count=int(entry.get("node_count", 0)),
            )
            for source, entry in sorted(manifest.documents.items())
        }
        self._phrase_cache: dict[str, dict[str, int]] = {}
        self._order = {source: [nid for nid in entry["node_ids"]] for source, entry in manifest.documents.items()}

    @property
    def build_id(self) -> str:
        return self.manifest.build_id

    def sections_of(self, source: str) -> list[TextNode]:
        return [self.nodes[nid] for nid in self._order.get(source, []) if nid in self.nodes]

    @cached_property
    def provinces(self) -> list[str]:
        return sorted({d.province for d in self.documents.values() if d.province})

    @cached_property
    def years(self) -> list[int]:
        return sorted({d.year for d in self.documents.values() if d.year})

    @cached_property
    def agency_blocks(self) -> dict[str, list[str]]:
        """agency key → node ids of the blocks that assign it tasks."""
        blocks: dict[str, list[str]] = {}
        for node_id, node in self.nodes.items():
            for name in filter(None, str(node.metadata.get("agencies", "")).split("; ")):
                blocks.setdefault(agency_key(name), []).append(node_id)
        return blocks

    @cached_property
    def agency_names(self) -> dict[str, str]:
        """agency key → the name as a document spells it (first seen)."""
        names: dict[str, str] = {}
        for node in self.nodes.values():
            for name in filter(None, str(node.metadata.get("agencies", "")).split("; ")):
                names.setdefault(agency_key(name), re.sub(r"^Đề nghị\s+", "", name))
        return names

    @cached_property
    def agency_identities(self) -> dict[str, str]:
        """agency key → the body it denotes ("tỉnh đoàn sơn la" → "đoàn thanh niên")."""
        return {key: agency_identity(key) for key in self.agency_names}

    def same_agency(self, key: str) -> list[str]:
        """Every key that names the same body as `key`, across documents."""
        identity = self.agency_identities.get(key)
        return [other for other, same in self.agency_identities.items() if same == identity] if identity else [key]

    @cached_property
    def folded_text(self) -> str:
        return "\n".join(fold(text) for text in self.full_texts.values())

    @cached_property
    def _folded_by_source(self) -> dict[str, str]:
        return {source: " ".join(re.findall(r"\w+", fold(text))) for source, text in self.full_texts.items()}

    def phrase_share(self, phrase: str, source: str, among: list[str] | None = None) -> float:
        """Share of a (folded) phrase's occurrences in `among` (default: all documents) that are in `source`."""
        counts = self._phrase_counts(phrase)
        total = sum(n for s, n in counts.items() if among is None or s in among)
        return counts.get(source, 0) / total if total else 0.0

    def _phrase_counts(self, phrase: str) -> dict[str, int]:
        """Occurrences per document, counted once per phrase: a question asks about each of its
        phrases for every candidate document, and an archive holds hundreds."""
        counts = self._phrase_cache.get(phrase)
        if counts is None:  # a plain dict: web-chat threads may race here, at worst counting twice
            if len(self._phrase_cache) > 4096:
                self._phrase_cache.clear()
            pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")
            counts = {s: len(pattern.findall(text)) for s, text in self._folded_by_source.items()}
            self._phrase_cache[phrase] = counts
        return counts

    @cached_property
    def agency_acronyms(self) -> dict[str, str]:
        """ "TCHCQT", "SLĐTBXH", "CAT" → agency key, from the names the documents use, so staff
        shorthand works for agencies of any newly added document too."""
        acronyms: dict[str, str] = {}
        for key, name in self.agency_names.items():
            for variant in _acronym_variants(name):
                acronyms.setdefault(variant, key)
        return acronyms

    @cached_property
    def exact_text(self) -> str:
        return "\n".join(re.sub(r"\s+", " ", unify_tones(text)) for text in self.full_texts.values())

    def mentions(self, phrase: str, exact_case: bool = False) -> bool:
        """Does any document contain this phrase? Accent-insensitive unless `exact_case`
        ("Bộ Y tế" must not match "cán bộ y tế")."""
        if exact_case:
            key, haystack = re.sub(r"\s+", " ", unify_tones(phrase)).strip(), self.exact_text
        else:
            key, haystack = re.sub(r"\s+", " ", fold(phrase)).strip(), self.folded_text
        return bool(key) and re.search(r"(?<!\w)" + re.escape(key) + r"(?!\w)", haystack) is not None


def _field_value(name: str, entry: dict[str, Any], source: str) -> Any:
    value = entry.get(name, "")
    if name == "year":
        return int(value) if str(value).isdigit() else None
    if name == "title":
        return str(value or source)
    return str(value)


_ACRONYM_SKIP = {"và", "các", "của", "trên", "địa", "bàn"}


def _acronym_variants(name: str) -> set[str]:
    words = [w for w in re.findall(r"\w+", name) if w.lower() not in _ACRONYM_SKIP]
    if len(words) < 2:
        return set()
    variants = set()
    for start in (0, 1):  # with and without the head word: "SLĐTBXH" and "LĐTBXH"
        for drop_tail in (False, True):  # "CAT" and "CA" for "Công an tỉnh"
            part = words[start:]
            if drop_tail and part and part[-1].lower() == "tỉnh":
                part = part[:-1]
            letters = "".join(w[0] for w in part)
            if len(letters) >= 3:
                variants.add(fold(letters))
    return variants


def _load_restorer(path: Any) -> Any:
    if not path.exists():
        return None
    try:
        from assistant.diacritics import DiacriticRestorer
    except ImportError:
        return None
    return DiacriticRestorer.load(path)
