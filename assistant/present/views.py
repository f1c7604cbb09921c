"""Stage 6, present (web): turn answers, citations and documents into what the chat shows.

Everything a person typed or a document says reaches the browser either through components that
show plain text (Textbox, HighlightedText, Dataframe) or through Markdown in which every
character with a Markdown or HTML meaning is backslash-escaped, so `<script>` or `[a](b)` in
a question or a document shows as those very characters. Only the structure added here (bold
document headings, lists, the sources block) is Markdown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from llama_index.core.schema import TextNode

from assistant.documents.naming import cited_document, document_name, section_name
from assistant.index.library import DocumentEntry, Library
from assistant.present import smalltalk
from assistant.text import collapse_spaces

if TYPE_CHECKING:
    from assistant.present.chat import Filters

# Every ASCII character that Markdown (CommonMark + GFM autolinks, tables, strike-through), inline
# HTML or LaTeX gives a meaning to. ":" breaks "http://" autolinks, "." breaks "www." and "1." lists.
_SPECIAL = r"\\`*_{}\[\]()#+\-.!|~<>&$:="  # "=" too: a line of "===" would make the line above a heading
_ESCAPE = re.compile(f"([{_SPECIAL}])")
_UNESCAPE = re.compile(f"\\\\([{_SPECIAL}])")

QUOTE_LABEL = "trích dẫn"
SOURCES_HINT = "Nguồn của câu trả lời sẽ hiện ở đây. Bấm [n] trong câu trả lời để mở nguồn n; bấm vào một câu trả lời cũ để xem lại nguồn của nó."
LIST_QUOTE_CHARS = 220
FIRST_ITEMS = 3  # items of a document's part shown before "Xem thêm"

EXAMPLES = smalltalk.EXAMPLES


def escape_markdown(text: str) -> str:
    """Text that Markdown shows literally. Exactly undone by `unescape_markdown`."""
    return _ESCAPE.sub(r"\\\1", text)


def unescape_markdown(text: str) -> str:
    return _UNESCAPE.sub(r"\1", text)


# ----------------------------------------------------------------------------- citations


def citation_heading(citation: Mapping[str, Any]) -> str:
    """The last step of the heading path without its number: "4. Sở Y tế" → "Sở Y tế"."""
    path = str(citation.get("heading_path") or "")
    last = path.split("›")[-1].strip() if "›" in path else ""
    return re.sub(r"^(?:[IVXLC]+|\d+|[a-zđ])[\.\)]\s*", "", last).strip() if last else ""


def citation_label(citation: Mapping[str, Any]) -> str:
    return section_name(str(citation.get("section") or ""), citation_heading(citation))


def source_choice(citation: Mapping[str, Any]) -> str:
    """One line per source in the sources panel (plain text)."""
    title = _shorten(str(citation.get("title") or citation.get("source") or ""), 70)
    return f"[{citation['n']}] {citation_label(citation)} · {cited_document({**citation, 'title': title})}"


def sources_markdown(citations: Sequence[Mapping[str, Any]]) -> str:
    """The numbered sources under an answer: document, province, section and the quoted passage."""
    lines: list[str] = []
    for c in citations:
        doc = cited_document(c)
        quote = _shorten(collapse_spaces(str(c.get("quote") or "")), LIST_QUOTE_CHARS)
        lines.append(f"**\\[{c['n']}\\]** {escape_markdown(doc)} · *{escape_markdown(citation_label(c))}*  ")
        lines.append(f"“{escape_markdown(quote)}”")
        lines.append("")
    return "\n".join(lines).rstrip()


# ----------------------------------------------------------------------------- answers

_HEADING_LINE = re.compile(r"^\*\*(.+)\*\*$")
_MARK = re.compile(r"\[(\d+)\]")
_BULLET = re.compile(r"^\s*[-+•]\s+")
# A clause's own number or letter at the start of its words: "1. ", "3.3. ", "2) ", "a) ", "đ) ", "II. ".
_CLAUSE_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*|[a-zđ]|[IVXLC]{1,6})[.)]\s")
# The same, as `answer_lines` escapes it ("1\\. ", "a\\) "): a clause line of the chat's Markdown.
_ESCAPED_CLAUSE = re.compile(r"^(?:\d{1,3}(?:\\\.\d{1,3})*|[a-zđ]|[IVXLC]{1,6})\\[.)]\s")


def statement_line(line: str) -> tuple[str, str]:
    """What a line of the engine's answer is, and its words: "heading" (a document's bold name),
    "item" (a bulleted statement), "clause" (a statement that opens with its clause's own number,
    "1. …", "a) …": the number stands where the bullet would, so it is shown without one) or "text"."""
    heading = _HEADING_LINE.match(line.strip())
    if heading:
        return "heading", heading.group(1)
    bullet = _BULLET.match(line)
    if bullet is None:
        return "text", line
    body = line[bullet.end():]
    return ("clause" if _CLAUSE_NUMBER.match(body) else "item"), body


def answer_lines(text: str, numbers: set[int]) -> list[str]:
    """The engine's answer as escaped Markdown lines: document headings stay bold, bullets stay
    bullets, a numbered clause is its own paragraph ("1. …" with no bullet before it), [n] marks
    that name a citation become links, and nothing else is markup."""
    out: list[str] = []
    for line in (text or "").split("\n"):
        kind, body = statement_line(line)
        if kind == "heading":
            out.append(f"**{escape_markdown(body)}**")
        elif kind == "item":
            out.append("- " + _marks(body, numbers))
        elif kind == "clause":
            # blank lines around it: no list item or line before or after runs into it
            if out and out[-1].strip():
                out.append("")
            out += [_marks(body, numbers), ""]
        else:
            out.append(_marks(body, numbers))
    return out


def _is_item(line: str) -> bool:
    """A statement of the chat's Markdown: a bullet or a numbered clause."""
    return line.startswith("- ") or bool(_ESCAPED_CLAUSE.match(line))


