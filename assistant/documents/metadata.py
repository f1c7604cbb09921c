"""Stage 1b: a document's identity, read from its own text: kind, number, title, issuer, level,
province, date, signer, effective date, and what it replaces or amends.

Vietnamese documents share one layout (Nghị định 30/2020/NĐ-CP; Luật Ban hành văn bản QPPL): the
issuer's letterhead and its number line ("Số: …", "Luật số: …", "Pháp lệnh số: …") on the left,
the national motto and "<place>, ngày … tháng … năm …" on the right, the kind in capitals ("NGHỊ
ĐỊNH") and the title under it, the enacting formula ("Chính phủ ban hành Nghị định …"), the body,
"Nơi nhận" and the signature block, and closing articles saying from when it applies, which
documents it ends and — for a law, an ordinance or a council resolution — who passed it and when.
Copies lose parts of this: a Công báo page puts headers and stamps around it, an OCR keeps the
header inside code fences and loses tone marks, a web copy keeps only the title line and the
issuer (`webcopy`). Each fact is read from whichever part states it, and left empty when none
does: a wrong identity misleads more than a missing one. The place of signing is not the
document's province: a decree signed in Hà Nội belongs to no province; a provincial document's
province is its issuer's.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from assistant.documents.agencies import is_agency_name
from assistant.documents.casing import lower_first, sentence_case, titled
from assistant.documents.effect import effective, passed_on
from assistant.documents.naming import document_name
from assistant.documents.references import NUMBER, normalize_number
from assistant.documents.relations import Relation, relations
from assistant.documents.signature import is_recipients_line, signatures
from assistant.documents.structure import appendix_heading, document_kind_header
from assistant.documents.vocabulary import document_kinds, issuer_codes, kind_named
from assistant.documents.webcopy import TitleLine, read_title_line
from assistant.places import find_provinces, known_provinces
from assistant.text import LOWER, UPPER, collapse_spaces, fold, tone_optional

__all__ = ["DocumentInfo", "Relation", "parse_document_info"]

_NUMBER = re.compile(NUMBER)
_NUMBER_LABEL = re.compile(r"(?<!\w)so\s*:?\s*(?=[\d/])")  # folded: "Số:", "số:", "Sô:" (a lost mark)
# Words matched with or without their tone mark (`tone_optional`): an OCR that lost one ("ngay 19
# thang 01") still dates the document, and "Để" is still not "Đề án".
_DATE_LINE = re.compile(
    rf"(?:(?P<place>[{UPPER}][{LOWER}\.]+(?: [{UPPER}][{LOWER}]+){{0,3}}),\s*)?{tone_optional('ngày')}\s*(?P<d>\d{{1,2}})?\s*{tone_optional('tháng')}\s*(?P<m>\d{{1,2}})?\s*{tone_optional('năm')}\s*(?P<y>\d{{4}})"
)
_MOTTO = re.compile(r"cong hoa xa hoi|doc lap\s*-")  # folded: where a glued letterhead line ends
_TITLE_STOP = re.compile(  # what follows a title
    "^(?:" + "|".join(tone_optional(w) for w in ("Căn cứ", "Xét", "Theo đề nghị", "Thực hiện", "Hưởng ứng", "Sau", "Thi hành", "Kính gửi", "Trong", "Để", "Nhằm", "QUYẾT ĐỊNH:", "Chương", "Điều"))
    + r"|\(|[IVX]+[\.\-]\s|\d+\.\s)"
)
_FORMULA = re.compile(  # "THỦ TƯỚNG CHÍNH PHỦ", "BỘ TRƯỞNG BỘ Y TẾ", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH": who speaks, not the title
    r"^(?:chinh phu|quoc hoi|uy ban thuong vu quoc hoi|thu tuong chinh phu|bo truong\b.*|chu tich\b.*|cua\b.*|hoi dong nhan dan\b.*|uy ban nhan dan\b.*|giam doc\b.*|ban thuong vu\b.*)$"
)


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
    level: str = ""  # national / province / district
    place: str = ""  # where it was signed ("Hà Nội"), not a province unless the issuer is provincial
    effective_date: str = ""
    effective_text: str = ""
    relations: list[dict[str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """How staff name it: "Nghị định 116/2021/NĐ-CP"; the title (with its year) when it has no number."""
        if self.number and self.doc_type:
            return f"{self.doc_type} {self.number}"
        return document_name(self.title, year=self.year)

    @property
    def label(self) -> str:
        """The document named wherever it is listed or cited (`naming.document_name`): two of one
        title differ by number, else by year."""
        return document_name(self.title, self.province, self.number, self.year)

    def as_metadata(self) -> dict[str, str | int]:
        """Flat values only: Chroma metadata takes str/int/float/bool."""
        flat: dict[str, Any] = {k: (v if v is not None else "") for k, v in asdict(self).items()}
        flat["relations"] = json.dumps(self.relations, ensure_ascii=False)
        return flat


def parse_document_info(source: str, lines: list[str]) -> DocumentInfo:
    body = _body(lines)
    head = body[:45]
    number = _number(head)
    doc_type, title = _kind_and_title(head)
    copy = read_title_line(head) if not _has_header_block(head) else None
    if copy is not None:
        doc_type, title, number = copy.kind, copy.title, number or copy.number
    if not doc_type and number:
        doc_type = _kind_from_number(number) or ""
    if not title:
        doc_type, title = _enacted(body, doc_type)
    if _consolidated(number):
        doc_type = "Văn bản hợp nhất"  # the header still says "LUẬT"; the number says what this text is
    issuer, level = _issuer(head, body, number, copy)
    place, year, date = _date(head, title)
    passed, _ = passed_on(body, doc_type)
    if not date and copy is not None and copy.date:
        date, year = copy.date, int(copy.date[-4:])
    if not date and passed:  # a law's date is the day it was passed; a copy without header states only that
        date, year = passed, int(passed[-4:])
    province = _province(issuer, level, head, body, place)
    if province and re.search(r"(?:\btinh|tinh uy)$", fold(issuer)):
        issuer = f"{issuer} {province}"  # "Ủy ban nhân dân tỉnh" → "… tỉnh Tuyên Quang"
    signer = _signer(body)
    effective_date, effective_text = effective(body, date, passed)
    info = DocumentInfo(
        source=source,
        title=title or source,
        doc_type=doc_type,
        issuer=issuer,
        province=province,
        year=year,
        number=number,
        date=date,
        signer=signer[0],
        signer_title=signer[1],
        level=level,
        place=place,
        effective_date=effective_date,
        effective_text=effective_text,
    )
    info.relations = [asdict(r) for r in relations(body, title, effective_date)]
    return info


def _has_header_block(head: list[str]) -> bool:
    """The national motto at the top, before the first kind header: the document has its header
    block (a web copy's first line is a title; the motto and "KẾ HOẠCH" of a plan attached to it
    come after its decision's body)."""
    for line in head[:8]:
        if document_kind_header(line):
            return False
        motto = _MOTTO.search(fold(line))
        if motto and (line[motto.start() : motto.end()].isupper() or fold(line[motto.start() :]).startswith("doc lap")):
            return True  # "CỘNG HÒA XÃ HỘI …" in capitals, "Độc lập - Tự do": not "Căn cứ Hiến pháp nước Cộng hòa xã hội …"
    return False


def _body(lines: list[str]) -> list[str]:
    """The document up to its first appendix: forms there carry other dates, numbers and signatures."""
    closed = False
    for index, line in enumerate(lines):
        if index > 5 and appendix_heading(lines, index, closed):
            return lines[:index]
        closed = closed or is_recipients_line(line)
    return lines


# ---------------------------------------------------------------- kind, title, number


def _kind_and_title(head: list[str]) -> tuple[str, str]:
    for index, line in enumerate(head):
        kind = document_kind_header(line)
        if not kind:
            continue
        parts: list[str] = []
        for following in head[index + 1 : index + 8]:
            text = collapse_spaces(following)
            if (of := _of_issuer(text)) is not None:
                if of[1] and not parts:
                    parts.append(of[1])  # "CỦA BAN THƯỜNG VỤ TỈNH ỦY về nâng cao …": the issuer, then the title
                continue
            formula = text.isupper() and bool(_FORMULA.match(fold(text))) and not text.startswith("CỦA ")
            if _TITLE_STOP.match(text) or (formula and parts) or document_kind_header(text):
                break
            if formula:
                break
            parts.append(text)
            if len(" ".join(parts)) > 400:
                break
        return kind, titled(kind, collapse_spaces(" ".join(parts)))
    vv = next((collapse_spaces(line) for line in head if re.match(r"^V/v\b", line.strip())), "")
    if vv:  # a công văn: "V/v triển khai Tháng hành động…"
        return "Công văn", "Công văn " + re.sub(r"^V/v\s*", "về việc ", vv)
    return "", ""


def _of_issuer(line: str) -> tuple[str, str] | None:
    """ "CỦA BAN THƯỜNG VỤ TỈNH ỦY" under the kind: the issuer (in capitals) and what follows it on
    the same line ("… về nâng cao …" when a PDF joined the title to it); None when the words after
    "CỦA" name no body ("CỦA BỘ LUẬT HÌNH SỰ NĂM 2015": the title's own words, wrapped)."""
    match = re.match(rf"^CỦA\s+([{UPPER}0-9][{UPPER}0-9\s,\-–]*?)(?:\s+(?=[{LOWER}])|$)(.*)$", line)
    if not match or not is_agency_name(sentence_case(match.group(1).strip())):
        return None
    return match.group(1).strip(), match.group(2).strip()


@lru_cache(maxsize=1)
def _folded_kinds() -> re.Pattern[str]:
    """Nothing but markup and a kind before a number label: "Luật số:", "Pháp lệnh số:", "số:"."""
    names = sorted({fold(k.name) for k in document_kinds()}, key=len, reverse=True)
    return re.compile(r"^[\W_]*(?:(?:" + "|".join(map(re.escape, names)) + r")\s+)?$")


def _number(head: list[str]) -> str:
    """The document's own number line: "Số: 116/2021/NĐ-CP" anywhere in a header line (beside
    the place and date, or after an OCR's noise), "Luật số: 73/2021/QH14", "Pháp lệnh số: …",
    "số: …" opening a line. "Số: /KH-UBND" (left blank for the number) gives none."""
    for line in head:
        folded = fold(line)
        for match in _NUMBER_LABEL.finditer(folded):
            capital = line[match.start()] == "S"
            opening = bool(_folded_kinds().match(folded[: match.start()]))
            if not (capital or opening):
                continue
            if folded[match.end() : match.end() + 1] == "/":
                return ""  # a number left blank
            found = _NUMBER.match(line, match.end())
            if found and (capital or ":" in match.group(0) or not line[found.end() :].strip()):
                return normalize_number(found.group(0))  # "Luật số 15/2012/QH13 ngày …" opens a citation
    return ""


def _kind_from_number(number: str) -> str | None:
    """ "116/2021/NĐ-CP" → Nghị định; "573/TTg-KGVX" (no kind code) → Công văn."""
    codes = re.split(r"[/\-]", number)[1:]
    for code in codes:
        kind = kind_named(re.sub(r"\d+$", "", code)) if not code.isdigit() else None
        if kind is not None:
            return kind.name
    return "Công văn" if len(codes) >= 2 else None


def _consolidated(number: str) -> bool:
    return any(fold(code) == "vbhn" for code in re.split(r"[/\-]", number)[1:])


_ENACTING = re.compile(r"^(?P<issuer>[^.;:]{3,120}?)\s+ban hành\s+(?P<rest>.+?)\.?$")


def _enacted(body: list[str], known_kind: str) -> tuple[str, str]:
    """Kind and title from the enacting formula that closes a preamble, after its legal bases
    ("Căn cứ …"; "Chính phủ ban hành Nghị định quy định các danh mục chất ma túy và tiền chất."),
    when the header's title is unreadable."""
    bases = False
    for line in body[:60]:
        text = collapse_spaces(line)
        if re.match(r"^(?:Điều\s+1\b|Chương\s+I\b)", text):
            break
        bases = bases or bool(re.match(tone_optional("Căn cứ") + r"\s", text))
        match = _ENACTING.match(text) if bases else None
        if not match or not (is_agency_name(match.group("issuer")) or _known_issuer(match.group("issuer")) or _FORMULA.match(fold(match.group("issuer")))):
            continue
        rest = match.group("rest")
        for count in (3, 2, 1):
            kind = kind_named(" ".join(rest.split()[:count]))
            if kind is not None and (not known_kind or kind.name == known_kind):
                subject = " ".join(rest.split()[count:])
                return kind.name, f"{kind.name} {lower_first(subject)}".strip()
    return known_kind, ""


# ---------------------------------------------------------------- issuer, level, province


def _letterhead(head: list[str]) -> str:
    """The issuer's capitals at the top left, up to the number line. The motto beside it may come
    between its lines ("UỶ BAN NHÂN DÂN" / "CỘNG HÒA XÃ HỘI …" / "TỈNH SƠN LA" when a table was read
    row by row) or on the same line ("CHÍNH PHỦ CỘNG HÒA XÃ HỘI …")."""
    lines: list[str] = []
    for line in head[:14]:
        text = collapse_spaces(line.strip("*_ "))
        folded = fold(text)
        if re.match(r"^so\s*:", folded) or document_kind_header(text):
            break
        if re.search(r",\s*ngay\b", folded):
            continue  # the place and date, read row by row beside the letterhead's last lines
        motto = _MOTTO.search(folded)
        if motto:
            text = text[: motto.start()].strip(" -–")  # the two columns on one line: the left one
        if text.isupper() and len(text) > 2:
            if text not in lines:
                lines.append(text)
        elif lines and not motto:
            break
    return collapse_spaces(" ".join(lines))


def _issuer(head: list[str], body: list[str], number: str, copy: TitleLine | None) -> tuple[str, str]:
    letterhead = sentence_case(_letterhead(head))
    segments = re.split(r"\s[–-]\s", letterhead) if letterhead else []
    issuer = letterhead if segments and all(is_agency_name(s) or _known_issuer(s) for s in segments) else ""
    by_code = _issuer_from_number(number)
    if not issuer and copy is not None:
        issuer = copy.issuer
    if not issuer:
        for line in head[:25]:  # a party or people's committee resolution: "CỦA BAN THƯỜNG VỤ TỈNH ỦY"
            if (of := _of_issuer(collapse_spaces(line.strip("*_ ")))) is not None:
                issuer = sentence_case(of[0])
                break
    if not issuer and by_code is not None:
        issuer = by_code.name
    if not issuer:  # "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH" under the title: who decides
        formula = next((collapse_spaces(l) for l in head[:25] if re.match(r"^(CHỦ TỊCH|BỘ TRƯỞNG|GIÁM ĐỐC)\s+\S", collapse_spaces(l))), "")
        issuer = sentence_case(formula) if formula else ""
    if not issuer:
        issuer = _speaker(body)
    level = _level(issuer, by_code.level if by_code else "")
    return issuer, level


def _known_issuer(name: str) -> bool:
    return any(fold(name) == fold(code.name) for code in issuer_codes().values())


def _issuer_from_number(number: str) -> Any:
    codes = issuer_codes()
    for code in reversed(re.split(r"[/\-]", number)[1:]):
        found = codes.get(fold(re.sub(r"\d+$", "", code)).upper())
        if found is not None:
            return found
    return None


def _speaker(body: list[str]) -> str:
    """The opening sentence's subject when there is no letterhead ("Văn phòng UBND tỉnh xây dựng
    kế hoạch …"; "Sở Tư pháp xây dựng kế hoạch như sau")."""
    opening = collapse_spaces(" ".join(body[:25]))
    for match in re.finditer(rf"([^.;:]{{3,90}}?)\s+(?:{tone_optional('xây dựng')}|{tone_optional('ban hành')})\s+(?:{tone_optional('Kế hoạch')}|{tone_optional('kế hoạch')})", opening):
        words = match.group(1).split()
        if words and fold(words[-1]) in ("ve", "cua", "viec", "de", "nham", "va"):
            continue  # "… của UBND tỉnh về ban hành Kế hoạch": a reference, not who speaks
        for start in range(len(words)):
            subject = " ".join(words[start:])
            if is_agency_name(subject):
                return re.sub(r"\bUBND\b", "Ủy ban nhân dân", subject)
    return ""


def _level(issuer: str, by_code: str) -> str:
    key = fold(issuer)
    if re.search(r"\b(huyen|quan|thi xa)\b", key):
        return "district"
    if re.search(r"\b(tinh|thanh pho)\b", key) or find_provinces(issuer):
        return "province"
    if issuer and (by_code == "national" or re.match(r"^(chinh phu|quoc hoi|thu tuong|bo |uy ban thuong vu quoc hoi|chu tich nuoc|van phong quoc hoi|vien kiem sat nhan dan toi cao|toa an nhan dan toi cao)", key)):
        return "national"
    return by_code if by_code in ("national",) else ""


def _province(issuer: str, level: str, head: list[str], body: list[str], place: str) -> str:
    """A provincial document's province: its issuer's, else its letterhead's, else its place of
    signing, else the province its text names most. A national document has none, and neither
    does one whose issuer is unknown be given the place it was signed in ("Hà Nội")."""
    if level == "national":
        return ""
    named = find_provinces(issuer)
    if named:
        return named[0]
    for line in head[:14]:  # "UBND TỈNH SƠN LA" when the issuer line was read without it
        if line.isupper() and (found := find_provinces(line)):
            return found[0]
    if level not in ("province", "district"):
        return ""  # a document of unknown issuer is not given the province its text names most
    if place and place in known_provinces():
        return place
    counts: dict[str, int] = {}
    for line in body:
        for name in find_provinces(line):
            counts[name] = counts.get(name, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else ""


# ---------------------------------------------------------------- date, signer


def _date(head: list[str], title: str) -> tuple[str, int | None, str]:
    """(place, year, dd/mm/yyyy) from the header's "<place>, ngày … tháng … năm …"; a plan's
    title year ("… năm 2023") when the header has none."""
    for line in head:
        text = line.strip()
        if _TITLE_STOP.match(text) and not text.startswith("("):
            break  # "Căn cứ Luật … ngày 19 tháng 6 năm 2015" dates another document
        match = _DATE_LINE.search(text)
        if match and (match.group("place") or fold(text).startswith("ngay")):
            place = (match.group("place") or "").strip()
            place = "" if fold(place) in ("so", "ngay") or kind_named(place) else place
            year = int(match.group("y"))
            if match.group("d") and match.group("m"):
                return place, year, f"{int(match.group('d')):02d}/{int(match.group('m')):02d}/{year}"
            return place, year, f"năm {year}"
    # A plan's year ("Kế hoạch … năm 2023"); other titles' years are their subject's ("bảng giá đất năm
    # 2010" is decided in 2009), and "… ngày 10 tháng 02 năm 2009" dates a document the title cites.
    years = re.findall(r"(?<!vào )(?<!đến )(?<!tháng \d )(?<!tháng \d\d )năm (\d{4})\s*$", title) if _PLAN_TITLE.match(title) else []
    if years:
        return "", int(years[-1]), ""
    return "", None, ""


_PLAN_TITLE = re.compile(r"^(?:Kế hoạch|Chương trình|Báo cáo)\b")


def _signer(body: list[str]) -> tuple[str, str]:
    """Who signed ("Vũ Đức Đam") and in what capacity ("TM. CHÍNH PHỦ / KT. THỦ TƯỚNG / PHÓ THỦ
    TƯỚNG"); a joint document's signers separated by "; " in the same order in both."""
    named = [s for s in signatures(body) if s.name]
    names = "; ".join(s.name for s in named)
    titles = "; ".join(" / ".join(t for t in (s.authority, s.title) if t) for s in named)
    return names, titles
