"""Stage 4b, retrieve: dense (Chroma) + BM25 + agency-block and appendix-unit lookups, fused by
reciprocal rank.

Fusion is keyed by node id. The lookups are structural: when a question names an agency, the
blocks that assign it tasks are the most relevant passages whatever their wording; when it names
an appendix unit by code ("mẫu số 05", "chỉ tiêu 504"), that unit is; when it asks about the annexed
lists ("chia thành những danh mục nào"), the article saying what each is. What the dense model or BM25
ranks first stays among the sections read (`keep_heads`), whatever the other ranking thinks.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle

from assistant.config import Settings
from assistant.documents.annexes import asks_about_annexes
from assistant.documents.references import entry_key
from assistant.index.library import Library
from assistant.query.understand import BLANK, Question, asks_for_form, understand

Mode = Literal["hybrid", "dense", "bm25"]
FORM_WEIGHT = 0.5  # a form's fused score against its rules'


class HybridRetriever(BaseRetriever):
    def __init__(self, library: Library, embed_model: BaseEmbedding | None, settings: Settings, mode: Mode = "hybrid") -> None:
        super().__init__()
        self.library = library
        self.embed_model = embed_model
        self.settings = settings
        self.mode: Mode = mode
        # A comparison searches each document with the same words: embed them once.
        self._query_vector = lru_cache(maxsize=256)(embed_model.get_query_embedding) if embed_model is not None else None

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self.retrieve_question(understand(query_bundle.query_str, self.library))

    def retrieve_question(self, question: Question) -> list[NodeWithScore]:
        allowed = self._allowed_ids(question.sources)
        rankings: list[tuple[float, list[str]]] = []
        text = question.search_text or question.text
        if self.mode in ("hybrid", "dense"):
            rankings.append((self.settings.dense_weight, self._dense(text, question.sources)))
        if self.mode in ("hybrid", "bm25"):
            rankings.append((1.0, [nid for nid, _ in self.library.lexical.search(text, self.settings.bm25_top_k, allowed)]))
        if self.mode == "hybrid" and question.agencies:
            blocks = [
                nid for match in question.agencies for nid in self.library.agency_blocks.get(match.key, [])
                if allowed is None or nid in allowed
            ]
            rankings.append((2.0, blocks))
        entries = [
            nid for code in question.entries for nid in self.library.entry_units.get(entry_key(code), []) if allowed is None or nid in allowed
        ] if self.mode == "hybrid" else []
        if entries:
            # "mẫu số 05", "chỉ tiêu 504": the appendix unit of that code, structurally, as an
            # article is found by its number — its words may be nothing like the question's
            rankings.append((2.0, entries))
        rosters = self._rosters(question, allowed, rankings) if self.mode == "hybrid" else []
        if rosters:
            # "chia thành những danh mục nào", "Danh mục IV là gì": the article saying what each
            # annexed list is, which the lists' own hundreds of rows outrank on every word
            rankings.append((1.0, rosters))
        fused = reciprocal_rank_fusion(rankings, self.settings.rrf_k)
        if not asks_for_form(question):
            # Decrees and circulars end with forms that repeat their articles' words around blanks
            # ("Tiếp nhận người cần xác định tình trạng nghiện ma túy: … giờ"): the rule first, its
            # form after (still there: a form's notes can say what no article does).
            fused = sorted(((nid, score * FORM_WEIGHT if self._is_form(nid) else score) for nid, score in fused), key=lambda item: -item[1])
        limit = self.settings.retrieve_top_k
        # the text rankings' heads: the agency blocks are listed in document order, not by relevance
        searched = [ranking for _, ranking in rankings[: 2 if self.mode == "hybrid" else 1]]
        heads = {nid for ranking in searched for nid in ranking[:HEAD] if asks_for_form(question) or not self._is_form(nid)} | set(entries[:HEAD]) | set(rosters[:HEAD])
        fused = keep_heads(fused, heads, limit)
        return [NodeWithScore(node=self.library.nodes[nid], score=score) for nid, score in fused[:limit] if nid in self.library.nodes]

    def _rosters(self, question: Question, allowed: set[str] | None, rankings: list[tuple[float, list[str]]]) -> list[str]:
        """The roster sections of the documents asked about (named, or else found first by the text
        rankings) when the question is about their annexed lists."""
        if not self.library.rosters or not asks_about_annexes(question.folded):
            return []
        sources = question.sources or list(dict.fromkeys(
            str(self.library.nodes[nid].metadata.get("source", "")) for _, ranking in rankings for nid in ranking[:HEAD] if nid in self.library.nodes
        ))
        return [nid for source in sources for nid in self.library.rosters.get(source, []) if allowed is None or nid in allowed]

    def _is_form(self, node_id: str) -> bool:
        """An appendix with blanks to fill in (a scan's one dotted line in an article is not a form)."""
        node = self.library.nodes.get(node_id)
        return node is not None and node.metadata.get("layout") == "appendix" and bool(BLANK.search(node.get_content()))

    def _allowed_ids(self, sources: list[str]) -> set[str] | None:
        if not sources:
            return None
        return {n.node_id for s in sources for n in self.library.sections_of(s)}

    def _dense(self, text: str, sources: list[str]) -> list[str]:
        if self.library.vectors is None or self._query_vector is None:  # held in memory: no vectors
            return []
        # Ids only: the fusion needs nothing else, and the chunks are in memory. Through
        # ChromaVectorStore.query every hit's text and metadata came back and was parsed into a
        # node again (a tenth of a warm question's time).
        result = self.library.vectors.query(
            query_embeddings=[self._query_vector(text)], n_results=self.settings.dense_top_k,
            where={"source": {"$in": list(sources)}} if sources else None, include=[],
        )
        return list(result["ids"][0]) if result["ids"] else []


HEAD = 3  # each ranking's first hits stay among those read, whatever the other rankings think


def keep_heads(fused: list[tuple[str, float]], heads: set[str], limit: int) -> list[tuple[str, float]]:
    """Fusion favours what every ranking found; a passage only one of them ranks near the top (the
    article a question quotes almost word for word, which the dense model misses) would fall below
    passages both rank middling. Plain retrieval would have shown it: it stays among the first
    `limit`, in place of the lowest fused hits that are no ranking's head."""
    top = fused[:limit]
    missing = [item for item in fused[limit:] if item[0] in heads]
    out = [nid for nid, _ in reversed(top) if nid not in heads][: len(missing)]
    if not out:
        return fused
    first = [item for item in top if item[0] not in out] + missing[: len(out)]
    placed = {nid for nid, _ in first}
    return first + [item for item in fused if item[0] not in placed]


def reciprocal_rank_fusion(rankings: list[tuple[float, list[str]]], k: int) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for weight, ranking in rankings:
        for rank, node_id in enumerate(ranking):
            scores[node_id] = scores.get(node_id, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda item: -item[1])
