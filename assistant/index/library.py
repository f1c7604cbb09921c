"""The live build, loaded once per process: documents, their sections, BM25 and the Chroma collection of their vectors."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from functools import cached_property
from typing import Any

from llama_index.core.schema import Document, TextNode
from llama_index.core.storage.docstore import SimpleDocumentStore

from assistant.documents.agencies import agency_identity, agency_key
from assistant.documents.annexes import is_roster, roster_names
from assistant.index.assignments import Responsibilities, extract as extract_responsibilities
from assistant.index.bm25 import LexicalIndex
from assistant.index.identity import DocumentIdentities
from assistant.query.diacritics import DiacriticRestorer
from assistant.documents.crossref import CitedIdentity, cited_identities
from assistant.documents.references import entry_code
from assistant.documents.metadata import DocumentInfo
from assistant.documents.validity import Supersession, status_line, supersessions
from assistant.places import without_provinces
from assistant.index.store import IndexMissing, IndexStore, Manifest
from assistant.text import collapse_spaces, fold, tokens, unify_tones, words


LIBRARY_FILE = "library.json"
RESPONSIBILITIES_KEY = "responsibilities"  # who must do what, by when (index.assignments), made with the build
PREPARED_KEYS = ("folded", "exact", "frequencies", "agency_blocks", "agency_names")


@dataclass
class DocumentEntry(DocumentInfo):
    """A document as indexed: its identity plus how many chunks it became, and — when its own
    text does not state its number — the indexed document whose legal bases cite it by number
    (`documents.crossref`)."""

    node_count: int = 0
    number_cited_by: str = ""


class Library:
    """Everything a question is answered from. `load` opens a committed build; `from_documents`
    holds documents parsed in memory (no vectors), so question understanding and the answerers can
    be run and tested in seconds without the embedding model or Chroma."""

    def __init__(
        self,
        manifest: Manifest,
        nodes: dict[str, TextNode],
        full_texts: dict[str, str],
        lexical: LexicalIndex,
        vectors: Any | None = None,
        restorer: DiacriticRestorer | None = None,
    ) -> None:
        self.manifest = manifest
        self.nodes = nodes
        self.full_texts = full_texts
        self.lexical = lexical
        self.vectors = vectors  # the build's Chroma collection: ids, vectors and sources only
        self.restorer = restorer
        self.documents = document_entries(manifest)
        self._phrase_cache: dict[str, dict[str, int]] = {}
        self.understood: dict[tuple[str, tuple[str, ...] | None], Any] = {}  # question.understand's memo
        self._order = {source: list(entry["node_ids"]) for source, entry in manifest.documents.items()}
        self.prepared: dict[str, Any] = {}  # what the build made for questions (`prepare`), when read

    @staticmethod
    def prepare(full_texts: dict[str, str], nodes: Iterable[TextNode]) -> dict[str, Any]:
        """What every question is matched against, made once at build time and saved beside the
        build (`library.json`): each document's text accent-folded and with unified tones, how
        many chunks use each word, and which blocks assign tasks to each agency. Made at a server's
        first question instead, these passes over every document and every chunk cost seconds on an
        archive of hundreds of documents."""
        nodes = list(nodes)
        folded: Counter[str] = Counter()
        accented: Counter[str] = Counter()
        per_document: dict[str, Counter[str]] = {}
        words_of: dict[str, tuple[set[str], set[str]]] = {}  # an archive repeats its plans' sections word for word
        for node in nodes:
            content = node.get_content()
            if content not in words_of:
                words_of[content] = set(tokens(fold(content))), set(tokens(unify_tones(content).lower()))
            folded.update(words_of[content][0])
            accented.update(words_of[content][1])
            per_document.setdefault(str(node.metadata.get("source", "")), Counter()).update(words_of[content][0])
        count = len(nodes)
        return {
            "folded": {source: " ".join(words(fold(text))) for source, text in full_texts.items()},
            "exact": {source: collapse_spaces(unify_tones(text)) for source, text in full_texts.items()},
            "frequencies": {"folded": folded, "accented": accented, "chunks": max(1, count), "documents": per_document},
            "agency_blocks": agency_blocks(nodes), "agency_names": agency_names(nodes),
        }

    @classmethod
    def load(cls, store: IndexStore) -> "Library":
        manifest = store.current_manifest()
        if manifest is None:
            raise IndexMissing("Chưa có chỉ mục: hãy chạy `assistant ingest` trước.")
        folder = store.build_dir(manifest.build_id)
        prepared: dict[str, Any] = {}
        if (folder / LIBRARY_FILE).exists():
            prepared = json.loads((folder / LIBRARY_FILE).read_text(encoding="utf-8"))
            full_texts, nodes = prepared.pop("full_texts"), read_nodes(prepared.pop("nodes"))
        else:  # a build made before library.json: the docstore, read whole (seconds at scale)
            full_texts, nodes = _from_docstore(folder / "docstore.json")
        vectors = store.collection(manifest.collection)
        library = cls(manifest, nodes, full_texts, LexicalIndex.load(folder / "bm25"), vectors, _load_restorer(folder / "restorer.json"))
        library.prepared = prepared
        library.identify(prepared.get("identities"))
        return library

    @staticmethod
    def save(folder: Path, full_texts: dict[str, str], nodes: list[TextNode]) -> None:
        """`library.json`: what `load` reads — the documents' texts, the chunks (text, metadata;
        their vectors are in Chroma) and what `prepare` makes. Plain JSON of the few fields used,
        not the docstore (kept for ingest): the docstore's JSON, with every accented letter
        escaped, and validating every node again made most of a server's start."""
        data = {"full_texts": full_texts, "nodes": write_nodes(nodes), **Library.prepare(full_texts, nodes),
                RESPONSIBILITIES_KEY: extract_responsibilities(nodes).to_json()}
        data["identities"] = {s: asdict(i) for s, i in cited_identities(_node_documents(nodes), full_texts).items()}
        (folder / LIBRARY_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def from_documents(cls, documents: Iterable[Document], parsed: dict[str, list[TextNode]]) -> "Library":
        """A library of documents already parsed into nodes (`parsed`: source → its nodes)."""
        from assistant.index.ingest import lexical_text

        manifest = Manifest(build_id="memory", collection="", embed_model="")
        full_texts: dict[str, str] = {}
        nodes: dict[str, TextNode] = {}
        for document in documents:
            source = str(document.metadata["source"])
            full_texts[source] = document.text
            own = parsed[source]
            manifest.documents[source] = {**{k: v for k, v in document.metadata.items() if k != "line_emphasis"},
                                          "node_count": len(own), "node_ids": [n.node_id for n in own]}
            nodes.update({n.node_id: n for n in own})
        lexical = LexicalIndex.build(list(nodes), [lexical_text(n) for n in nodes.values()])
        library = cls(manifest, nodes, full_texts, lexical, None, DiacriticRestorer().fit(full_texts.values()))
        library.identify()
        return library

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> "Library":
        """Documents read and parsed in memory, for tests and tools that need no vectors."""
        from assistant.documents.load import load_file, to_document
        from assistant.documents.structure import SectionNodeParser

        parser = SectionNodeParser()
        documents = [to_document(load_file(path)) for path in paths]
        parsed = {str(d.metadata["source"]): parser.parse_document(d) for d in documents}
        return cls.from_documents(documents, parsed)

    def identify(self, saved: dict[str, dict[str, str]] | None = None) -> None:
        """Numbers other indexed documents prove (`documents.crossref`), as the build found them or
        found now (a build made before it saved them). The document's own words are not changed."""
        found = {s: CitedIdentity(**i) for s, i in saved.items()} if saved is not None else cited_identities(self.documents, self.full_texts)
        for source, identity in found.items():
            entry = self.documents.get(source)
            if entry is None or entry.number:
                continue
            entry.number, entry.number_cited_by = identity.number, identity.by
            if not entry.date and identity.date:
                entry.date = identity.date
            if entry.year is None and identity.date:
                entry.year = int(identity.date[-4:])

    @property
    def build_id(self) -> str:
        return self.manifest.build_id

    @cached_property
    def superseded(self) -> dict[str, list[Supersession]]:
        """source → what other indexed documents say ends it (see documents.validity)."""
        return supersessions(self.documents, self.identities.stating_number)

    @cached_property
    def identities(self) -> DocumentIdentities:
        """What each document states it is in its own head and adoption lines (not its parsed fields)."""
        return DocumentIdentities(self.full_texts)

    def in_force(self, source: str) -> bool:
        return not any(not s.partial for s in self.superseded.get(source, []))

    def status_notes(self, source: str) -> list[str]:
        """One line per statement ending this document, for answers drawn from it."""
        entry = self.documents[source]
        return [status_line(entry, s, self.documents[s.by]) for s in self.superseded.get(source, [])]

    def sections_of(self, source: str) -> list[TextNode]:
        return [self.nodes[nid] for nid in self._order.get(source, []) if nid in self.nodes]

    @cached_property
    def provinces(self) -> list[str]:
        return sorted({d.province for d in self.documents.values() if d.province})

    @cached_property
    def years(self) -> list[int]:
        return sorted({d.year for d in self.documents.values() if d.year})

    @cached_property
    def responsibilities(self) -> Responsibilities:
        """The responsibility matrix and deadlines: saved with the build, or made now for a build
        from before they were (and for a library held in memory)."""
        saved = self.prepared.get(RESPONSIBILITIES_KEY)
        return Responsibilities.from_json(saved) if saved is not None else extract_responsibilities(self.nodes.values())

    def node_at(self, source: str, order: int) -> TextNode | None:
        """The section of `source` at place `order` (what an assignment or deadline was read from)."""
        return self._by_place.get((source, order))

    @cached_property
    def _by_place(self) -> dict[tuple[str, int], TextNode]:
        return {(str(n.metadata.get("source", "")), int(n.metadata.get("order", 0))): n for n in self.nodes.values()}

    @cached_property
    def entry_units(self) -> dict[str, list[str]]:
        """Code of an appendix unit ("5" for "Mẫu số 05", "504") → its chunks: what "mẫu số 05",
        "chỉ tiêu 504" name (see documents.references.entry_code)."""
        found: dict[str, list[str]] = {}
        for nid, node in self.nodes.items():
            if node.metadata.get("layout") == "appendix" and (code := entry_code(str(node.metadata.get("section", "")))):
                found.setdefault(code, []).append(nid)
        return found

    @cached_property
    def rosters(self) -> dict[str, list[str]]:
        """Source → its body sections that say what each annexed list is ("Danh mục I: Các chất …"):
        what "chia thành những danh mục nào", "Danh mục IV là gì" are answered from."""
        found: dict[str, list[str]] = {}
        for nid, node in self.nodes.items():
            if is_roster(node):
                found.setdefault(str(node.metadata.get("source", "")), []).append(nid)
        return found

    @cached_property
    def annex_names(self) -> dict[tuple[str, str], str]:
        """(source, "danh muc i") → the roster line naming that annex, in the body's words."""
        return roster_names(self.nodes[nid] for ids in self.rosters.values() for nid in ids)

    @cached_property
    def issued_by(self) -> dict[str, list[str]]:
        """Agency key of an issuer ("bo y te") → the documents it issued: what "theo quy định của Bộ
        Y tế" points to."""
        found: dict[str, list[str]] = {}
        for source, entry in self.documents.items():
            if entry.issuer:
                found.setdefault(agency_key(entry.issuer), []).append(source)
        return found

    @cached_property
    def agency_blocks(self) -> dict[str, list[str]]:
        """agency key → node ids of the blocks that assign it tasks."""
        return dict(self._prepared["agency_blocks"])

    @cached_property
    def agency_names(self) -> dict[str, str]:
        """agency key → the name as a document spells it (first seen)."""
        return dict(self._prepared["agency_names"])

    @cached_property
    def agency_identities(self) -> dict[str, str]:
        """agency key → the body it denotes ("tỉnh đoàn sơn la" → "đoàn thanh niên")."""
        return {key: agency_identity(key) for key in self.agency_names}

    def same_agency(self, key: str) -> list[str]:
        """Every key that names the same body as `key`, across documents."""
        identity = self.agency_identities.get(key)
        return [other for other, same in self.agency_identities.items() if same == identity] if identity else [key]

    @cached_property
    def _prepared(self) -> dict[str, Any]:
        if all(key in self.prepared for key in PREPARED_KEYS) and "documents" in self.prepared["frequencies"]:
            return self.prepared
        return self.prepare(self.full_texts, self.nodes.values())  # held in memory, or an older build

    @cached_property
    def _folded_by_source(self) -> dict[str, str]:
        return dict(self._prepared["folded"])

    @cached_property
    def _exact_by_source(self) -> dict[str, str]:
        return dict(self._prepared["exact"])

    def document_frequencies(self, source: str) -> Counter[str]:
        """How many of one document's chunks use each (folded) word."""
        return Counter(self._prepared["frequencies"]["documents"].get(source, {}))

    @cached_property
    def chunk_frequencies(self) -> tuple[Counter[str], Counter[str], int]:
        """How many chunks use each word, accent-folded and as written, and how many chunks there are."""
        saved = self._prepared["frequencies"]
        return Counter(saved["folded"]), Counter(saved["accented"]), int(saved["chunks"])

    @cached_property
    def _sources_by_word(self) -> dict[str, set[str]]:
        """folded word → documents using it: a phrase is looked for only where all its words are."""
        index: dict[str, set[str]] = {}
        for source, text in self._folded_by_source.items():
            for word in set(text.split()):
                index.setdefault(word, set()).add(source)
        return index

    @cached_property
    def title_phrases(self) -> dict[str, set[str]]:
        """Per document, the phrases of its title and issuer a question can name it by."""
        return {s: title_phrases(fold(f"{d.title} {d.issuer}")) for s, d in self.documents.items()}

    def _sources_with_words(self, phrase: str) -> set[str]:
        found: set[str] | None = None
        for word in words(fold(phrase)):
            found = self._sources_by_word.get(word, set()) if found is None else found & self._sources_by_word.get(word, set())
        return found or set()

    def document_frequency(self, phrase: str, among: Iterable[str]) -> int:
        """How many of `among` use a (folded) phrase in their text."""
        counts = self._phrase_counts(phrase)
        return sum(1 for s in among if counts.get(s, 0))

    def phrase_share(self, phrase: str, sources: Iterable[str], among: Iterable[str]) -> float:
        """Share of a (folded) phrase's occurrences in `among` that are in `sources`."""
        counts = self._phrase_counts(phrase)
        pool = set(among)
        total = sum(n for s, n in counts.items() if s in pool)
        return sum(counts.get(s, 0) for s in set(sources)) / total if total else 0.0

    def _phrase_counts(self, phrase: str) -> dict[str, int]:
        """Occurrences per document, counted once per phrase: a question asks about each of its
        phrases for every candidate document, and an archive holds hundreds."""
        counts = self._phrase_cache.get(phrase)
        if counts is None:  # a plain dict: web-chat threads may race here, at worst counting twice
            if len(self._phrase_cache) > 4096:
                self._phrase_cache.clear()
            pattern = _followed_by_no_word(phrase)
            counts = {s: occurrences(pattern, self._folded_by_source[s]) for s in self._sources_with_words(phrase)}
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

    def mentions(self, phrase: str, exact_case: bool = False) -> bool:
        """Does any document contain this phrase? Accent-insensitive unless `exact_case`
        ("Bộ Y tế" must not match "cán bộ y tế")."""
        key = collapse_spaces(unify_tones(phrase) if exact_case else " ".join(words(fold(phrase))))
        if not key:
            return False
        pattern = _followed_by_no_word(key)
        texts = self._exact_by_source if exact_case else self._folded_by_source
        return any(occurrences(pattern, texts[source], first_only=True) for source in self._sources_with_words(phrase))


_WORD_CHARACTER = re.compile(r"\w")


def _followed_by_no_word(phrase: str) -> re.Pattern[str]:
    """The phrase ending a word; `occurrences` checks that it also starts one. Written as one
    pattern starting with a look-behind, the regex engine loses its fast search for the literal
    text, and a question's phrases were looked for 40 times slower over a whole archive."""
    return re.compile(re.escape(phrase) + r"(?!\w)")


def occurrences(pattern: re.Pattern[str], text: str, first_only: bool = False) -> int:
    r"""Non-overlapping matches of `_followed_by_no_word(phrase)` not preceded by a word character:
    what `(?<!\w)phrase(?!\w)` finds."""
    count, position = 0, 0
    while (match := pattern.search(text, position)) is not None and match.end() > match.start():
        start = match.start()
        if start and _WORD_CHARACTER.match(text, start - 1):
            position = start + 1
            continue
        count += 1
        if first_only:
            break
        position = match.end()
    return count


def agency_blocks(nodes: Iterable[TextNode]) -> dict[str, list[str]]:
    blocks: dict[str, list[str]] = {}
    for node in nodes:
        for name in filter(None, str(node.metadata.get("agencies", "")).split("; ")):
            blocks.setdefault(agency_key(name), []).append(node.node_id)
    return blocks


def agency_names(nodes: Iterable[TextNode]) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in nodes:
        for name in filter(None, str(node.metadata.get("agencies", "")).split("; ")):
            names.setdefault(agency_key(name), re.sub(r"^Đề nghị\s+", "", name))
    return names


_NODE_FIELDS = ("id_", "text", "metadata", "excluded_embed_metadata_keys", "excluded_llm_metadata_keys",
                "metadata_template", "metadata_separator", "text_template")


def write_nodes(nodes: Iterable[TextNode]) -> list[list[Any]]:
    return [[getattr(node, name) for name in _NODE_FIELDS] for node in nodes]


def read_nodes(rows: list[list[Any]]) -> dict[str, TextNode]:
    """Chunks as `write_nodes` saved them; not validated again (they were when built). Every
    field is given, so pydantic calls no default factory per chunk (half the time)."""
    defaults = {**TextNode.model_construct().__dict__, "id_": ""}
    nodes = (TextNode.model_construct(**{**defaults, "relationships": {}, **dict(zip(_NODE_FIELDS, row))}) for row in rows)
    return {node.node_id: node for node in nodes}


def _from_docstore(path: Path) -> tuple[dict[str, str], dict[str, TextNode]]:
    docstore = SimpleDocumentStore.from_persist_path(str(path))
    nodes: dict[str, TextNode] = {}
    full_texts: dict[str, str] = {}
    for item in docstore.docs.values():
        if isinstance(item, Document):
            full_texts[item.metadata.get("source", item.doc_id)] = item.text
        elif isinstance(item, TextNode):
            nodes[item.node_id] = item
    return full_texts, nodes


def document_entries(manifest: Manifest) -> dict[str, DocumentEntry]:
    """The indexed documents as the manifest records them (no index files are read)."""
    return {
        source: DocumentEntry(
            **{f.name: _field_value(f.name, entry, source) for f in fields(DocumentInfo)},
            node_count=int(entry.get("node_count", 0)),
        )
        for source, entry in sorted(manifest.documents.items())
    }


_FUNCTION_WORDS = frozenset("va cua cac nhung trong ve theo voi cho de tu tai o la hoac".split())


def title_phrases(folded: str) -> set[str]:
    """Title phrases that can name a document; province names and years name a place or time
    instead, and a pair across a function word ("túy và") names nothing."""
    folded = without_provinces(folded, " | ")
    marked = [w if not re.fullmatch(r"\d+", w) and w not in _FUNCTION_WORDS else "|" for w in re.findall(r"[\w|]+", folded)]
    return {f"{a} {b}" for a, b in zip(marked, marked[1:]) if "|" not in (a, b)}


def _node_documents(nodes: Iterable[TextNode]) -> dict[str, DocumentEntry]:
    """The documents' identities as their chunks carry them (`structure.NODE_DOCUMENT_KEYS`)."""
    entries: dict[str, DocumentEntry] = {}
    for node in nodes:
        source = str(node.metadata.get("source", ""))
        if source and source not in entries:
            entries[source] = DocumentEntry(
                **{f.name: _field_value(f.name, node.metadata, source) for f in fields(DocumentInfo)})
    return entries


def _field_value(name: str, entry: dict[str, Any], source: str) -> Any:
    value = entry.get(name, "")
    if name == "relations":
        return json.loads(value) if isinstance(value, str) and value else list(value or [])
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


def _load_restorer(path: Path) -> DiacriticRestorer | None:
    if not path.exists():
        return None
    return DiacriticRestorer.load(path)
