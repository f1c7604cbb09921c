"""Lays an answer out: statements grouped per document (the document in force first), each
followed by [n]; citation n names the document, the place and the passage."""

from __future__ import annotations

import re

from llama_index.core.schema import NodeWithScore, TextNode

from assistant.answering.types import Answer, Citation
from assistant.documents.naming import document_heading, section_label
from assistant.index.library import Library


class AnswerBuilder:
    def __init__(self, library: Library) -> None:
        self.library = library
        self.citations: list[Citation] = []
        self.groups: dict[str, list[str]] = {}
        self.notes: list[str] = []
        self.nodes: dict[str, TextNode] = {}
        self.intro = ""  # a line above the documents ("So sánh theo từng văn bản …")
        self._stated: set[tuple[str, int]] = set()
        self._headers: dict[str, set[str]] = {}
        self._log: list[tuple[str, tuple[object, ...]]] = []  # what was written, to replay into another answer

    def __len__(self) -> int:
        return len(self.citations)

    def cite(self, node: TextNode, quote: str) -> int:
        n = self._cite(node, quote)
        self._log.append(("cite", (node, quote, n)))
        return n

    def _cite(self, node: TextNode, quote: str) -> int:
        quote = re.sub(r"^[-+•–]\s+", "", quote.strip())  # the bullet mark is layout, not words
        for citation in self.citations:
            if citation.node_id == node.node_id and citation.quote == quote:
                return citation.n
        source = str(node.metadata.get("source", ""))
        entry = self.library.documents.get(source)
        citation = Citation(
            n=len(self.citations) + 1,
            source=source,
            title=entry.title if entry else source,
            section=str(node.metadata.get("place") or node.metadata.get("section", "")),
            quote=quote,
            province=entry.province if entry else "",
            heading_path=str(node.metadata.get("heading_path", "")),
            node_id=node.node_id,
            number=entry.number if entry else "",
        )
        self.citations.append(citation)
        self.nodes[node.node_id] = node
        return citation.n

    def statement(self, node: TextNode, text: str, header: str | None = None) -> None:
        """One cited statement under its document (and under `header`, e.g. "Điều 30 (…):"); a
        passage already stated is not repeated (two answerers may find it for two parts of a question)."""
        self._log.append(("statement", (node, text, header)))
        said = [_core(c.quote) for c in self.citations if c.node_id == node.node_id and (c.node_id, c.n) in self._stated]
        if all(any(_core(line) in quote for quote in said) for line in text.split("\n") if line.strip()):
            return  # these words are already stated from this section (alone, in a longer passage, or line by line)
        n = self._cite(node, text)
        self._stated.add((node.node_id, n))
        source = str(node.metadata.get("source", ""))
        group = self.groups.setdefault(source, [])
        headers = self._headers.setdefault(source, set())
        if header is None:
            header = f"{section_label(node)}:"
        bullet = text if text.startswith(("-", "+", "•")) else f"- {text}"
        if header and header in headers:
            # under its own section, even when another section's statements came in between
            at = group.index(header) + 1
            while at < len(group) and group[at] not in headers:
                at += 1
            group.insert(at, f"{bullet} [{n}]")
            return
        if header:
            group.append(header)
            headers.add(header)
        group.append(f"{bullet} [{n}]")

    def line(self, source: str, text: str) -> None:
        """A line of the answer's own (a label, a count) under a document, no citation."""
        self._log.append(("line", (source, text)))
        self.groups.setdefault(source, []).append(text)

    def absorb(self, other: "AnswerBuilder", limit: int) -> int:
        """Another part's answer written into this one, at most `limit` new statements: what this
        answer already says is not said again. Returns how many were added."""
        added = 0
        numbers: dict[int, int] = {}
        for kind, args in other._log:
            if added >= limit:
                break
            if kind == "cite":
                node, quote, n = args
                before = len(self.citations)
                numbers[n] = self.cite(node, quote)  # type: ignore[arg-type]
                added += len(self.citations) > before
            elif kind == "statement":
                node, text, header = args
                before = len(self.citations)
                self.statement(node, text, header)  # type: ignore[arg-type]
                added += len(self.citations) > before
            elif kind == "line":
                source, text = args
                renumbered = re.sub(r"\[(\d+)\]", lambda m: f"[{numbers.get(int(m.group(1)), m.group(1))}]", str(text))
                if renumbered not in self.groups.get(str(source), []):
                    self.line(str(source), renumbered)
        return added

    def render(self) -> Answer:
        parts = [self.intro] if self.intro else []
        order = sorted(self.groups, key=lambda s: (not self.library.in_force(s), list(self.groups).index(s)))
        for source in order:
            lines = list(self.groups[source])
            for note in self.library.status_notes(source):
                lines.append(f"Lưu ý: {note}")
            entry = self.library.documents.get(source)
            parts.append(f"**{document_heading(entry, source)}**\n" + "\n".join(lines))
        parts.extend(self.notes)
        text, citations = _numbered_in_reading_order("\n\n".join(parts).strip(), self.citations)
        nodes = [NodeWithScore(node=node, score=1.0) for node in self.nodes.values()]
        return Answer(text=text, citations=citations, source_nodes=nodes)


def _core(quote: str) -> str:
    """A quote compared without its bullet, clause number and spacing."""
    return re.sub(r"^(?:[-+•–]\s+)?(?:(?:\d+\.|[a-zđ]\))\s+)?", "", " ".join(quote.split())).rstrip(" ;.")


def _numbered_in_reading_order(text: str, citations: list[Citation]) -> tuple[str, list[Citation]]:
    """Sources numbered as the reader meets them ([1] first), whatever order they were cited in."""
    known = {c.n for c in citations}
    order: list[int] = []
    for match in re.finditer(r"\[(\d+)\]", text):
        n = int(match.group(1))
        if n in known and n not in order:
            order.append(n)
    order += [c.n for c in citations if c.n not in order]
    new = {old: i + 1 for i, old in enumerate(order)}
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{new[int(m.group(1))]}]" if int(m.group(1)) in new else m.group(0), text)
    by_old = {c.n: c for c in citations}
    renumbered = []
    for old in order:
        citation = by_old[old]
        citation.n = new[old]
        renumbered.append(citation)
    return text, renumbered
