"""An answer or a whole conversation as staff take it elsewhere: clean text for Zalo or Word,
a .docx and a Markdown file whose citations are footnotes, and a page to print.

The chat shows answers as escaped Markdown; none of that reaches these forms. Each starts from
the turns as kept (question, answer text with [n] marks, citations), so what is exported is
what was answered, with the document, section and verbatim quote of every source.
"""

from __future__ import annotations

import html
import re
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from assistant.documents.naming import cited_document
from assistant.present.views import citation_label, statement_line
from assistant.text import collapse_spaces

_MARK = re.compile(r"\[(\d+)\]")
EXPORT_MAX_AGE_S = 3600  # exported files are removed after an hour: conversations stay in the browser


# ----------------------------------------------------------------------------- plain text


def source_line(citation: Mapping[str, Any]) -> str:
    """ "[1] Kế hoạch … — Sơn La, Mục III.4 (Sở Y tế): “quote”" """
    return f"[{citation['n']}] {_document(citation)}, {citation_label(citation)}: “{collapse_spaces(str(citation.get('quote') or ''))}”"


def answer_text_lines(answer: str) -> list[str]:
    """The engine's answer without its Markdown: headings lose their asterisks, bullets stay "- ",
    a numbered clause starts with its own number ("1. …", no bullet before it)."""
    lines: list[str] = []
    for line in (answer or "").split("\n"):
        kind, body = statement_line(line)
        lines.append(body.rstrip() if kind in ("heading", "clause") else line.rstrip())
    return lines


def plain_text(turn: Mapping[str, Any]) -> str:
    """An answer ready to paste into Zalo or Word: the question, notes, the answer, its numbered sources."""
    lines = [f"Câu hỏi: {turn.get('question', '')}"]
    if turn.get("understood_as"):
        lines.append(f"Câu hỏi được hiểu là: {turn['understood_as']}")
    lines += [f"Lưu ý: {notice}" for notice in turn.get("notices") or []]
    lines += ["", *answer_text_lines(str(turn.get("answer") or ""))]
    citations = turn.get("citations") or []
    if citations:
        lines += ["", "Nguồn:", *(source_line(c) for c in citations)]
    return "\n".join(lines).strip() + "\n"


COPY_SOURCE_CHARS = 80


def copy_text(turn: Mapping[str, Any]) -> str:
    """What "Sao chép" puts on the clipboard, short enough for a Zalo message: the question, the
    answer once (its quotes carry the [n] marks) and one short line per source (document and
    section, no second copy of the quote). The full sources go to Word with "Xuất tệp"."""
    lines = [f"Hỏi: {turn.get('understood_as') or turn.get('question', '')}"]
    lines += [f"Lưu ý: {notice}" for notice in turn.get("notices") or []]
    lines += ["", *answer_text_lines(str(turn.get("answer") or ""))]
    citations = turn.get("citations") or []
    if citations:
        lines += ["", "Nguồn:"]
        lines += [f"[{c['n']}] {citation_label(c)}, {_shorten(_document(c), COPY_SOURCE_CHARS)}" for c in citations]
    return "\n".join(lines).strip() + "\n"


# ----------------------------------------------------------------------------- Markdown


def _md(text: str) -> str:
    """Document words in a Markdown file: only what would turn into markup is escaped."""
    text = re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)
    text = re.sub(r"^(\s*)(\d+)\.(?=\s)", r"\1\2\\.", text)  # "2\." keeps the number, not a list ("\2." showed the backslash)
    return re.sub(r"^(\s*)(#|>)", r"\1\\\2", text)