def _marks(text: str, numbers: set[int]) -> str:
    """[n] marks as links to source n: the web chat opens the source when one is clicked."""
    parts: list[str] = []
    last = 0
    for match in _MARK.finditer(text):
        if int(match.group(1)) not in numbers:
            continue
        parts.append(escape_markdown(text[last:match.start()]))
        parts.append(citation_link(int(match.group(1))))
        last = match.end()
    parts.append(escape_markdown(text[last:]))
    return "".join(parts)


def citation_link(n: int) -> str:
    return f'[\\[{n}\\]](#nguon-{n} "Mở nguồn {n}")'


def collapse_long_parts(lines: list[str], shown: int = FIRST_ITEMS) -> list[str]:
    """Each document's part of a long answer: its first `shown` items, the rest behind "Xem thêm"."""
    out: list[str] = []
    group: list[str] = []

    def flush() -> None:
        bullets = [i for i, line in enumerate(group) if _is_item(line)]
        if len(bullets) >= shown + 2:
            cut = bullets[shown]
            hidden = group[cut:]
            while hidden and not hidden[-1].strip():
                hidden.pop()
            more = sum(1 for line in hidden if _is_item(line))
            out.extend([*group[:cut], ""])
            out.extend([f'<details class="more"><summary>Xem thêm {more} ý</summary>', "", *hidden, "", "</details>", ""])
        else:
            out.extend(group)
        group.clear()

    for line in lines:
        if _HEADING_LINE.match(line.strip()) and group:
            flush()
        group.append(line)
    flush()
    return out


def understood_markdown(understood_as: str | None) -> str:
    return f"*Câu hỏi được hiểu là:* {escape_markdown(understood_as)}" if understood_as else ""


def notice_markdown(notice: str) -> str:
    return f"**Lưu ý:** {escape_markdown(notice)}"


def stream_answer(
    answer: str, citations: Sequence[Mapping[str, Any]], understood_as: str | None = None, notices: Sequence[str] = (),
) -> Iterator[str]:
    """The answer message as it grows, one statement (line) at a time; the last piece is the whole
    answer with long document parts collapsed."""
    head = [line for line in [understood_markdown(understood_as), *(notice_markdown(n) for n in notices)] if line]
    shown = [*(f"{line}  " for line in head[:-1]), *head[-1:], ""] if head else []
    if head:
        yield "\n".join(shown)
    numbers = {int(c["n"]) for c in citations}
    lines = answer_lines(answer, numbers)
    for i, line in enumerate(lines):
        shown.append(line)
        if line.strip() or i == len(lines) - 1:
            yield "\n".join(shown).rstrip()
    if sum(1 for line in lines if _is_item(line)) > FIRST_ITEMS + 1:
        yield "\n".join(shown[: len(shown) - len(lines)] + collapse_long_parts(lines)).rstrip()


