"""What an article, a clause or a point says: "Điều 30 quy định gì?", "khoản 2 Điều 30 …",
"điểm a khoản 1 Điều 3 …" — the unit quoted whole, clause by clause, from the document asked about
(or, when none is named, the one whose unit matches the question best)."""

from __future__ import annotations

import re
from functools import cached_property

from llama_index.core.schema import NodeWithScore, TextNode

from assistant.answering.builder import AnswerBuilder
from assistant.answering.passages import PassageFinder, clause_blocks
from assistant.documents.references import UnitReference
from assistant.index.library import Library
from assistant.query.understand import ARTICLE, Question

MAX_ARTICLE_CHARS = 3500  # beyond this, each clause is quoted by its opening sentence


class ArticleAnswerer:
    name = "article"

    def __init__(self, library: Library, finder: PassageFinder) -> None:
        self.library = library
        self.finder = finder

    def accepts(self, question: Question) -> bool:
        return ARTICLE in question.intents and bool(question.units)

    @cached_property
    def _articles(self) -> dict[tuple[str, str], list[TextNode]]:
        """(source, "Điều 30") → the article's chunks in order (body articles only, never a form's)."""
        found: dict[tuple[str, str], list[TextNode]] = {}
        for source in self.library.documents:
            for node in self.library.sections_of(source):
                if node.metadata.get("layout") == "normative" and str(node.metadata.get("section", "")).startswith("Điều "):
                    found.setdefault((source, str(node.metadata["section"])), []).append(node)
        return found

    def answer(self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder) -> bool:
        written = False
        for unit in question.units[:3]:
            sources = self._sources(question, unit, hits)
            for source in sources:
                written |= self._write(self._articles[(source, unit.label)], unit, builder)
            for source in question.sources:
                if source not in sources:  # an amending text names the unit it changes
                    written |= self._amendments(source, unit, builder)
        return written

    def _amendments(self, source: str, unit: UnitReference, builder: AnswerBuilder) -> bool:
        """ "7. Sửa đổi, bổ sung khoản 1 Điều 140 như sau: “1. …”", "Điều 3 được sửa đổi như
        sau:": what an amending text does to the unit asked, quoted with the new wording."""
        pattern = amends_unit(unit.article)
        written = False
        for node in self.library.sections_of(source):
            if node.metadata.get("layout") == "appendix":
                continue
            lines = [line.strip() for line in node.get_content().split("\n")]
            for index, line in enumerate(lines):
                if not pattern.search(line):
                    continue
                quoted = [line]
                for following in lines[index + 1 :]:
                    if sum(len(q) for q in quoted) > MAX_ARTICLE_CHARS or re.match(r"^\d{1,3}\.\s+(?:Sửa đổi|Bổ sung|Bãi bỏ|Thay thế)", following):
                        break
                    quoted.append(following)
                    if following.rstrip().endswith(("”", "\"")):
                        break  # the new wording ends with its closing quote
                builder.statement(node, "\n".join(quoted))
                written = True
        return written

    def _sources(self, question: Question, unit: UnitReference, hits: list[NodeWithScore]) -> list[str]:
        having = [s for s in (question.sources or self.library.documents) if (s, unit.label) in self._articles]
        if len(having) <= 1:
            return having
        ranked = [str(h.node.metadata.get("source")) for h in hits if h.node.metadata.get("section") == unit.label]
        best = next((s for s in ranked if s in having), None)
        return [best] if best else having[:1]

    def _write(self, nodes: list[TextNode], unit: UnitReference, builder: AnswerBuilder) -> bool:
        heading = nodes[0].get_content().split("\n", 1)[0]
        blocks: list[tuple[TextNode, str]] = []
        for node in nodes:
            for block in clause_blocks(node.get_content().split("\n")):
                if block == heading or (blocks and block in [b for _, b in blocks]):
                    continue
                blocks.append((node, block))
        if unit.clause:
            blocks = [(n, b) for n, b in blocks if re.match(rf"^{re.escape(unit.clause)}\.\s", b)]
            if unit.point and blocks:
                node, clause = blocks[0]
                points = [p for p in re.split(r"\n(?=[a-zđ]\)\s)", clause) if p.startswith(f"{unit.point})")]
                blocks = [(node, points[0])] if points else blocks
        if not blocks and not unit.clause:  # "Điều 2. Quyết định này có hiệu lực …": the heading is the article
            blocks = [(nodes[0], heading)]
        if not blocks:
            return False
        long = sum(len(b) for _, b in blocks) > MAX_ARTICLE_CHARS
        header = f"{heading}:"
        for node, block in blocks:
            builder.statement(node, block.split("\n")[0] if long else block, header)
        return True


def amends_unit(article: str) -> re.Pattern[str]:
    """A line of an amending text that changes article `article` ("Sửa đổi, bổ sung khoản 1 Điều
    140 như sau:", "Bãi bỏ Điều 12", "Điều 3 được sửa đổi, bổ sung như sau:")."""
    return re.compile(
        rf"(?:(?:[Ss]ửa đổi|[Bb]ổ sung|[Bb]ãi bỏ|[Tt]hay thế)[^.:;“]{{0,120}}?\bĐiều {re.escape(article)}\b(?!\s*\.\s))"
        rf"|(?:\bĐiều {re.escape(article)}\b[^.:;“]{{0,40}}?được (?:sửa đổi|bổ sung|thay thế|bãi bỏ))"
    )