def _md_answer(turn: Mapping[str, Any], number: int | None, key: str) -> list[str]:
    """One turn; [n] marks become footnote references unique within the file (`key`)."""
    title = f"## Câu hỏi {number}: {_md(str(turn.get('question', '')))}" if number else f"## {_md(str(turn.get('question', '')))}"
    lines = [title, ""]
    if turn.get("understood_as"):
        lines += [f"*Câu hỏi được hiểu là:* {_md(str(turn['understood_as']))}", ""]
    lines += [f"> **Lưu ý:** {_md(notice)}" for notice in turn.get("notices") or []]
    if turn.get("notices"):
        lines.append("")
    numbers = {int(c["n"]) for c in turn.get("citations") or []}
    for line in str(turn.get("answer") or "").split("\n"):
        kind, body = statement_line(line)
        if kind == "heading":
            lines += [f"**{_md(body)}**", ""]
            continue
        text = _MARK.sub(lambda m: f"[^{key}-{m.group(1)}]" if int(m.group(1)) in numbers else m.group(0), _md(body).replace(r"\[", "[").replace(r"\]", "]"))
        if kind == "item":
            lines.append("- " + text)
        elif text.strip():
            if lines[-1].startswith("- "):
                lines.append("")  # a paragraph after a list item would run into it
            lines += [text, ""]  # a numbered clause is a paragraph that starts with its number
    lines.append("")
    for c in turn.get("citations") or []:
        lines.append(f"[^{key}-{c['n']}]: {_md(_document(c))}, {_md(citation_label(c))}: “{_md(collapse_spaces(str(c.get('quote') or '')))}”")
    return lines


def markdown_file(turns: Sequence[Mapping[str, Any]], title: str) -> str:
    numbered = len(turns) > 1
    lines = [f"# {_md(title)}", ""]
    for i, turn in enumerate(turns, start=1):
        lines += _md_answer(turn, i if numbered else None, f"{i}" if numbered else "n")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# ----------------------------------------------------------------------------- Word


