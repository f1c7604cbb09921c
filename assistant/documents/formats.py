"""Stage 1a, formats: bytes of a PDF, DOCX or text file → text, within `DocumentLimits`.

Every reader refuses a hostile or broken file before it costs memory or time, with a reason the
user can act on: a DOCX whose parts inflate past the limit (a 1 MB zip bomb expands to 1 GB) or
that declares XML entities (OOXML never does; "billion laughs" does), a PDF with too many pages,
too much text, a password, or no text layer at all (a scan), a text file in an encoding we cannot
read. Third-party parsers raise anything on hostile input; each reader turns that into
`DocumentRejected` so one bad file never aborts a batch.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass

from assistant.config import DocumentLimits

log = logging.getLogger(__name__)


class DocumentRejected(ValueError):
    """A file we will not index, with a reason the user can act on (Vietnamese, shown as-is)."""


def count_vi(n: float) -> str:
    """A count as Vietnamese writes it: "2.000", not "2,000"."""
    return f"{n:,.0f}".replace(",", ".")


def _mb(size: int) -> str:
    return f"{count_vi(size / 2**20)} MB"


def check_text_size(chars: int, name: str, limits: DocumentLimits) -> None:
    if chars > limits.max_text_chars:
        raise DocumentRejected(
            f"Tệp {name} có hơn {count_vi(limits.max_text_chars)} ký tự văn bản, quá lớn để đưa vào chỉ mục "
            "(giới hạn document_limits.max_text_chars). Hãy tách thành các văn bản nhỏ hơn."
        )


# ---------------------------------------------------------------- text


def decode_text(raw: bytes, name: str, limits: DocumentLimits | None = None) -> str:
    """UTF-8 (with or without BOM), or UTF-16 with or without BOM; legacy Vietnamese encodings are refused.

    TCVN3/VNI/Windows-1258 files decode "successfully" as Latin garbage, so guessing would index
    nonsense; the user is told to re-save the file as UTF-8 instead. UTF-16 (Notepad's "Unicode")
    is recognised by its BOM or, without one, by the zero bytes of its ASCII characters.
    """
    limits = limits or DocumentLimits()
    if len(raw) > 4 * limits.max_text_chars:  # no character takes more than 4 bytes
        check_text_size(len(raw) // 4, name, limits)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decode_utf16(raw, "utf-16", name)
    else:
        utf16 = _utf16_without_bom(raw)
        if utf16:
            text = _decode_utf16(raw, utf16, name)
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                legacy = _guess_legacy_encoding(raw)
                raise DocumentRejected(
                    f"Tệp {name} không phải văn bản UTF-8"
                    + (f" (có vẻ là bảng mã cũ {legacy})" if legacy else "")
                    + ". Hãy mở tệp và lưu lại với bảng mã Unicode UTF-8 rồi tải lên lại."
                ) from None
            if "\x00" in text:
                raise DocumentRejected(f"Tệp {name} chứa dữ liệu nhị phân, không phải văn bản.")
    check_text_size(len(text), name, limits)
    return text


def _decode_utf16(raw: bytes, encoding: str, name: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise DocumentRejected(f"Tệp {name} có vẻ là UTF-16 nhưng bị hỏng. Hãy lưu lại với bảng mã UTF-8.") from None


def _utf16_without_bom(raw: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when every other byte is mostly zero (the high byte of ASCII
    letters, digits and spaces); UTF-8 text never holds zero bytes."""
    sample = raw[:8192]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2], sample[1::2]
    half = len(sample) // 2
    if odd.count(0) > 0.3 * half and even.count(0) < 0.05 * half:
        return "utf-16-le"
    if even.count(0) > 0.3 * half and odd.count(0) < 0.05 * half:
        return "utf-16-be"
    return None


def _guess_legacy_encoding(raw: bytes) -> str | None:
    sample = raw[:4000]
    if re.search(rb"[\xb5-\xfe]", sample) and b"\xa7" in sample:
        return "TCVN3 (ABC)"
    try:
        sample.decode("cp1258")
        return "Windows-1258"
    except UnicodeDecodeError:
        return None


# ---------------------------------------------------------------- PDF


