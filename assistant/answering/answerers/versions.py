"""Two versions of one text side by side: a law and the law that replaces it, a decree and its
successor. They regulate the same subject in articles of the same titles, renumbered ("Điều 30.
Cai nghiện ma túy tự nguyện tại gia đình, cộng đồng" became Điều 32): the comparison quotes the
article that answers best in either version and, from the other, the article it corresponds to —
found by its title, not by its number or by words the two happen to share elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from llama_index.core.schema import NodeWithScore, TextNode

from assistant.answering.builder import AnswerBuilder
from assistant.answering.answerers.general import ARTICLE_HEADING
from assistant.answering.passages import Passage, PassageFinder, lead_of, with_list
from assistant.index.library import Library
from assistant.query.understand import COMPARISON, Question
from assistant.text import fold, tokens

Retrieve = Callable[[Question], list[NodeWithScore]]
SAME_TITLE = 0.6  # share of title words two articles must have in common to correspond
SAME_SUBJECT = 0.6  # share of title phrases two documents must share to be versions of one text
PER_SIDE = 3  # passages quoted from each version's article
READ_HITS = 8


class VersionAligner:
    def __init__(self, library: Library, retrieve: Retrieve, finder: PassageFinder) -> None:
        self.library = library
        self.retrieve = retrieve
        self.finder = finder

    def are_versions(self, sources: Sequence[str]) -> bool:
        """Two documents of one kind that regulate the same subject: one ends the other, or their
        titles say the same ("Luật phòng, chống ma túy" of 2021 and of 2025)."""
        if len(sources) != 2:
            return False
        a, b = (self.library.documents[s] for s in sources)
        if a.doc_type != b.doc_type or not a.doc_type:
            return False
        if any(s.by in sources for source in sources for s in self.library.superseded.get(source, [])):
            return True
        pa, pb = (self.library.title_phrases.get(s, set()) for s in sources)
        return bool(pa and pb) and len(pa & pb) / min(len(pa), len(pb)) >= SAME_SUBJECT

    def answer(self, question: Question, requirement: re.Pattern[str] | None, sources: Sequence[str], builder: AnswerBuilder) -> bool:
        """The best-answering article of either version, and its counterpart in the other."""
        best: dict[str, list[Passage]] = {}
        for source in sources:
            side = _side(question, source, sources)
            best[source] = self._article_passages(side, self.retrieve(side)[:READ_HITS], requirement)
        anchor = max(sources, key=lambda s: best[s][0].score if best[s] else -1.0)
        if not best[anchor]:
            return False
        anchor_node = best[anchor][0].node
        written = False
        for source in sources:
            if source == anchor:
                chosen = best[source]
            else:
                article = self._counterpart(anchor_node, source)
                side = _side(question, source, sources)
                chosen = self._article_passages(side, [NodeWithScore(node=n, score=1.0) for n in article], requirement) if article else best[source]
            for passage in [p for p in chosen if not ARTICLE_HEADING.match(p.text)][:PER_SIDE]:
                lead = lead_of(passage.node, passage.text)
                if lead:  # "a) Tiếp nhận đăng ký …" says what, its clause says who
                    builder.statement(passage.node, lead)
                builder.statement(passage.node, with_list(passage.node, passage.text))
                written = True
        if written:
            builder.intro = "Đối chiếu điều tương ứng của hai văn bản (điều có cùng tên; nội dung khác nhau nằm trong các đoạn trích):"
        return written

    def _article_passages(self, question: Question, hits: list[NodeWithScore], requirement: re.Pattern[str] | None) -> list[Passage]:
        """The best passages, all from the article of the best one."""
        found = self.finder.find(question, hits, requirement=requirement)
        if not found:
            return []
        key = _article_key(found[0].node)
        return [p for p in found if _article_key(p.node) == key]

    def _counterpart(self, anchor: TextNode, source: str) -> list[TextNode]:
        """The other version's article whose title is the anchor's (most words in common)."""
        title = set(tokens(fold(str(anchor.metadata.get("heading", "")))))
        if not title:
            return []
        articles: dict[str, list[TextNode]] = {}
        for node in self.library.sections_of(source):
            if node.metadata.get("kind") == "article" or str(node.metadata.get("section", "")).startswith("Điều "):
                articles.setdefault(_article_key(node), []).append(node)
        scored = []
        for nodes in articles.values():
            other = set(tokens(fold(str(nodes[0].metadata.get("heading", "")))))
            if other:
                scored.append((len(title & other) / len(title | other), nodes))
        if not scored:
            return []
        similarity, nodes = max(scored, key=lambda item: item[0])
        return nodes if similarity >= SAME_TITLE else []


def _side(question: Question, source: str, sources: Sequence[str]) -> Question:
    return Question(**{**question.__dict__, "sources": [source], "compared": list(sources), "intents": question.intents - {COMPARISON}})


def _article_key(node: TextNode) -> str:
    return f"{node.metadata.get('source')}|{node.metadata.get('section')}"
