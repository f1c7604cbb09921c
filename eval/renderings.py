"""Metamorphic renderings: a development document re-rendered, mechanically, in the shapes real
archives hold it in — and what each shape must keep.

A document reaches staff as a Công báo PDF's text, a DOCX, a web database's copy without its header
block, an OCR of a scan, or a Markdown conversion. Each rendering here is a transformation of the
document's loaded text (no word is written by hand): hard wrapping and page furniture, a header
table, a dropped header, lost tone marks. The identity read from a rendering (kind, number, title,
issuer, date, signer, effective date), its article and clause labels and the answers to its gold
questions must be those of the original, except what the rendering removes by construction: a web
copy has no number line or place-date line, so its number and date are either stated elsewhere in
the text or unknown, never different. `tests/test_renderings.py` checks identity and labels on every
development document; `python -m eval --render NAME` checks the answers.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.documents.load import load_file
from assistant.documents.metadata import DocumentInfo, parse_document_info
from assistant.documents.structure import document_kind_header
from assistant.text import fold, without_tone

FIELDS = ("doc_type", "number", "title", "issuer", "date", "signer", "effective_date")
WRAP = 80  # columns of a Công báo page's text layer
PAGE_LINES = 45  # lines per printed page
OCR_PAGE_LINES = 40
TONE_LOSS = 9  # one syllable in this many loses its tone mark in the OCR rendering
GAZETTE = "CÔNG BÁO/Số 479 + 480/Ngày 06-08-2012"
STAMP = ["Người ký: Cổng Thông tin điện tử Chính phủ", "Email: thongtinchinhphu@chinhphu.vn", "Cơ quan: Văn phòng Chính phủ",
         "Thời gian ký: 08.09.2015 15:28:36 +07:00"]
_MOTTO = re.compile(r"^(?:cong hoa xa hoi|doc lap\s*-)")
_NUMBER_LINE = re.compile(r"^(?:[\w ]{0,20}\s)?so\s*:")
_PLACE_DATE = re.compile(r",\s*ngay\b|^ngay\s")


@dataclass(frozen=True)
class Layout:
    """A document's lines cut where its header block and its title end (found mechanically: the
    kind standing alone in capitals opens the title; the first line of a preamble or of the body
    closes it). A copy that has no header block has empty `header` and `title`."""

    header: list[str]
    title: list[str]
    body: list[str]


def layout(lines: list[str]) -> Layout:
    kind_at = next((i for i, line in enumerate(lines[:45]) if document_kind_header(line)), None)
    if kind_at is None:
        return Layout([], [], list(lines))
    end = kind_at + 1
    while end < len(lines) and end - kind_at < 8 and not _opens_body(lines[end]):
        end += 1
    return Layout(list(lines[:kind_at]), list(lines[kind_at:end]), list(lines[end:]))


_BODY_START = re.compile(
    r"^(?:can cu|xet|theo de nghi|thuc hien|huong ung|de |nham |trong |sau |ben canh |thi hanh|kinh gui|dieu \d|chuong |phan thu|[ivx]+[\.\-] |\d+\. |quyet dinh:|quyet nghi:)"
)


def _opens_body(line: str) -> bool:
    folded = fold(line.strip())
    return bool(_BODY_START.match(folded)) or (line.isupper() and bool(re.match(r"^(?:thu tuong|bo truong|chu tich|giam doc|chinh phu|quoc hoi|uy ban|hoi dong)", folded)))


# ---------------------------------------------------------------- the renderings


def congbao(lines: list[str], info: DocumentInfo) -> bytes:
    """Công báo PDF text (`pdftotext`): an e-signature stamp, every paragraph hard-wrapped at ~80
    columns, a running page header with the page number every ~45 lines."""
    out = [*STAMP, ""]
    page, on_page = 1, 0
    for line in lines:
        for piece in _wrap(line, WRAP):
            if on_page == 0:
                out += [f"{page} {GAZETTE}" if page % 2 == 0 else f"{GAZETTE} {page}", ""]
            out.append(piece)
            on_page += 1
            if on_page >= PAGE_LINES:
                out += ["", str(page), ""]
                page, on_page = page + 1, 0
    return ("\n".join(out) + "\n").encode()


def docx(lines: list[str], info: DocumentInfo) -> bytes:
    """A DOCX as ministries send it: one paragraph per line, the header block as a two-column
    table (issuer and number on the left, motto and place-date on the right)."""
    import docx as python_docx

    parts = layout(lines)
    document = python_docx.Document()
    left = [line for line in parts.header if not _right_column(line)]
    right = [line for line in parts.header if _right_column(line)]
    if parts.header:
        numbers = [line for line in left if _NUMBER_LINE.match(fold(line))]
        dates = [line for line in right if _PLACE_DATE.search(fold(line))]
        rows = [([l for l in left if l not in numbers], [r for r in right if r not in dates]), (numbers, dates)]
        table = document.add_table(rows=2, cols=2)
        for row, (first, second) in zip(table.rows, rows):
            for cell, cell_lines in zip(row.cells, (first, second)):
                cell.paragraphs[0].text = cell_lines[0] if cell_lines else ""
                for text in cell_lines[1:]:
                    cell.add_paragraph(text)
    for line in parts.title + parts.body:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _right_column(line: str) -> bool:
    folded = fold(line)
    return bool(_MOTTO.match(folded) or (_PLACE_DATE.search(folded) and not _NUMBER_LINE.match(folded)))


def webcopy(lines: list[str], info: DocumentInfo) -> bytes:
    """A web database's copy: no letterhead, motto, number or place-date; the header's kind and
    title on the first line and the issuer on the next, both lower-cased after their first letter
    (as the Nghệ An files are); then the body as it is. A copy that had no header is copied as it is."""
    parts = layout(lines)
    if not parts.title:
        return ("\n".join(lines) + "\n").encode()
    # "LUẬT" + "PHÒNG, CHỐNG MA TÚY"; "CỦA BAN THƯỜNG VỤ TỈNH ỦY" under the kind is the issuer, on the next line
    title = " ".join(line for line in parts.title if not _NUMBER_LINE.match(fold(line)) and not line.startswith("CỦA "))
    head = [_lowered(title)] + ([_lowered(info.issuer)] if info.issuer else [])
    return ("\n".join(head + parts.body) + "\n").encode()


def _lowered(text: str) -> str:
    return text[:1] + text[1:].lower()


def ocr(lines: list[str], info: DocumentInfo) -> bytes:
    """An OCR of a scan as Markdown: "[Trang N]" before every ~40 lines, each page in a code
    fence, and the tone mark lost on a fixed one in `TONE_LOSS` syllables (the same ones every run)."""
    out: list[str] = []
    for start in range(0, len(lines), OCR_PAGE_LINES):
        out += [f"[Trang {start // OCR_PAGE_LINES + 1}]", "```"]
        out += [_lose_tones(line, start + i) for i, line in enumerate(lines[start : start + OCR_PAGE_LINES])]
        out += ["```", ""]
    return ("\n".join(out) + "\n").encode()


def _lose_tones(line: str, number: int) -> str:
    def syllable(match: re.Match[str]) -> str:
        word = match.group(0)
        lost = zlib.crc32(f"{number}:{match.start()}:{word}".encode()) % TONE_LOSS == 0
        return without_tone(word) if lost else word

    return re.sub(r"\w+", syllable, line)


def markdown(lines: list[str], info: DocumentInfo) -> bytes:
    """A Markdown conversion: the header block as a table whose first row holds the letterhead and
    the motto (| QUỐC HỘI | CỘNG HÒA … |), then one paragraph per line, Markdown's own characters
    escaped as converters escape them."""
    parts = layout(lines)
    out: list[str] = []
    if parts.header:
        left = [line for line in parts.header if not _right_column(line)]
        right = [line for line in parts.header if _right_column(line)]
        rows = [(left[i] if i < len(left) else "", right[i] if i < len(right) else "") for i in range(max(len(left), len(right)))]
        out += [f"| {_escaped(rows[0][0])} | {_escaped(rows[0][1])} |", "| --- | --- |"]
        out += [f"| {_escaped(a)} | {_escaped(b)} |" for a, b in rows[1:]]
        out.append("")
    for line in parts.title + parts.body:
        out += [_escaped(line), ""]
    return ("\n".join(out) + "\n").encode()


def _escaped(text: str) -> str:
    text = re.sub(r"([\\*_`|])", r"\\\1", text)
    return re.sub(r"^([#>+-])", r"\\\1", text) if not re.match(r"^[-+] ", text) else text


def pdf(lines: list[str], info: DocumentInfo) -> bytes:
    """A PDF made with fpdf2 (DejaVu font): lines wrapped by the page width, a running header and
    page numbers, read back through the PDF reader as any upload is."""
    from fpdf import FPDF

    class Gazette(FPDF):
        def header(self) -> None:
            self.set_font("DejaVu", size=8)
            self.cell(0, 5, GAZETTE, align="C", new_x="LMARGIN", new_y="NEXT")

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("DejaVu", size=8)
            self.cell(0, 5, str(self.page_no()), align="C")

    document = Gazette()
    document.add_font("DejaVu", fname=str(FONT))
    document.add_page()
    document.set_font("DejaVu", size=10)
    for line in lines:
        document.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass(frozen=True)
class Rendering:
    name: str
    suffix: str
    make: Callable[[list[str], DocumentInfo], bytes]
    kept: frozenset[str]  # identity fields the rendering keeps by construction
    folded: frozenset[str] = frozenset()  # kept up to lost marks and letter case
    stated_or_unknown: frozenset[str] = frozenset()  # removed with the header: the same if the text states it elsewhere, else ""


RENDERINGS: dict[str, Rendering] = {
    r.name: r
    for r in (
        Rendering("congbao", ".txt", congbao, frozenset(FIELDS)),
        Rendering("docx", ".docx", docx, frozenset(FIELDS)),
        Rendering("markdown", ".md", markdown, frozenset(FIELDS)),
        Rendering("ocr", ".md", ocr, frozenset({"doc_type", "number", "date", "effective_date"}), frozenset({"title", "issuer", "signer"})),
        Rendering("webcopy", ".txt", webcopy, frozenset({"doc_type", "signer"}), frozenset({"title", "issuer"}),
                  frozenset({"number", "date", "effective_date"})),
        Rendering("pdf", ".pdf", pdf, frozenset(FIELDS)),
    )
}


def rendered_name(source: str, rendering: Rendering) -> str:
    """The rendering's file name: the original's stem, the rendering's suffix."""
    return Path(source).stem + rendering.suffix


