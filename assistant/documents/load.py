"""Stage 1, load: read .txt/.md/.pdf/.docx into clean lines of the document's own words.

PDF text arrives hard-wrapped, with blank runs and page numbers between the lines of one
sentence; markdown carries emphasis that marks headings ("**6. Ban Tổ chức Tỉnh ủy** chủ trì…").
The loader repairs the first and keeps the second as a hint for the structure parser, and never
changes a word.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from llama_index.core import Document

from assistant.documents.agencies import is_agency_name
from assistant.documents.clean import drop_page_furniture
from assistant.config import DocumentLimits
from assistant.documents.formats import DocumentRejected, decode_text, docx_paragraphs, pdf_text
from assistant.documents.metadata import parse_document_info
from assistant.documents.vocabulary import sentence_openers
from assistant.text import LOWER, UPPER, collapse_spaces, nfc, tone_optional

__all__ = ["SUPPORTED_SUFFIXES", "DocumentRejected", "Line", "LoadedFile", "decode_text", "load_file", "repair_lines", "to_document"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx")


@dataclass
class Line:
    text: str
    emphasis: str | None = None  # leading bold span, e.g. "6. Ban Tổ chức Tỉnh ủy"
    heading: bool = False  # a markdown "#" heading or a DOCX heading style


@dataclass
class LoadedFile:
    source: str  # file name, as it appears in corpus/
    lines: list[Line]
    sha256: str
    fmt: str

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


# ---------------------------------------------------------------- line repair

_PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?\d{1,3}(?:\s*-)?\s*$")
STRUCTURAL_START = re.compile(
    r"^(?:[IVXLC]+\s*[\.\-–]\s|\d+(?:\.\d+)*\s*[\.\):]\s|\d+(?:\.\d+)+\s|[a-zđ]\)\s|[-–+•*]\s|Điều\s+\d+[a-zđ]?\s*[\.:]|Căn cứ\s|Theo đề nghị\s|"
    rf"Xét đề nghị\s|Thực hiện\s|Hưởng ứng\s|N[ơo]i nh[ậâa]n|Chương\s+[IVXLC]+(?:\s*$|\s*[\.:\-–]|\s+[{UPPER}]{{2}})|Mục\s+\d+\s*$|Phần thứ\s|Tiểu mục\s+\d|\[\s*(?:\.\.\.|…)\s*\]|"
    r"\d{1,4}\s+\S.*?\s{3,}\S)"  # a table row laid out in columns: "40 Ketamine        (±)-2-(2-Chlorophenyl)…"
)
# A point "a) …" opens a new line even though it starts in lower case ("Bộ Y tế" + "a) Chỉ đạo…").
POINT_START = re.compile(r"^[a-zđ]\)\s+\S")
_SENTENCE_END = re.compile(r"[\.;:!?…\)”\"]\s*$|\./\.\s*$")
_LOWER_START = re.compile(rf"^[{LOWER}]")
_ALL_CAPS = re.compile(rf"^(?=.*[{UPPER}])[{UPPER}0-9\s,\.\-–:;()/]+$")  # a letter at least: "2021;" continues


def _is_hard_wrapped(lines: list[str]) -> bool:
    """PDF-extracted text wraps at ~80 columns; markdown and DOCX keep a paragraph per line."""
    lengths = sorted(len(line) for line in lines if line.strip())
    if len(lengths) < 10:
        return False
    return lengths[len(lengths) // 2] < 100 and lengths[int(len(lengths) * 0.9)] < 110


def repair_lines(raw_lines: list[str], hard_wrapped: bool) -> list[str]:
    """Re-join lines broken mid-sentence; drop page numbers and blank runs. Words are untouched."""
    out: list[str] = []
    wrap_width = 0
    if hard_wrapped:
        lengths = sorted(len(x.strip()) for x in raw_lines if x.strip())
        wrap_width = lengths[int(len(lengths) * 0.75)] if lengths else 0
    last = 0  # length of the last physical line: a joined line is long, the line it ends on may be short
    for raw in raw_lines:
        line = raw.strip()
        if not line or (hard_wrapped and _PAGE_NUMBER.match(line)):
            continue
        if out and _continues(out[-1], line, hard_wrapped, wrap_width, last) and not (hard_wrapped and _stands_alone(out[-1], line)):
            prev = out[-1]
            glue = "" if re.search(r"\S-$", prev) and not prev.endswith(" -") else " "
            out[-1] = prev + glue + line
        else:
            out.append(line)
        last = len(line)
    return out


# Words a Vietnamese sentence, heading or title never ends on: a line ending with one was cut
# mid-sentence, whatever the next line starts with ("Sở Lao động - Thương binh và / Xã hội").
_OPEN_ENDING = re.compile(r"\s(?:và|của|các|những|với|cho|theo|tại|hoặc|về|đến|từ|trong|bằng|để|do|như|là|được|thuộc|gồm|mà|từ ngày)$")
_ARTICLE_HEADING = re.compile(rf"^{tone_optional('Điều')}\s+\d{{1,3}}[a-zđ]?\s*[\.:]")
# A document number cut at its hyphen ("Nghị định số 90/2024/NĐ-" / "CP ngày 17 …"): one word again.
_CUT_NUMBER = re.compile(r"\d{1,5}/(?:\d{4}/)?[A-ZĐ][\wĐđ]*-$")


# An appendix's heading standing alone on its line: "Phụ lục II", "PHỤ LỤC SỐ 01", "DANH MỤC I". After
# a table's last row and a running page header it looks like the row's wrapped end, yet no sentence
# ends on a bare appendix name (one cut before it ends on "tại", "theo", "của": joined above).
APPENDIX_LINE = re.compile(rf"^(?:{tone_optional('Phụ lục')}|{tone_optional('PHỤ LỤC')}|{tone_optional('DANH MỤC')})(?:\s+(?:số|SỐ)\s*)?(?:\s+[IVXLC]+[A-Z]?|\s*\d{{1,2}}[a-z]?)?\s*$")
# "Quyết định:", "Quyết nghị:" after the preamble's last "Xét đề nghị …,": the formula stands alone.
_FORMULA = re.compile(r"^\S+(?:\s\S+)?\s*:\s*$")
# A form's label opening a line ("Mẫu số 02b", "Mẫu 02b. Văn bản chấp thuận …"), unless the line above
# ends on a word that needs it ("… lập theo" / "Mẫu số 02.").
_FORM_LABEL = re.compile(r"^(?:Mẫu|Biểu)(?: số)?\s+\d{1,3}[a-zđ]?(?:\s*[\.:]\s|\s*[\.:]?\s*$)")


@lru_cache(maxsize=1)
def _sentence_opener() -> re.Pattern[str]:
    return re.compile(r"^(?:" + "|".join(map(re.escape, sentence_openers())) + r")\s")


def _stands_alone(prev: str, line: str) -> bool:
    """A line that is a body's name and nothing else ("Uỷ ban nhân dân tỉnh long an") under a
    long title is the issuer's line of a copy without header, not the end of the title, unless
    the title's last word calls for it ("… phối hợp với" / "Bộ Công an")."""
    return not _OPEN_ENDING.search(prev) and not _SENTENCE_END.search(line) and is_agency_name(line) and len(line.split()) <= 10


