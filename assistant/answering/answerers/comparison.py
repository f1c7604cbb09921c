"""Comparisons: two or more documents side by side on what the question asks, each answered by the
answerer its kind needs, one group per document. "Tuyên Quang khác Sơn La…" without a named
document compares like with like (the plans of the same kind and year); a comparison with no topic
sets each plan's aim, theme and assigned bodies side by side."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from llama_index.core.schema import NodeWithScore

from assistant.answering.answerers.versions import VersionAligner
from assistant.answering.builder import AnswerBuilder
from assistant.answering.evidence import THEME
from assistant.answering.passages import PassageFinder, units
from assistant.answering.types import Unanswerable
from assistant.documents.naming import section_label
from assistant.index.library import Library
from assistant.query.understand import COMPARISON, Question
from assistant.text import fold

Retrieve = Callable[[Question], list[NodeWithScore]]
MAX_COMPARED = 6  # sides of one comparison (the bundled plans are five)


class ComparisonAnswerer:
    name = "comparison"

    def __init__(self, library: Library, retrieve: Retrieve, finder: PassageFinder, others: Sequence[object]) -> None:
        self.library = library
        self.retrieve = retrieve
        self.finder = finder
        self.others = others  # the answerers that answer each document's side
        self.versions = VersionAligner(library, retrieve, finder)

    def accepts(self, question: Question) -> bool:
        return COMPARISON in question.intents and len(self.compared(question)) >= 2

    def answer(self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder) -> bool:
        sources, others = self.bounded(self.compared(question, hits), hits)
        if self.versions.are_versions(sources) and self.versions.answer(question, None, sources, builder):
            return True
        for source in sources:
            side = Question(**{**question.__dict__, "sources": [source], "compared": sources, "intents": question.intents - {COMPARISON}})
            side_hits = self.retrieve(side)
            for answerer in self.others:
                try:
                    if answerer.accepts(side) and answerer.answer(side, side_hits, builder):  # type: ignore[attr-defined]
                        break
                except Unanswerable:
                    break  # this side does not say; the note below names it
        if not builder.groups and not self.finder.has_content_words(question, typed=True):
            for source in sources:  # "Tuyên Quang khác Sơn La ở điểm nào?": set the plans side by side
                self._overview(source, builder)
        covered = [s for s in sources if s in builder.groups]
        if not covered:
            return False
        missing = [self.library.documents[s].label for s in sources if s not in builder.groups]
        if missing:
            builder.notes.append("Không thấy nội dung tương ứng trong: " + "; ".join(missing) + ".")
        if others:
            builder.notes.append(f"Còn {others} văn bản khác cũng khớp câu hỏi; hãy nêu tên, số hoặc năm của văn bản muốn so sánh.")
        builder.intro = "So sánh theo từng văn bản (đọc đối chiếu các mục dưới đây):"
        return True

    def bounded(self, sources: list[str], hits: Sequence[NodeWithScore]) -> tuple[list[str], int]:
        """At most `MAX_COMPARED` sides, and how many documents were left out. In an archive a
        comparison's words ("kế hoạch năm 2023 … Nghị quyết") match a hundred plans of as many
        provinces: each side is a retrieval and an answer (one question took 47 s at 500
        documents). Kept: one document of each kind first ("kế hoạch" against "Nghị quyết"), then
        the others, each in the order the retrieval ranked them."""
        if len(sources) <= MAX_COMPARED:
            return sources, 0
        rank: dict[str, int] = {}
        for position, hit in enumerate(hits):
            rank.setdefault(str(hit.node.metadata.get("source")), position)
        documents = self.library.documents
        ordered = sorted(sources, key=lambda s: (rank.get(s, len(hits)), -(documents[s].year or 0)))
        first_of_kind = {documents[s].doc_type: s for s in reversed(ordered)}
        chosen = [s for s in ordered if first_of_kind.get(documents[s].doc_type) == s]
        chosen += [s for s in ordered if s not in chosen]
        return chosen[:MAX_COMPARED], len(sources) - MAX_COMPARED

    def compared(self, question: Question, hits: Sequence[NodeWithScore] = ()) -> list[str]:
        """The documents a comparison sets side by side. "Tuyên Quang khác Sơn La…" without a named
        document compares like with like: the best-matching document of the province with fewest,
        and in each other province the document whose title and year are closest to it."""
        sources = question.sources or list(self.library.documents)
        documents = self.library.documents
        by_province = {p: [s for s in sources if documents[s].province == p] for p in question.provinces}
        if len(by_province) < 2 or not all(by_province.values()) or all(len(v) == 1 for v in by_province.values()):
            return sources
        rank: dict[str, int] = {}
        for position, hit in enumerate(hits):
            rank.setdefault(str(hit.node.metadata.get("source")), position)
        anchor_province = min(by_province, key=lambda p: len(by_province[p]))
        anchor = min(by_province[anchor_province], key=lambda s: rank.get(s, len(rank)))
        anchor_title = self.library.title_phrases[anchor]
        chosen = [anchor]
        for province, candidates in by_province.items():
            if province == anchor_province:
                continue
            chosen.append(max(candidates, key=lambda s: (
                len(anchor_title & self.library.title_phrases[s]) + (2 if documents[s].year == documents[anchor].year else 0),
                -rank.get(s, len(rank)),
            )))
        return chosen

    def _overview(self, source: str, builder: AnswerBuilder) -> None:
        """What a document sets out to do, its theme, and whom it assigns tasks: the first things
        to hold side by side when a comparison names no topic."""
        nodes = self.library.sections_of(source)
        purpose = next((n for n in nodes if re.search(r"muc (dich|tieu)", fold(str(n.metadata.get("heading_path", ""))))), None)
        if purpose is not None:
            first = next((u for u in units(purpose.get_content()) if len(u) > 60), None)
            if first:
                builder.statement(purpose, first, f"{section_label(purpose)}:")
        for node in nodes:
            theme = next((u for u in units(node.get_content()) if THEME.search(u)), None)
            if theme:
                builder.statement(node, theme, f"{section_label(node)}:")
                break
        first_block: dict[str, int] = {}
        for key, name in self.library.agency_names.items():
            for nid in self.library.agency_blocks.get(key, []):
                if self.library.nodes[nid].metadata.get("source") == source:
                    first_block[name] = min(first_block.get(name, 10**9), int(self.library.nodes[nid].metadata.get("order", 0)))
        assigned = sorted(first_block, key=first_block.__getitem__)
        if assigned and source in builder.groups:
            builder.line(source, f"Giao nhiệm vụ cho {len(assigned)} cơ quan, đơn vị: {', '.join(assigned)}.")