def docx_file(turns: Sequence[Mapping[str, Any]], title: str, path: Path) -> Path:
    """A Word document: each question as a heading, the answer's [n] as real footnotes holding
    document, section and quote."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"  # a font Word and LibreOffice both have, with every Vietnamese letter
    style.font.size = Pt(11)
    document.core_properties.title = title
    document.core_properties.language = "vi-VN"
    document.add_heading(title, level=1)
    footnotes = _Footnotes(document)
    numbered = len(turns) > 1
    for i, turn in enumerate(turns, start=1):
        question = str(turn.get("question", ""))
        document.add_heading(f"Câu hỏi {i}: {question}" if numbered else question, level=2)
        if turn.get("understood_as"):
            document.add_paragraph().add_run(f"Câu hỏi được hiểu là: {turn['understood_as']}").italic = True
        for notice in turn.get("notices") or []:
            document.add_paragraph().add_run(f"Lưu ý: {notice}").bold = True
        by_number = {int(c["n"]): c for c in turn.get("citations") or []}
        ids: dict[int, int] = {}
        for line in str(turn.get("answer") or "").split("\n"):
            if not line.strip():
                continue
            kind, body = statement_line(line)
            if kind == "heading":
                document.add_paragraph().add_run(body).bold = True
                continue
            paragraph = document.add_paragraph(style="List Bullet" if kind == "item" else None)
            last = 0
            for mark in _MARK.finditer(body):
                n = int(mark.group(1))
                if n not in by_number:
                    continue
                paragraph.add_run(body[last:mark.start()].rstrip())
                if n not in ids:
                    ids[n] = footnotes.add(source_line(by_number[n])[len(f"[{n}] "):])
                footnotes.reference(paragraph, ids[n])
                last = mark.end()
            paragraph.add_run(body[last:])
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


class _Footnotes:
    """Word footnotes, which python-docx reads and writes but has no API to add: the footnotes part
    (with the two separators Word expects) is created once, then each note is one <w:footnote>."""

    def __init__(self, document: Any) -> None:
        self.document = document
        xml = (
            f"<w:footnotes {nsdecls('w')}>"
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
            "<w:r><w:separator/></w:r></w:p></w:footnote>"
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
            "<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
            "</w:footnotes>"
        )
        self.element = parse_xml(xml)
        self.part = _XmlPart(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, self.element, document.part.package)
        document.part.relate_to(self.part, RELATIONSHIP_TYPE.FOOTNOTES)
        self.count = 0

    def add(self, text: str) -> int:
        self.count += 1
        note = parse_xml(
            f'<w:footnote {nsdecls("w")} w:id="{self.count}"><w:p><w:pPr><w:spacing w:after="60"/></w:pPr>'
            '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve"> {html.escape(text, quote=False)}</w:t></w:r></w:p></w:footnote>'
        )
        self.element.append(note)
        return self.count

    @staticmethod
    def reference(paragraph: Paragraph, note_id: int) -> None:
        run = paragraph.add_run()
        run._r.append(parse_xml(f'<w:rPr {nsdecls("w")}><w:vertAlign w:val="superscript"/></w:rPr>'))
        run._r.append(parse_xml(f'<w:footnoteReference {nsdecls("w")} w:id="{note_id}"/>'))


class _XmlPart(Part):
    """A part whose XML is kept as an element and serialised on save."""

    def __init__(self, partname: PackURI, content_type: str, element: Any, package: Any) -> None:
        super().__init__(partname, content_type, package=package)
        self.element = element

    @property
    def blob(self) -> bytes:
        from lxml import etree

        return etree.tostring(self.element, xml_declaration=True, encoding="UTF-8", standalone=True)


def footnote_texts(path: Path) -> list[str]:
    """The footnotes of a .docx as text (separators left out): for checking an export."""
    document = Document(str(path))
    for rel in document.part.rels.values():
        if rel.reltype == RELATIONSHIP_TYPE.FOOTNOTES:
            root = parse_xml(rel.target_part.blob)
            notes = [n for n in root.iter(qn("w:footnote")) if int(n.get(qn("w:id"))) > 0]
            return ["".join(t.text or "" for t in n.iter(qn("w:t"))).strip() for n in notes]
    return []


# ----------------------------------------------------------------------------- files and print


def export_files(turns: Sequence[Mapping[str, Any]], title: str, stem: str, folder: Path | None = None) -> tuple[Path, Path]:
    """Write the .docx and .md of `turns` into a fresh folder under the export root."""
    root = folder or Path(tempfile.gettempdir()) / "tro-ly-chinh-sach-xuat"
    _remove_old(root)
    target = Path(tempfile.mkdtemp(dir=_mkdir(root)))
    docx_path = docx_file(turns, title, target / f"{stem}.docx")
    md_path = target / f"{stem}.md"
    md_path.write_text(markdown_file(turns, title), encoding="utf-8")
    return docx_path, md_path


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _remove_old(root: Path) -> None:
    if not root.is_dir():
        return
    cutoff = time.time() - EXPORT_MAX_AGE_S
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            for file in folder.iterdir():
                file.unlink(missing_ok=True)
            folder.rmdir()


def print_html(turns: Sequence[Mapping[str, Any]], title: str) -> str:
    """The conversation as the printer gets it: every answer in full, every source with its quote."""
    parts = [f"<h1>{html.escape(title)}</h1>"]
    for i, turn in enumerate(turns, start=1):
        parts.append(f"<section class='print-turn'><h2>Câu hỏi {i}: {html.escape(str(turn.get('question', '')))}</h2>")
        if turn.get("understood_as"):
            parts.append(f"<p><em>Câu hỏi được hiểu là: {html.escape(str(turn['understood_as']))}</em></p>")
        parts += [f"<p><strong>Lưu ý:</strong> {html.escape(n)}</p>" for n in turn.get("notices") or []]
        in_list = False
        for line in str(turn.get("answer") or "").split("\n"):
            if not line.strip():
                continue
            kind, body = statement_line(line)
            bullet = kind == "item"
            if bullet != in_list:
                parts.append("<ul>" if bullet else "</ul>")
                in_list = bullet
            text = html.escape(body.rstrip())
            parts.append(f"<li>{text}</li>" if bullet else f"<p>{text}</p>")
        if in_list:
            parts.append("</ul>")
        citations = turn.get("citations") or []
        if citations:
            parts.append("<h3>Nguồn trích dẫn</h3><ol class='print-sources'>")
            parts += [f"<li value='{int(c['n'])}'>{html.escape(source_line(c)[len(str(c['n'])) + 3:])}</li>" for c in citations]
            parts.append("</ol>")
        parts.append("</section>")
    return "\n".join(parts)


def conversation_title(turns: Sequence[Mapping[str, Any]]) -> str:
    """The first question as understood (a pasted chat message's question, not "[09:41] Anh Tuấn: …")."""
    first = next((str(t.get("asked") or t.get("question") or "") for t in turns if t.get("question")), "")
    return _shorten(collapse_spaces(first), 60) or "Cuộc trò chuyện mới"


def _document(citation: Mapping[str, Any]) -> str:
    return cited_document(citation)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