def pdf_text(raw: bytes, name: str, limits: DocumentLimits | None = None) -> str:
    """The PDF's text layer, page by page. Encrypted PDFs that open without a password (many
    official PDFs are "protected" against editing only) are read; others are refused."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    limits = limits or DocumentLimits()
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError:
                raise DocumentRejected(f"Tệp {name} là PDF mã hóa AES; máy chủ thiếu gói cryptography để mở.") from None
            if not opened:
                raise DocumentRejected(
                    f"Tệp {name} là PDF có mật khẩu. Hãy mở bằng mật khẩu rồi lưu/in ra một bản PDF không mật khẩu và tải lên lại."
                )
        count = len(reader.pages)
        if count > limits.max_pdf_pages:
            raise DocumentRejected(
                f"Tệp {name} có {count_vi(count)} trang, vượt giới hạn {count_vi(limits.max_pdf_pages)} trang (document_limits.max_pdf_pages)."
            )
        pages: list[str] = []
        total = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            total += len(text)
            check_text_size(total, name, limits)
            pages.append(text)
    except DocumentRejected:
        raise
    except FileNotDecryptedError:
        raise DocumentRejected(f"Tệp {name} là PDF có mật khẩu; hãy lưu một bản không mật khẩu rồi tải lên lại.") from None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError, IndexError, RecursionError, MemoryError) as err:
        raise DocumentRejected(f"Tệp {name} không đọc được như PDF ({type(err).__name__}: {str(err)[:200]}).") from None
    if count and not any(page.strip() for page in pages):
        raise DocumentRejected(
            f"Tệp {name} là PDF dạng ảnh quét ({count} trang, không có lớp chữ). "
            "Hãy nhận dạng chữ (OCR) trước rồi tải lên bản PDF có chữ hoặc bản DOCX."
        )
    return "\n".join(pages)


# ---------------------------------------------------------------- DOCX

_ENTITY_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"), "<!ENTITY".encode("utf-16-le"),
                        "<!DOCTYPE".encode("utf-16-be"), "<!ENTITY".encode("utf-16-be"))


@dataclass(frozen=True)
class DocxParagraph:
    text: str
    bold_lead: str  # the run(s) of bold text the paragraph starts with
    heading: bool  # a "Heading n" style


def check_docx_package(raw: bytes, name: str, limits: DocumentLimits) -> None:
    """Refuse a DOCX before python-docx inflates it: too many parts, parts that inflate past the
    limit (zip bomb), or XML that declares a DTD or entities (entity bomb, external entities).
    Sizes come from the zip directory; `zipfile` never inflates a part beyond its declared size."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as package:
            parts = package.infolist()
            if len(parts) > limits.max_docx_entries:
                raise DocumentRejected(
                    f"Tệp {name} chứa {count_vi(len(parts))} tệp con, vượt giới hạn {count_vi(limits.max_docx_entries)} của một văn bản DOCX."
                )
            declared = sum(part.file_size for part in parts)
            if declared > limits.max_docx_uncompressed_bytes:
                raise DocumentRejected(
                    f"Tệp {name} khi giải nén chiếm {_mb(declared)}, vượt giới hạn {_mb(limits.max_docx_uncompressed_bytes)} "
                    "(có thể là tệp nén độc hại — “zip bomb”). Tệp không được đưa vào chỉ mục."
                )
            for part in parts:
                if part.file_size > 1_000_000 and part.file_size > limits.max_docx_ratio * max(1, part.compress_size):
                    raise DocumentRejected(
                        f"Tệp {name}: phần {part.filename[:80]} nén với tỉ lệ bất thường ({count_vi(part.file_size // max(1, part.compress_size))}:1), "
                        "dấu hiệu của tệp nén độc hại (“zip bomb”). Tệp không được đưa vào chỉ mục."
                    )
            seen = [0, 0, 0]  # elements, paragraphs, runs
            for part in parts:
                if part.filename.endswith((".xml", ".rels")):
                    _count_elements(package, part, name, limits, seen)
    except DocumentRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, ValueError, EOFError) as err:
        raise DocumentRejected(f"Tệp {name} không đọc được như DOCX ({type(err).__name__}: {str(err)[:200]}).") from None


# <w:p>, <w:p/>, <w:r w:rsidR=…>, with any namespace prefix: a paragraph or a run
_TEXT_UNIT_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([pr])[\s/>]")


