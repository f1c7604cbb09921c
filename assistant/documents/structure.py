"""Stage 2, structure and chunk: a document's own hierarchy, read with the grammar that fits it.

A document is split into parts first: the document itself, documents attached to it (a Kế hoạch
"ban hành kèm theo" a Quyết định) and appendices (Phụ lục). Each part is read with one grammar
from `documents.kinds` (articles and clauses, plan outline, appendix), chosen from its own lines.
Every chunk then knows its place ("Điều 30, khoản 2" / "Mục III.4"), its heading path and the
article or section it belongs to. The node parser hands llama-index one `TextNode` per chunk.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Sequence

from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, TextNode

from assistant.documents.kinds import grammar_for, grammar_named
from assistant.documents.kinds.normative import ARTICLE
from assistant.documents.sections import Chunk, Section, heading_text
from assistant.documents.signature import is_closing_line, is_recipients_line
from assistant.documents.vocabulary import kinds_by_header
from assistant.text import UPPER, collapse_spaces, fold, tone_optional

PATH_SEPARATOR = " › "
# What each node keeps of its document's identity (the rest lives in the manifest): enough to filter
# and to cite without a lookup.
NODE_DOCUMENT_KEYS = ("source", "title", "doc_type", "number", "issuer", "province", "year", "level", "date")

_APPENDIX = re.compile(rf"^(?:{tone_optional('PHỤ LỤC')}|{tone_optional('Phụ lục')})(?:\s+(?:{tone_optional('SỐ')}|{tone_optional('số')})?\s*(?P<num>[IVXLC]+[A-Z]?|\d{{1,2}}[a-z]?))?\s*[\.:]?\s*(?P<rest>.*)$")
# A numbered list opening an appendix ("DANH MỤC I", "DANH MỤC IV"), in capitals as headings are.
_LIST_APPENDIX = re.compile(rf"^{tone_optional('DANH MỤC')}\s+[IVXLC]+\s*$")
_ATTACHED = re.compile(r"^\(?\s*(?:Kèm|Ban hành kèm|Được ban hành kèm)", re.I)
_GAP = re.compile(r"^\[\s*(?:\.\.\.|…)\s*\]$")  # "[...]": an excerpt leaves something out here
# "Nghị quyết này được phổ biến đến chi bộ./." closes a plan's body; it belongs to no numbered item.
_PLAN_CLOSING = re.compile(r"^(Nghị quyết|Quyết định|Kế hoạch|Chỉ thị|Văn bản|Công văn) này\b.{0,160}\./\.\s*$")
_CAPITALS = re.compile(rf"^[{UPPER}0-9\s,;:\.\-–()“”\"/]+$")


# An amending law quotes the provisions it writes anew ("3. Sửa đổi, bổ sung Điều 95 như sau:" / "“Điều 95.
# …" / "1. …" / "a) …” ."): the quoted clauses belong to the amending clause, not to its article.
_OPEN_QUOTES = ("“", '"', "„")
_CLOSED_QUOTE = re.compile(r"[”\"]\s*[\.;,]?\s*(?:\./\.)?\s*$")
QUOTE_LINES = 40  # a quotation never left open longer than this


def _closes_quote(line: str) -> bool:
    return bool(_CLOSED_QUOTE.search(line))


def _left_open(line: str) -> bool:
    """A quotation opened on this line and not closed on it ("“Điều 95. …"); not one a wrapped line
    starts with and closes ("\"ngăn cung, giảm cầu\", từng bước …")."""
    return line.count("“") + line.count("„") > line.count("”") or line.count('"') % 2 == 1


@dataclass
class Part:
    """A stretch of lines read with one grammar: the document, an attached document, an appendix."""

    start: int
    end: int
    name: str  # "Nghị định", "Kế hoạch", "Phụ lục II"
    appendix: bool = False


def document_kind_header(line: str) -> str | None:
    """ "NGHỊ ĐỊNH", "KẾ HOẠCH" standing alone (not "QUYẾT ĐỊNH:", the decision's formula); read
    accent-insensitively, as an OCR that lost a mark ("NGHI ĐINH") still prints it."""
    if line.rstrip().endswith(":"):
        return None
    text = collapse_spaces(line.strip("*_# "))
    kind = kinds_by_header().get(fold(text) if text.isupper() else "")
    return kind.name if kind else None


def appendix_heading(lines: list[str], index: int, body_closed: bool) -> str | None:
    """ "Phụ lục II", "PHỤ LỤC I", "Phụ lục số 01" opening an appendix — not "Phụ lục II Nghị định
    này;" continuing a sentence that a PDF wrapped. Returns the appendix's name."""
    match = _APPENDIX.match(lines[index].strip())
    if not match:
        return None
    rest = match.group("rest").strip()
    if rest and not (_CAPITALS.match(rest) or _ATTACHED.match(rest)):
        return None
    following = lines[index + 1].strip() if index + 1 < len(lines) else ""
    if not (body_closed or rest or _CAPITALS.match(following) or _ATTACHED.match(following)):
        return None
    number = match.group("num")
    return f"Phụ lục {number}" if number else "Phụ lục"


def split_parts(lines: list[str]) -> list[Part]:
    parts = [Part(0, len(lines), "")]
    closed = False
    for index, line in enumerate(lines):
        current = parts[-1]
        name = appendix_heading(lines, index, closed or current.appendix)
        if name and current.appendix and name == current.name:
            continue  # the same appendix's heading again (a list of its forms, then the forms)
        if name:
            current.end = index
            parts.append(Part(index, len(lines), name, appendix=True))
            continue
        if current.appendix:
            continue
        if closed and _LIST_APPENDIX.match(line.strip()):  # "DANH MỤC I" after the signature: the decree's
            current.end = index  # "Phụ lục các danh mục" whose own "PHỤ LỤC" heading the copy lost
            parts.append(Part(index, len(lines), "Phụ lục", appendix=True))
            continue
        kind = document_kind_header(line)
        if kind:
            if closed and index > current.start:  # a document attached after the signature ("KẾ HOẠCH … ban hành kèm theo"),
                current.end = index  # also under a decision whose own kind header a web copy dropped
                parts.append(Part(index, len(lines), kind))
                closed = False
            elif not current.name:
                current.name = kind
            continue
        if is_closing_line(line, started=True):
            closed = True
    return [p for p in parts if p.end > p.start]


def parse_sections(lines: list[str], emphasis: dict[int, str] | None = None) -> list[Section]:
    """Top-level sections of every part (each with its children), in document order."""
    emphasis = emphasis or {}
    roots: list[Section] = []
    for part in split_parts(lines):
        roots.extend(_read_part(lines, part, emphasis))
    return roots


def _read_part(lines: list[str], part: Part, emphasis: dict[int, str]) -> list[Section]:
    grammar = grammar_for(lines[part.start : part.end], part.appendix)
    roots: list[Section] = []
    stack: list[Section] = []
    untitled: Section | None = None  # a "Chương I" or "Phụ lục II" whose title is on the next line(s)
    closing: Section | None = None
    quoting = 0  # lines left inside a quotation that opened on an earlier line

    def attach(section: Section) -> None:
        while stack and stack[-1].level >= section.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(section)
        stack.append(section)

    def top(kind: str, label: str, title: str) -> Section:
        section = Section(kind, "", title, label, 0, [p for p in (part.name, title if kind != "preamble" else "") if p], part.name, grammar.layout)
        roots.append(section)
        stack[:] = [section]
        return section

    for index in range(part.start, part.end):
        line = lines[index]
        if _GAP.match(line.strip()):
            continue
        if untitled is not None and _CAPITALS.match(line) and not grammar.heading(line, None, stack, part.name):
            untitled.title = collapse_spaces(f"{untitled.title} {line}")
            untitled.path[-1] = heading_text(untitled.label.split(", ")[-1], untitled.title)
            untitled.lines.append(line)
            continue
        untitled = None
        if part.appendix and index == part.start:
            named = _APPENDIX.match(line.strip())  # else "DANH MỤC I" opened it: a heading inside it
            rest = named.group("rest").strip() if named else ""
            appendix = Section("appendix", part.name.split()[-1], rest, part.name, 1, [heading_text(part.name, rest)], part.name, grammar.layout, [line] if named else [])
            roots.append(appendix)
            stack[:] = [appendix]
            untitled = appendix if named and not rest else None
            if named:
                continue
        if closing is None and not part.appendix and (is_closing_line(line, started=any(s.kind != "preamble" for s in roots)) or (grammar.layout == "plan" and _PLAN_CLOSING.match(line))):
            recipients = is_recipients_line(line)
            closing = top("closing", "Nơi nhận" if recipients or _PLAN_CLOSING.match(line) else "Chữ ký", "Nơi nhận" if recipients else "Chữ ký")
        if closing is not None:
            if is_recipients_line(line) and closing.label != "Nơi nhận":
                closing.label = closing.title = "Nơi nhận"
            closing.lines.append(line)
            continue
        if quoting and ARTICLE.match(line):
            quoting = 0  # an article of the document itself: a quote left open (an OCR lost its mark) ends here
        if quoting:  # a provision quoted by an amending clause ("“1. Quản lý tại gia đình …”."): its text, not a unit
            quoting = 0 if _closes_quote(line) else quoting - 1
            section = None
        else:
            if line.lstrip().startswith(_OPEN_QUOTES) and _left_open(line):
                quoting = QUOTE_LINES
            section = grammar.heading(line, emphasis.get(index), stack, part.name)
        if section is None:
            if not stack:
                top("preamble", "Mở đầu", part.name or "Mở đầu")
            stack[-1].lines.append(line)
            continue
        attach(section)
        section.lines.append(line)
        if not section.title and section.kind in ("part", "chapter", "section", "subsection", "form"):
            untitled = section
    return roots


def chunk_sections(roots: list[Section]) -> list[Chunk]:
    return [chunk for root in roots for chunk in grammar_named(root.layout).chunks(root)]


class SectionNodeParser(NodeParser):
    """Documents → one `TextNode` per chunk, carrying its place, heading path and agencies.

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
        doc_meta = {k: v for k, v in document.metadata.items() if k in NODE_DOCUMENT_KEYS}
        nodes: list[TextNode] = []
        for order, chunk in enumerate(chunk_sections(parse_sections(lines, emphasis))):
            section = chunk.section
            metadata = {
                **doc_meta,
                "section": section.label,
                "place": chunk.place,
                "heading_path": PATH_SEPARATOR.join(section.path) or section.title,
                "heading": section.title,
                "part": section.part,
                "layout": section.layout,
                "kind": section.kind,
                "agencies": "; ".join(chunk.agencies),
                "is_agency_block": bool(chunk.agencies),
                "order": order,
            }
            digest = hashlib.sha1(f"{metadata['heading_path']}\n{chunk.text}".encode()).hexdigest()[:12]
            shown = ("title", "heading_path")
            nodes.append(TextNode(
                id_=f"{doc_meta.get('source', document.node_id)}#{order}:{digest}",
                text=chunk.text,
                metadata=metadata,
                excluded_embed_metadata_keys=[k for k in metadata if k not in shown],
                excluded_llm_metadata_keys=[k for k in metadata if k not in shown],
            ))
        return nodes