_TABLE_ROW_START = re.compile(r"^\d{1,4}\s")  # "14 Para-fluorofentanyl …": a table row, not a numbered heading


def _continues(prev: str, line: str, hard_wrapped: bool, wrap_width: int, last: int | None = None) -> bool:
    if POINT_START.match(line) or (STRUCTURAL_START.match(line) and not _LOWER_START.match(line)):
        return False
    if line.startswith(("#", "|", ">")) or prev.startswith(("#", "|")) or _MD_RULE.match(line) or _MD_RULE.match(prev):
        return False
    if _FORM_LABEL.match(line) and not _OPEN_ENDING.search(prev):
        return False
    if _LOWER_START.match(line):
        return not prev.endswith((".", "!", "?", "./."))  # a lower-case start continues a sentence
    if _OPEN_ENDING.search(prev):  # "… Thương binh và" / "Xã hội quyết định …": no line ends on "và"
        return True
    if APPENDIX_LINE.match(line):  # "Phụ lục II" alone on its line after a page break opens an appendix
        return False
    if _ARTICLE_HEADING.match(prev):  # "Điều 15. Kiểm soát … dược chất hướng thần" / "Việc kiểm soát …": the article's text
        return False
    if _CUT_NUMBER.search(prev) and re.match(r"[A-ZĐ]", line):
        return True
    if _SENTENCE_END.search(prev) or _ALL_CAPS.match(prev) or _ALL_CAPS.match(line) or _sentence_opener().match(line):
        return False
    if prev.rstrip().endswith(",") and not _FORMULA.match(line):  # no sentence ends with a comma (a page break, or an OCR's line, fell here)
        return True
    if not hard_wrapped:
        return False
    # An upper-case start ("Nhân dân", "Công an", "1425/QĐ-TTg") continues only a line that ran
    # to the wrap margin; a short unpunctuated line is a heading or a title line ("… truyền" /
    # "thông" / "Chỉ đạo, …": the heading ended on the short line, however long it is joined).
    ended = last if last is not None and STRUCTURAL_START.match(prev) and not _TABLE_ROW_START.match(prev) else len(prev)
    return wrap_width > 0 and ended >= wrap_width * 0.8