def sources_title(citations: Sequence[Mapping[str, Any]]) -> str:
    documents = len({c.get("source") for c in citations})
    return f"Nguồn trích dẫn: {len(citations)} đoạn trong {documents} văn bản"


def answer_messages(answer_text: str, citations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The assistant's reply as chat messages: the answer, then its sources in a collapsed box."""
    messages: list[dict[str, Any]] = [{"role": "assistant", "content": answer_text}]
    if citations:
        messages.append({
            "role": "assistant",
            "content": sources_markdown(citations),
            "metadata": {"title": sources_title(citations), "status": "done"},
        })
    return messages


# ----------------------------------------------------------------------------- a quote in its section


def highlight_quote(section: str, quote: str) -> list[tuple[str, str | None]]:
    """The section as HighlightedText spans with the quoted passage marked.

    Quotes are verbatim but may lose a bullet mark, be clipped ("…") or differ in spacing, so the
    match is made on whitespace-collapsed text, piece by piece, and mapped back to the section."""
    spans = _quote_spans(section, quote)
    if not spans:
        return [(section, None)]
    out: list[tuple[str, str | None]] = []
    pos = 0
    for start, end in spans:
        if start > pos:
            out.append((section[pos:start], None))
        out.append((section[start:end], QUOTE_LABEL))
        pos = end
    if pos < len(section):
        out.append((section[pos:], None))
    return out


def _quote_spans(section: str, quote: str) -> list[tuple[int, int]]:
    flat, index = _collapse_with_index(section)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in re.split(r"\s*(?:…|\.\.\.)\s*", quote):
        piece = re.sub(r"^[-+•–]\s+", "", collapse_spaces(piece))
        if len(piece) < 3:
            continue
        at = flat.find(piece, cursor)
        if at < 0:
            at, length = _fuzzy_find(flat, piece)
            if at < 0:
                continue
        else:
            length = len(piece)
        spans.append((index[at], index[at + length - 1] + 1))
        cursor = at + length
    return spans


def _collapse_with_index(text: str) -> tuple[str, list[int]]:
    """Whitespace runs → one space, with each kept character's offset in `text`."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if chars and chars[-1] == " ":
                continue
            ch = " "
        chars.append(ch)
        index.append(i)
    return "".join(chars), index


def _fuzzy_find(haystack: str, needle: str) -> tuple[int, int]:
    """The longest common block, when the quote was tidied (tone marks, punctuation)."""
    match = SequenceMatcher(None, haystack, needle, autojunk=False).find_longest_match(0, len(haystack), 0, len(needle))
    if match.size >= max(12, len(needle) // 3):
        return match.a, match.size
    return -1, 0


def source_view(library: Library, citation: Mapping[str, Any]) -> tuple[str, list[tuple[str, str | None]]]:
    """Heading (Markdown) and highlighted text of the section a citation quotes."""
    node = library.nodes.get(str(citation.get("node_id") or ""))
    doc = cited_document(citation)
    heading = f"**\\[{citation['n']}\\] {escape_markdown(doc)}**  \n{escape_markdown(str(citation.get('heading_path') or citation_label(citation)))}"
    if node is None:
        return heading + "  \n*(Văn bản đã được cập nhật; chỉ còn đoạn trích.)*", [(str(citation.get("quote") or ""), QUOTE_LABEL)]
    return heading, highlight_quote(node.get_content(), str(citation.get("quote") or ""))


def sources_heading(index: int) -> str:
    """The sources panel names the answer it belongs to."""
    return f"### Nguồn của câu trả lời số {index + 1}"


def turn_hint(index: int, question: str, note: str = "") -> str:
    line = f"Câu trả lời số {index + 1}: *{escape_markdown(_shorten(question, 120))}*"
    return f"{line}  \n{note}" if note else line


def filter_summary(filters: Filters, library: Library) -> str:
    sources = filters.sources(library)
    if sources is None:
        return f"Đang tìm trong cả {len(library.documents)} văn bản."
    if not sources:
        return "Không có văn bản nào khớp bộ lọc này."
    names = "; ".join(escape_markdown(library.documents[s].label) for s in sources)
    return f"Chỉ tìm trong {len(sources)}/{len(library.documents)} văn bản: {names}"


# ----------------------------------------------------------------------------- documents


def library_summary(library: Library) -> str:
    sections = sum(d.node_count for d in library.documents.values())
    return f"**{len(library.documents)} văn bản** trong chỉ mục, {sections} đoạn (mục). Chọn một văn bản để đọc toàn văn và mục lục."

DOCUMENT_COLUMNS = ["Văn bản", "Loại", "Cơ quan ban hành", "Tỉnh", "Năm", "Người ký", "Số đoạn"]
DOCUMENT_WIDTHS = ["38%", "10%", "18%", "9%", "6%", "12%", "7%"]


def document_rows(library: Library) -> list[list[str]]:
    """Plain strings: the table shows cells as text."""
    return [
        [document_name(d.title, "", d.number, d.year), d.doc_type, d.issuer, d.province, str(d.year or ""), _signer(d), str(d.node_count)]
        for d in library.documents.values()
    ]


def document_choices(library: Library) -> list[tuple[str, str]]:
    return [(d.label, d.source) for d in library.documents.values()]


def document_markdown(entry: DocumentEntry, library: Library | None = None) -> str:
    facts = document_facts(library, entry) if library is not None else [
        ("Loại", entry.doc_type), ("Số hiệu", entry.number), ("Ngày ban hành", issue_date(entry)), ("Năm", str(entry.year or "")),
        ("Cơ quan ban hành", entry.issuer), ("Tỉnh", entry.province), ("Người ký", _signer(entry)),
    ]
    facts = [*facts, ("Tệp", entry.source)]
    lines = [f"### {escape_markdown(document_name(entry.title, '', entry.number, entry.year))}", ""]
    lines += [f"- **{label}:** {escape_markdown(value)}" for label, value in facts if value]
    return "\n".join(lines)


def outline_rows(nodes: Sequence[TextNode]) -> list[list[str]]:
    """One row per indexed section, in document order: its label and its heading, or for an
    untitled item ("1", "3.2") the part it belongs to and its first words."""
    rows = []
    for node in nodes:
        section = str(node.metadata.get("section") or "")
        path = [p.strip() for p in str(node.metadata.get("heading_path") or "").split("›") if p.strip()]
        heading = str(node.metadata.get("heading") or "")
        label = section_name(section)
        if heading and heading != section:
            title = heading
        else:
            parent = path[-2] if len(path) >= 3 else ""
            first = re.sub(r"^\s*(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[\.\)]\s*", "", node.get_content().strip().split("\n", 1)[0])
            title = " — ".join(part for part in (parent, _shorten(first, 80)) if part)
        rows.append([label, title])
    return rows


def section_text(node: TextNode) -> str:
    path = str(node.metadata.get("heading_path") or "")
    return f"{path}\n\n{node.get_content()}" if path else node.get_content()


def _signer(entry: DocumentEntry) -> str:
    return " ".join(part for part in (entry.signer_title, entry.signer) if part)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


# ----------------------------------------------------------------------------- turns kept in the browser


def reply_markdown(turn: Mapping[str, Any]) -> str:
    """A kept turn's answer message, as it was last shown while streaming."""
    if turn.get("kind") == "rejected":
        return escape_markdown(str(turn.get("answer") or ""))
    final = ""
    for final in stream_answer(str(turn.get("answer") or ""), turn.get("citations") or [], turn.get("understood_as"), turn.get("notices") or []):
        pass
    return final


def turn_messages(turn: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One kept turn as the web chat shows it: the question as typed, the answer with its sources."""
    return [{"role": "user", "content": str(turn.get("question") or "")}, *chat_messages(answer_messages(reply_markdown(turn), turn.get("citations") or []))]


def chat_messages(reply: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A reply for the web chat: the sources message (a titled message for API callers) folded into
    the answer as a closed <details> box, which a keyboard opens and a screen reader names."""
    out: list[dict[str, Any]] = []
    for message in reply:
        title = (message.get("metadata") or {}).get("title")
        if title and out:
            out[-1] = {**out[-1], "content": f'{out[-1]["content"]}\n\n<details class="sources"><summary>{html.escape(str(title))}</summary>\n\n{message["content"]}\n\n</details>'}
        else:
            out.append(dict(message))
    return out


def filter_chips(filters: Filters) -> str:
    """The active filters as chips above the chat (HTML; every value escaped)."""
    chips = [("Văn bản", d) for d in filters.documents] + [("Tỉnh", p) for p in filters.provinces] + [("Năm", y) for y in filters.years]
    if not chips:
        return ""
    items = "".join(f'<li class="chip"><span class="chip-kind">{html.escape(kind)}:</span> {html.escape(value)}</li>' for kind, value in chips)
    return f'<div class="chips"><span class="chips-title">Đang lọc</span><ul aria-label="Bộ lọc đang bật">{items}</ul></div>'


_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def issue_date(entry: DocumentEntry) -> str:
    """The document model's issue date when it is a day ("31/05/2023"); "" when it only has a year."""
    return entry.date if _DATE.match(entry.date or "") else ""


def validity(library: Library, entry: DocumentEntry) -> str:
    """ "Còn hiệu lực", or what the other indexed documents say ends it."""
    notes = library.status_notes(entry.source)
    if not notes:
        return "Còn hiệu lực (chưa văn bản nào trong chỉ mục thay thế)"
    return ("Còn hiệu lực một phần. " if library.in_force(entry.source) else "") + " ".join(notes)


def document_facts(library: Library, entry: DocumentEntry) -> list[tuple[str, str]]:
    """A document's facts as the document model has them: kind, number, date, validity, …"""
    return [
        ("Loại", entry.doc_type), ("Số hiệu", entry.number), ("Ngày ban hành", issue_date(entry)),
        ("Năm", "" if issue_date(entry) else str(entry.year or "")), ("Hiệu lực", validity(library, entry)),
        ("Cơ quan ban hành", entry.issuer), ("Tỉnh", entry.province), ("Người ký", _signer(entry)), ("Số đoạn", str(entry.node_count)),
    ]


def loaded_summary(library: Library) -> str:
    """The first screen's line on what can be asked about (Markdown)."""
    documents = list(library.documents.values())
    if not documents:
        return "**Chưa có văn bản nào trong chỉ mục.**"
    kinds: dict[str, int] = {}
    for d in documents:
        kinds[(d.doc_type or "văn bản").lower()] = kinds.get((d.doc_type or "văn bản").lower(), 0) + 1
    years = library.years
    span = f", năm {years[0]}–{years[-1]}" if len(years) > 1 else (f", năm {years[0]}" if years else "")
    places = f" của {', '.join(library.provinces)}" if library.provinces else ""
    counted = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    return escape_markdown(f"Đang tra cứu {len(documents)} văn bản phòng, chống ma túy ({counted}){places}{span}") + " — xem danh sách ở thẻ “Văn bản”."


def document_cards(library: Library) -> str:
    """Every document as a card (title, then its facts): readable on a phone, where a seven-column
    table squeezes words into one letter per line. The title is a button: the page opens the
    document below (chat.js)."""
    cards = []
    for d in library.documents.values():
        rows = "".join(f"<div><dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd></div>" for k, v in document_facts(library, d) if v)
        name = document_name(d.title, "", d.number, d.year)
        title = f'<button type="button" class="doc-open" data-source="{html.escape(d.source, quote=True)}">{html.escape(name)}</button>'
        cards.append(f'<li class="doc-card"><h3>{title}</h3><dl>{rows}</dl><p class="doc-file">{html.escape(d.source)}</p></li>')
    return f'<ul class="doc-cards" aria-label="Văn bản trong chỉ mục">{"".join(cards)}</ul>'


def outline_choices(nodes: Sequence[TextNode]) -> list[tuple[str, str]]:
    """The outline as choices: "Mục III.4 — Sở Y tế" → the section's position in the document."""
    return [(f"{label} — {title}" if title else label, str(i)) for i, (label, title) in enumerate(outline_rows(nodes))]