def render_file(path: Path, rendering: Rendering, folder: Path) -> Path:
    """Write `path` rendered into `folder` (under `rendered_name`) and return the new file."""
    loaded = load_file(path)
    lines = [line.text for line in loaded.lines]
    target = folder / rendered_name(path.name, rendering)
    target.write_bytes(rendering.make(lines, parse_document_info(path.name, lines)))
    return target


def render_folder(source: Path, rendering: Rendering, folder: Path) -> dict[str, str]:
    """Every document of `source` rendered into `folder`; original file name → rendered file name."""
    from assistant.documents.load import SUPPORTED_SUFFIXES

    folder.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    for path in sorted(source.iterdir()):
        if path.suffix.lower() in SUPPORTED_SUFFIXES and path.name != "SOURCES.md" and path.is_file():
            names[path.name] = render_file(path, rendering, folder).name
    return names


def _wrap(line: str, width: int) -> list[str]:
    """A paragraph broken at spaces into lines of at most `width` columns, as a PDF's text layer
    gives it; never right after a hyphen that ends a word ("NĐ-" / "CP"), which reads as a word cut."""
    words = line.split(" ")
    out: list[str] = []
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) > width and not current.endswith("-"):
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(current)
    return out


def identity(info: DocumentInfo) -> dict[str, str]:
    return {name: str(getattr(info, name) or "") for name in FIELDS}


def identity_differences(original: DocumentInfo, rendered: DocumentInfo, rendering: Rendering) -> list[str]:
    """What the rendering's identity gets wrong by `rendering`'s contract (empty: all kept)."""
    want, got = identity(original), identity(rendered)
    problems = []
    for name in FIELDS:
        if name in rendering.kept and got[name] != want[name]:
            problems.append(f"{name}: {want[name]!r} → {got[name]!r}")
        elif name in rendering.folded and _loose(got[name]) != _loose(want[name]):
            problems.append(f"{name}: {want[name]!r} → {got[name]!r}")
        elif name in rendering.stated_or_unknown and got[name] not in ("", want[name]):
            problems.append(f"{name}: {want[name]!r} → {got[name]!r} (neither the original's nor unknown)")
    return problems


def _loose(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))

