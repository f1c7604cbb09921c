"""Stage 1b: a document's identity read from its own text: type, title, issuer, province, date, signer.

Vietnamese administrative documents follow the same layout (national motto, "Số: …", place and
date line, type in capitals, title, body, "Nơi nhận", signature block), so a few anchored patterns
recover what staff refer to documents by ("kế hoạch biên giới", "nghị quyết 2030", "ở Tuyên Quang").
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from assistant.documents.agencies import NAMED_HEADS, is_agency_name
from assistant.places import find_provinces
from assistant.text import LOWER, UPPER, capitalize_first, collapse_spaces, fold

DOCUMENT_TYPES = {
    "QUYẾT ĐỊNH": "Quyết định",
    "KẾ HOẠCH": "Kế hoạch",
    "NGHỊ QUYẾT": "Nghị quyết",
    "CHỈ THỊ": "Chỉ thị",
    "THÔNG BÁO": "Thông báo",
    "CÔNG VĂN": "Công văn",
    "BÁO CÁO": "Báo cáo",
    "HƯỚNG DẪN": "Hướng dẫn",
    "ĐỀ ÁN": "Đề án",
    "CHƯƠNG TRÌNH": "Chương trình",
}

_SIGNER_TITLES = re.compile(
    r"^(?:T/?M\.?|KT\.?|TL\.?|TUQ\.?)?\s*(CHỦ TỊCH|PHÓ CHỦ TỊCH|BÍ THƯ|PHÓ BÍ THƯ|CHÁNH VĂN PHÒNG|"
    r"PHÓ CHÁNH VĂN PHÒNG|GIÁM ĐỐC|PHÓ GIÁM ĐỐC|TRƯỞNG BAN|PHÓ TRƯỞNG BAN)\s*$"
)
_NAME = re.compile(
    rf"^(?:[{UPPER}][{LOWER}]+)(?:\s+[{UPPER}][{LOWER}]+){{1,4}}$"
)
_DATE_LINE = re.compile(
    rf"(?P<place>[{UPPER}][\w ]{{1,30}}),\s*ngày\s*(?P<d>\d{{1,2}})?\s*tháng\s*(?P<m>\d{{1,2}})?\s*năm\s*(?P<y>\d{{4}})"
)
_NUMBER = re.compile(r"Số:\s*(?P<n>\d*\s*/\s*[\wĐđ\-]+(?:-[\wĐđ]+)*)")


@dataclass
class DocumentInfo:
    source: str
    title: str
    doc_type: str
    issuer: str
    province: str
    year: int | None
    number: str
    date: str
    signer: str
    signer_title: str

    def as_metadata(self) -> dict[str, str | int]:
        """Flat values only: Chroma metadata takes str/int/float/bool."""
        return {k: (v if v is not None else "") for k, v in asdict(self).items()}


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[1].isupper():
        return text  # an acronym or proper name
    return text[:1].lower() + text[1:]


def parse_document_info(source: str, lines: list[str]) -> DocumentInfo:
    head = lines[:40]
    doc_type, title = _type_and_title(head)
    province = _province(lines)
    year, date = _date(head, title)
    signer, signer_title = _signer(lines) or ("", "")
    return DocumentInfo(
        source=source,
        title=title or source,
        doc_type=doc_type,
        issuer=_issuer(lines, province),
        province=province,
        year=year,
        number=_number(head),
        date=date,
        signer=signer,
        signer_title=signer_title,
    )


def _type_and_title(head: list[str]) -> tuple[str, str]:
    for i, line in enumerate(head):
        key = collapse_spaces(line).rstrip(":").upper()
        if key not in DOCUMENT_TYPES or line.rstrip().endswith(":"):
            continue
        doc_type = DOCUMENT_TYPES[key]
        parts: list[str] = []
        for nxt in head[i + 1 : i + 6]:
            if re.match(r"^(CỦA|CHỦ TỊCH)\b", nxt) or (nxt.isupper() and not parts):
                continue  # "CỦA BAN THƯỜNG VỤ TỈNH ỦY", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH"
            if re.match(r"^(Căn cứ|Thực hiện|Theo|Sau|Hưởng ứng|\(|[IVX]+[\.\-]|\d+\.)", nxt):
                break
            parts.append(nxt)
            if len(" ".join(parts)) > 60 and not nxt.endswith((";", ",")):
                break
        body = collapse_spaces(" ".join(parts))
        body = re.split(r"\s\((?:Kèm theo|Ban hành kèm)", body)[0].strip()
        if body.startswith("Ban hành "):  # "Quyết định ban hành Kế hoạch X" is known as "Kế hoạch X"
            return doc_type, capitalize_first(body[len("Ban hành ") :])
        return doc_type, f"{doc_type} {_lower_first(body)}".strip()
    return "", ""


def _province(lines: list[str]) -> str:
    """The province the document names most often (once per line)."""
    counts: dict[str, int] = {}
    for line in lines:
        for name in find_provinces(line):
            counts[name] = counts.get(name, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else ""


def _issuer(lines: list[str], province: str) -> str:
    """The body in whose name the document speaks: the capitalised header ("CHỦ TỊCH ỦY BAN NHÂN
    DÂN TỈNH", "CỦA BAN THƯỜNG VỤ TỈNH ỦY", "SỞ Y TẾ"), else the opening sentence's subject
    ("Văn phòng UBND tỉnh xây dựng kế hoạch …")."""
    suffix = f" {province}" if province else ""
    for line in lines[:25]:
        key = fold(collapse_spaces(line))
        if line.isupper() and "ban thuong vu tinh uy" in key:
            return "Ban Thường vụ Tỉnh ủy" + suffix
        if line.isupper() and key.startswith("chu tich uy ban nhan dan"):
            return "Chủ tịch Ủy ban nhân dân tỉnh" + suffix
    header: list[str] = []
    for line in lines[:12]:
        if re.match(r"^(CỘNG HÒA|CỘNG HOÀ|Số\b|Độc lập)", line.strip()):
            break
        if line.isupper():
            header.append(collapse_spaces(line))
    if header and is_agency_name(_sentence_case(" ".join(header))):
        return _sentence_case(" ".join(header))
    opening = collapse_spaces(" ".join(lines[:25]))
    for match in re.finditer(r"([^.;:]{3,90}?)\s+(?:xây dựng|ban hành)\s+[Kk]ế hoạch", opening):
        words = match.group(1).split()
        if words and fold(words[-1]) in ("ve", "cua", "viec", "de", "nham", "va"):
            continue  # "… của UBND tỉnh về ban hành Kế hoạch": a reference, not who speaks
        for start in range(len(words)):
            subject = " ".join(words[start:])
            if is_agency_name(subject):
                subject = re.sub(r"\bUBND\b", "Ủy ban nhân dân", subject)
                return subject + (suffix if subject.endswith(" tỉnh") else "")
    if any(line.isupper() and fold(line).startswith("uy ban nhan dan") for line in lines[:10]):
        return "Ủy ban nhân dân tỉnh" + suffix
    return ""


def _sentence_case(upper: str) -> str:
    """ "UỶ BAN NHÂN DÂN TỈNH SƠN LA" → "Uỷ ban nhân dân tỉnh Sơn La", "SỞ Y TẾ" → "Sở Y tế": the
    word after "Sở", "Ban", "Hội"… and province names keep their capitals."""
    text = capitalize_first(upper.lower())
    heads = "|".join(re.escape(h.lower()) for h in NAMED_HEADS)
    text = re.sub(rf"(?i)^((?:{heads})\s+)(\w)", lambda m: m.group(1) + m.group(2).upper(), text)
    for name in find_provinces(text):
        text = re.sub(re.escape(name.lower()), name, text, flags=re.I)
    return text


def _date(head: list[str], title: str) -> tuple[int | None, str]:
    for line in head:
        match = _DATE_LINE.search(line)
        if match:
            year = int(match.group("y"))
            if match.group("d") and match.group("m"):
                return year, f"{int(match.group('d')):02d}/{int(match.group('m')):02d}/{year}"
            return year, f"năm {year}"
    years = re.findall(r"(?<!vào )(?<!đến )năm (\d{4})\s*$", title)
    if years:
        return int(years[-1]), ""
    return None, ""


def _number(head: list[str]) -> str:
    for line in head:
        match = _NUMBER.search(line)
        if match:
            number = re.sub(r"\s+", "", match.group("n"))
            return number if not number.startswith("/") else ""
    return ""


def _signer(lines: list[str]) -> tuple[str, str] | None:
    """The name under the last signing title ("CHỦ TỊCH", "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", "BÍ THƯ")."""
    for i in range(len(lines) - 1, -1, -1):
        match = _SIGNER_TITLES.match(collapse_spaces(lines[i]))
        if not match:
            continue
        for candidate in lines[i + 1 : i + 4]:
            name = collapse_spaces(candidate)
            if _NAME.match(name):
                return name, capitalize_first(match.group(1).lower()).replace(" chủ tịch", " Chủ tịch")
    return None