def _count_elements(package: zipfile.ZipFile, part: zipfile.ZipInfo, name: str, limits: DocumentLimits, seen: list[int]) -> None:
    """Elements, paragraphs and runs of one XML part, counted on the inflated stream a block at a
    time and given up at the limit (`seen` carries the counts across parts). python-docx spends
    ~40 µs on each paragraph and run and holds every element: 60 MB of empty paragraphs (10 M)
    cost it minutes and gigabytes, while this count refuses them in a fraction of a second and a
    few MB. Also refuses a DTD or entity declaration anywhere in the part."""
    carry = b""  # the end of the previous block, so a marker split across two blocks is still seen
    with package.open(part) as handle:
        while block := handle.read(1 << 20):
            window = carry + block
            if any(marker in window for marker in _ENTITY_DECLARATIONS):
                raise DocumentRejected(
                    f"Tệp {name} khai báo thực thể XML (DOCTYPE/ENTITY) trong {part.filename[:80]}; văn bản Word "
                    "không bao giờ có, đây là dấu hiệu tệp độc hại (“entity bomb”). Tệp không được đưa vào chỉ mục."
                )
            seen[0] += block.count(b"<") - block.count(b"</")  # opening and empty tags; close enough for a limit
            units = _TEXT_UNIT_TAG.findall(block)
            paragraphs = units.count(b"p")
            seen[1] += paragraphs
            seen[2] += len(units) - paragraphs
            over = [
                (what, limit) for count, what, limit in zip(
                    seen, ("phần tử XML", "đoạn văn", "lượt chữ (run)"), ("max_docx_elements", "max_docx_paragraphs", "max_docx_runs")
                ) if count > getattr(limits, limit)
            ]
            if over:
                what, limit = over[0]
                raise DocumentRejected(
                    f"Tệp {name} chứa hơn {count_vi(getattr(limits, limit))} {what}, quá nhiều cho một văn bản "
                    f"(giới hạn document_limits.{limit}); có thể là tệp độc hại. Tệp không được đưa vào chỉ mục."
                )
            carry = block[-32:]


def docx_paragraphs(raw: bytes, name: str, limits: DocumentLimits | None = None) -> list[DocxParagraph]:
    import docx

    limits = limits or DocumentLimits()
    check_docx_package(raw, name, limits)
    try:
        document = docx.Document(io.BytesIO(raw))
        paragraphs: list[DocxParagraph] = []
        total = 0
        styles: dict[str | None, bool] = {}  # python-docx looks a style up by scanning every style
        for paragraph in _body_paragraphs(document):
            text = paragraph.text
            total += len(text)
            check_text_size(total, name, limits)
            lead = ""
            for run in paragraph.runs:
                if not run.bold:
                    break
                lead += run.text
            style_id = paragraph._p.style
            if style_id not in styles:
                style = paragraph.style
                styles[style_id] = (style.name or "").lower().startswith("heading") if style is not None else False
            paragraphs.append(DocxParagraph(text, lead, styles[style_id]))
    except DocumentRejected:
        raise
    except Exception as err:  # noqa: BLE001 - lxml, zipfile and python-docx (PackageNotFoundError, InvalidXmlError…) alike
        log.info("DOCX %s refused: %r", name, err)
        raise DocumentRejected(f"Tệp {name} không đọc được như DOCX ({type(err).__name__}: {str(err)[:200]}).") from None
    return paragraphs


def _body_paragraphs(document: object) -> list[object]:
    """Paragraphs in reading order, those of tables included (row by row, cell by cell, a merged
    cell once): a decree's header block (issuer and "Số: …" beside the motto and "Hà Nội, ngày …")
    and its signature block are usually layout tables."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[object] = []

    def table(element: object, parent: object) -> None:
        seen: list[object] = []  # the cells' elements themselves: a merged cell comes back once per grid column
        for row in Table(element, parent).rows:
            for cell in row.cells:
                if any(cell._tc is other for other in seen):
                    continue
                seen.append(cell._tc)
                block(cell._tc, cell)

    def block(element: object, parent: object) -> None:
        for child in element.iterchildren():  # type: ignore[attr-defined]
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                out.append(Paragraph(child, parent))
            elif tag == "tbl":
                table(child, parent)

    block(document.element.body, document)  # type: ignore[attr-defined]
    return out