# ---------------------------------------------------------------- markdown

_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_LEADING_BOLD = re.compile(r"^(?:[-*]\s+)?\*\*(.+?)\*\*")
_MD_INLINE = re.compile(r"\*\*\*|\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|<sup>|</sup>|<br\s*/?>|\\(?=[\\`*_{}\[\]()#+\-.!])")
_MD_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,}|–{3,})\s*$")


def strip_markdown(line: str) -> str:
    text = _MD_HEADING.sub("", line)
    text = _MD_INLINE.sub("", text)
    return re.sub(r"[ \t]+", " ", text).strip()


_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^:?-{3,}:?$")
_DECORATION = re.compile(r"(?:\\?[-_–]){3,}")  # "-------", "\\_\\_\\_" under a letterhead
_CELL_BREAK = re.compile(r"\*\*\s+\*\*|\s{3,}|<br\s*/?>|(?<=[;:])\s*(?=-\s)|\s+(?=V/v\b)")


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def table_lines(rows: list[str]) -> list[str]:
    """A markdown table as lines of text. A layout table (two columns under an empty header:
    letterhead, "Kính gửi", signature and "Nơi nhận" side by side) gives each cell's lines in
    reading order; a data table gives one line per row, each value after its column's name ("Bộ Y
    tế: 100%"), so a row read alone still says what its figures are. Converters often leave the
    header row empty and put the column names in the first row."""
    cells = [_cells(row) for row in rows]
    cells = [row for row in cells if not all(_TABLE_RULE.match(c) for c in row if c) or not any(row)]
    if cells and not any(strip_markdown(c) for c in cells[0]):
        cells = cells[1:]
        if max((len(row) for row in cells), default=0) <= 2:
            return _layout_lines(cells)
    if max((len(row) for row in cells), default=0) <= 2 and any(_HEADER_CELL.search(c) for row in cells for c in row):
        return _layout_lines(cells)  # "| QUỐC HỘI | CỘNG HÒA XÃ HỘI … |": a header block, its first row no column names
    cells = [row for row in cells if any(strip_markdown(c) for c in row)]
    if not cells:
        return []
    names = [strip_markdown(h) for h in cells[0]]
    out: list[str] = []
    for row in cells[1:]:
        values = [strip_markdown(_DECORATION.sub(" ", c.replace("<br>", " "))) for c in row]
        parts = [f"{name}: {value}" if name and index > 0 else value for index, (name, value) in enumerate(zip(names, values)) if value]
        if parts:
            out.append(" | ".join(parts))
    return out


_HEADER_CELL = re.compile(r"CỘNG HÒA XÃ HỘI|CỘNG HOÀ XÃ HỘI|Độc lập\s*-\s*Tự do|^\W*Số\s*:|,\s*ngày\s+(?:\d{1,2}|\.+)\s+tháng")


def _layout_lines(cells: list[list[str]]) -> list[str]:
    out: list[str] = []
    for row in cells:
        for cell in row:
            for piece in _CELL_BREAK.split(_DECORATION.sub(" ", cell)):
                text = strip_markdown(piece).strip(" *")
                if text:
                    out.append(text)
    return out


def _markdown_lines(text: str) -> list[Line]:
    out: list[Line] = []
    raw_lines = drop_page_furniture(text.splitlines())
    flat: list[str] = []
    table: list[str] = []
    for raw in [*raw_lines, ""]:
        if _TABLE_ROW.match(raw):
            table.append(raw)
            continue
        if table:
            flat.extend(table_lines(table))
            table = []
        flat.append(raw)
    joined = repair_lines(flat, hard_wrapped=False)
    for raw in joined:
        if _MD_RULE.match(raw):
            continue
        heading = bool(_MD_HEADING.match(raw))
        body = _MD_HEADING.sub("", raw)
        bold = _MD_LEADING_BOLD.match(body)
        emphasis = strip_markdown(bold.group(1)).rstrip(":").strip() if bold else None
        clean = strip_markdown(raw)
        if clean:
            out.append(Line(clean, emphasis or None, heading))
    return out


_COLUMN_GAP = re.compile(r"(?<=\S)\s{4,}(?=\S)")
_SIDE_BY_SIDE = re.compile(r"CỘNG HÒA|CỘNG HOÀ|Độc lập|Số:|, ngày|Nơi nhận|\b(?:TM|KT|TL|TUQ)\.|THỦ TƯỚNG|CHỦ TỊCH|BỘ TRƯỞNG")


