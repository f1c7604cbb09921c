"""Stage 2, structure and chunk: the document's own hierarchy, as a llama-index node parser.

Vietnamese plans are organised as parts ("III. PHÂN CÔNG TRÁCH NHIỆM"), numbered items
("4. Sở Y tế", "2.2. Mục tiêu cụ thể"), articles ("Điều 1.") and "-" bullets. Staff cite them
as "Mục III.4", and an agency's tasks are exactly one numbered block, so chunks follow the
sections: an agency block is one chunk (never split from its heading, never shared by two
agencies); other long sections split between lines, each piece keeping its heading path.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, TextNode

from assistant.documents.agencies import agency_title, is_agency_name, split_agencies
from assistant.documents.metadata import DOCUMENT_TYPES
from assistant.text import UPPER, collapse_spaces

PATH_SEPARATOR = " › "
MAX_SECTION_CHARS = 1800
PIECE_CHARS = 1400
# Keys stored on every node but kept out of embeddings and BM25 (they say where, not what).

_ROMAN = re.compile(r"^(?P<num>[IVXLC]+)\s*[\.\-–]\s*(?P<rest>.+)$")
_NUMBERED = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2})*)(?:\.(?!\d)\s*|\)\s+|(?<=\d\.\d)\s+(?=[" + UPPER + r"])|(?<=\d\.\d\d)\s+(?=[" + UPPER + r"]))(?P<rest>\S.*)$")
_ARTICLE = re.compile(r"^Điều\s+(?P<num>\d+)\s*[\.:]\s*(?P<rest>.*)$")
_LETTER = re.compile(r"^(?P<num>[a-zđ])\)\s+(?P<rest>.+)$")
_RECIPIENTS = re.compile(r"^Nơi nhận\s*:?", re.I)
# "Nghị quyết này được phổ biến đến chi bộ./." closes the body; it belongs to no numbered item.
_CLOSING = re.compile(r"^(Nghị quyết|Quyết định|Kế hoạch|Chỉ thị|Văn bản) này\b.{0,160}\./\.\s*$")


@dataclass
class Section:
    """A heading and what it governs, as the document numbers it."""

    label: str
    title: str
    level: int
    path: list[str]
    part: str
    lines: list[str] = field(default_factory=list)
    children: list["Section"] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)

    def all_lines(self) -> list[str]:
        out = list(self.lines)
        for child in self.children:
            out.extend(child.all_lines())
        return out


def _heading_text(num: str, title: str) -> str:
    return f"{num}. {title}" if title else num


def parse_sections(lines: list[str], emphasis: dict[int, str] | None = None) -> list[Section]:
    """Flat list of top-level sections (each with children), in document order."""
    emphasis = emphasis or {}
    roots: list[Section] = []
    stack: list[Section] = []
    part = ""

    def open_section(section: Section) -> None:
        while stack and stack[-1].level >= section.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(section)
        stack.append(section)

    def preamble() -> Section:
        section = Section("Mở đầu", part or "Mở đầu", 0, [part] if part else [], part)
        roots.append(section)
        stack[:] = [section]
        return section

    for index, line in enumerate(lines):
        key = collapse_spaces(line).upper()
        if key in DOCUMENT_TYPES and not line.rstrip().endswith(":"):
            part = DOCUMENT_TYPES[key]
            preamble().lines.append(line)
            continue
        if _RECIPIENTS.match(line) or _CLOSING.match(line):
            if stack and stack[-1].label == "Nơi nhận":
                stack[-1].lines.append(line)
                continue
            section = Section("Nơi nhận", "Nơi nhận", 0, [part, "Nơi nhận"] if part else ["Nơi nhận"], part)
            roots.append(section)
            stack[:] = [section]
            section.lines.append(line)
            continue
        section = _heading(line, emphasis.get(index), stack, part)
        if section is None:
            if not stack:
                preamble()
            stack[-1].lines.append(line)
            continue
        open_section(section)
        section.lines.append(line)
    return roots


def _heading(line: str, emphasis: str | None, stack: list[Section], part: str) -> Section | None:
    parent_roman = next((s.label for s in reversed(stack) if s.level == 1), "")
    if match := _ROMAN.match(line):
        rest = match.group("rest").strip()
        if rest.isupper() or len(rest) < 80:
            num = match.group("num")
            return Section(num, rest.rstrip(":"), 1, [p for p in (part, _heading_text(num, rest)) if p], part)
        return None
    if match := _ARTICLE.match(line):
        num = f"Điều {match.group('num')}"
        title = agency_title(match.group("rest"), None) or ""
        return _child(num, num, title, 2, stack, part)
    if match := _NUMBERED.match(line):
        num = match.group("num")
        depth = num.count(".") + 1
        if emphasis:
            emphasis = re.sub(r"^" + re.escape(num) + r"\.?\s*", "", emphasis)
        title = agency_title(match.group("rest"), emphasis or None)
        label = f"{parent_roman}.{num}" if parent_roman else num
        return _child(label, num, title, 1 + depth, stack, part)
    if match := _LETTER.match(line):
        if not stack or stack[-1].level < 2:
            return None
        parent = stack[-1] if stack[-1].level < 9 else stack[-2]
        num = match.group("num")
        title = agency_title(match.group("rest"), emphasis)
        return _child(f"{parent.label}.{num}", f"{num})", title, 9, stack, part)
    return None


def _child(label: str, num: str, title: str, level: int, stack: list[Section], part: str) -> Section:
    parents = [s for s in stack if s.level < level and s.level > 0]
    path = ([part] if part else []) + [p for s in parents for p in s.path[-1:]]
    heading = f"{num} {title}".strip() if num.endswith(")") else _heading_text(num, title)  # "a) …", "2. …", "Điều 1. …"
    section = Section(label, title, level, path + [heading], part)
    if title and is_agency_name(title):
        section.agencies = split_agencies(title)
    return section


# ---------------------------------------------------------------- chunks


@dataclass
class Chunk:
    section: Section
    text: str


def chunk_sections(roots: list[Section]) -> list[Chunk]:
    chunks: list[Chunk] = []

    def visit(section: Section) -> None:
        if section.agencies:
            chunks.append(Chunk(section, "\n".join(section.all_lines())))
            return
        own = section.lines
        if own and (len(own) > 1 or not section.children):
            chunks.extend(Chunk(section, text) for text in _pieces(own))
        for child in section.children:
            visit(child)

    for root in roots:
        visit(root)
    return chunks


def _pieces(lines: list[str]) -> list[str]:
    text = "\n".join(lines)
    if len(text) <= MAX_SECTION_CHARS:
        return [text]
    pieces: list[list[str]] = [[]]
    size = 0
    for line in lines:
        if size > 200 and size + len(line) > PIECE_CHARS:
            pieces.append([])
            size = 0
        pieces[-1].append(line)
        size += len(line) + 1
    return ["\n".join(p) for p in pieces]


class SectionNodeParser(NodeParser):
    """Documents → one `TextNode` per section (or section piece), carrying its heading path.

    Expects the loader's `Document`s: text is one paragraph per line, metadata has the document
    info and `line_emphasis` (JSON of line index → bold lead-in, from markdown or DOCX).
    """

    @classmethod
    def class_name(cls) -> str:
        return "SectionNodeParser"

    def _parse_nodes(self, nodes: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any) -> list[BaseNode]:
        out: list[BaseNode] = []
        for document in nodes:
            out.extend(self.parse_document(document))
        return out

    def parse_document(self, document: BaseNode) -> list[TextNode]:
        lines = document.get_content().split("\n")
        raw_hints = document.metadata.get("line_emphasis") or "{}"
        emphasis = {int(k): v for k, v in json.loads(raw_hints).items()}
        doc_meta = {k: v for k, v in document.metadata.items() if k != "line_emphasis"}
        nodes: list[TextNode] = []
        for order, chunk in enumerate(chunk_sections(parse_sections(lines, emphasis))):
            section = chunk.section
            metadata = {
                **doc_meta,
                "section": section.label,
                "heading_path": PATH_SEPARATOR.join(section.path) or section.title,
                "heading": section.title,
                "part": section.part,
                "agencies": "; ".join(section.agencies),
                "is_agency_block": bool(section.agencies),
                "order": order,
            }
            digest = hashlib.sha1(f"{metadata['heading_path']}\n{chunk.text}".encode()).hexdigest()[:12]
            node = TextNode(
                id_=f"{doc_meta.get('source', document.node_id)}#{order}:{digest}",
                text=chunk.text,
                metadata=metadata,
                excluded_embed_metadata_keys=[k for k in metadata if k not in ("title", "heading_path")],
                excluded_llm_metadata_keys=[k for k in metadata if k not in ("title", "heading_path")],
            )
            nodes.append(node)
        return nodes