def _split_columns(lines: list[str]) -> list[str]:
    """Text extracted with its layout puts the letterhead and the signature block beside other
    text ("CHÍNH PHỦ      CỘNG HÒA XÃ HỘI…", "Nơi nhận:      TM. CHÍNH PHỦ"): such lines are
    split at their wide gaps. Table rows elsewhere keep their columns on one line."""
    out: list[str] = []
    seen = 0
    for line in lines:
        seen += bool(line.strip())
        if (seen <= 15 or _SIDE_BY_SIDE.search(line)) and _COLUMN_GAP.search(line.strip()):
            out.extend(part for part in _COLUMN_GAP.split(line.strip()) if part.strip())
        else:
            out.append(line)
    return out


def _plain_lines(text: str) -> list[Line]:
    raw_lines = _split_columns(drop_page_furniture(text.splitlines()))
    repaired = repair_lines(raw_lines, _is_hard_wrapped(raw_lines))
    return [Line(re.sub(r"[ \t]+", " ", line)) for line in repaired if not _MD_RULE.match(line)]


# ---------------------------------------------------------------- formats


def _read_pdf(raw: bytes, name: str, limits: DocumentLimits) -> str:
    return pdf_text(raw, name, limits)


def _read_docx(raw: bytes, name: str, limits: DocumentLimits) -> list[Line]:
    lines: list[Line] = []
    for paragraph in docx_paragraphs(raw, name, limits):
        text = collapse_spaces(nfc(paragraph.text))
        if not text:
            continue
        emphasis = collapse_spaces(nfc(paragraph.bold_lead)).rstrip(":").strip() or None
        lines.append(Line(text, emphasis if emphasis != text else None, paragraph.heading))
    # Paragraphs can still be split by hand ("Enter" at the end of a visual line).
    merged: list[Line] = []
    for line in lines:
        if merged and _continues(merged[-1].text, line.text, False, 0) and not line.heading:
            merged[-1] = Line(merged[-1].text + " " + line.text, merged[-1].emphasis, merged[-1].heading)
        else:
            merged.append(line)
    return merged


def load_file(path: Path, limits: DocumentLimits | None = None) -> LoadedFile:
    """Read one file or raise `DocumentRejected` saying why (before it costs much: see `DocumentLimits`)."""
    limits = limits or DocumentLimits()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentRejected(
            f"Tệp {path.name}: định dạng {suffix or '(không có đuôi)'} chưa được hỗ trợ "
            "(chỉ nhận PDF, DOCX, MD, TXT)."
        )
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:  # before reading it into memory
            raise DocumentRejected(f"Tệp {path.name} lớn hơn {limits.max_file_bytes // 2**20} MB.")
        raw = path.read_bytes()
    except OSError as err:
        raise DocumentRejected(f"Không đọc được tệp {path.name} ({err.strerror or err}).") from None
    if not raw.strip():
        raise DocumentRejected(f"Tệp {path.name} rỗng, không có nội dung để đưa vào chỉ mục.")
    digest = hashlib.sha256(raw).hexdigest()
    if suffix == ".pdf":
        lines = _plain_lines(nfc(_read_pdf(raw, path.name, limits)))
    elif suffix == ".docx":
        lines = _read_docx(raw, path.name, limits)
    elif suffix == ".md":
        lines = _markdown_lines(nfc(decode_text(raw, path.name, limits)))
    else:
        lines = _plain_lines(nfc(decode_text(raw, path.name, limits)))
    if sum(len(line.text) for line in lines) < 20:
        raise DocumentRejected(
            f"Tệp {path.name} không có văn bản đọc được"
            + (" (PDF dạng ảnh quét cần nhận dạng chữ trước)." if suffix == ".pdf" else ".")
        )
    return LoadedFile(source=path.name, lines=lines, sha256=digest, fmt=suffix.lstrip("."))


def to_document(loaded: LoadedFile) -> Document:
    """The llama-index `Document` the structure parser takes: clean text plus identity metadata."""
    info = parse_document_info(loaded.source, [line.text for line in loaded.lines])
    emphasis = {i: line.emphasis for i, line in enumerate(loaded.lines) if line.emphasis}
    metadata = {**info.as_metadata(), "sha256": loaded.sha256, "line_emphasis": json.dumps(emphasis, ensure_ascii=False)}
    return Document(
        text=loaded.text,
        metadata=metadata,
        id_=f"doc:{loaded.source}",
        excluded_embed_metadata_keys=list(metadata),
        excluded_llm_metadata_keys=list(metadata),
    )
