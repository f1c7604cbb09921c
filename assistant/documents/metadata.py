"""Stage 1b: a document's identity, read from its own text: kind, number, title, issuer, level,
province, date, signer, effective date, and what it replaces or amends.

Vietnamese documents share one layout (Nghị định 30/2020/NĐ-CP; Luật Ban hành văn bản QPPL): the
issuer's letterhead and "Số: …" on the left, the national motto and "<place>, ngày … tháng …
năm …" on the right, the kind in capitals ("NGHỊ ĐỊNH") and the title under it, the body, "Nơi
nhận" and the signature block, and a closing article saying from when it applies and which
documents it replaces. The place of signing is not the document's province: a decree signed in
Hà Nội belongs to no province; a provincial plan's province is its issuer's.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.documents.agencies import is_agency_name
from assistant.documents.references import NUMBER, cited_documents, normalize_number, number_parts
from assistant.documents.signature import is_recipients_line, signatures
from assistant.documents.structure import appendix_heading, document_kind_header
from assistant.documents.vocabulary import agency_heads, issuer_codes, kind_named
from assistant.places import find_provinces, known_provinces
from assistant.text import LOWER, UPPER, capitalize_first, collapse_spaces, fold

_NUMBER_LINE = re.compile(r"Số\s*:?\s*(?P<n>" + NUMBER + r"|\s*/\s*[\wĐđ\-]+)")
_DATE_LINE = re.compile(
    rf"(?:(?P<place>[{UPPER}][{LOWER}\.]+(?: [{UPPER}][{LOWER}]+){{0,3}}),\s*)?ngày\s*(?P<d>\d{{1,2}})?\s*tháng\s*(?P<m>\d{{1,2}})?\s*năm\s*(?P<y>\d{{4}})"
)
_SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_LETTERHEAD_END = re.compile(r"^(?:CỘNG HÒA|CỘNG HOÀ|CONG HOA|Độc lập|Số\s*:)", re.I)
_TITLE_STOP = re.compile(
    r"^(?:Căn cứ|Xét|Theo đề nghị|Thực hiện|Hưởng ứng|Sau|Thi hành|Kính gửi|Trong|Để|Nhằm|\(|[IVX]+[\.\-]\s|\d+\.\s|Điều\s+\d|QUYẾT ĐỊNH:|Chương\s)"
)
_FORMULA = re.compile(  # "THỦ TƯỚNG CHÍNH PHỦ", "BỘ TRƯỞNG BỘ Y TẾ", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH": who speaks, not the title
    r"^(?:CHÍNH PHỦ|QUỐC HỘI|ỦY BAN THƯỜNG VỤ QUỐC HỘI|THỦ TƯỚNG CHÍNH PHỦ|BỘ TRƯỞNG\b.*|CHỦ TỊCH\b.*|CỦA\b.*|HỘI ĐỒNG NHÂN DÂN\b.*|ỦY BAN NHÂN DÂN\b.*|UỶ BAN NHÂN DÂN\b.*|GIÁM ĐỐC\b.*|BAN THƯỜNG VỤ\b.*)$"
)
_EFFECTIVE = re.compile(
    r"(?:có hiệu lực|hiệu lực thi hành)[^.;]{0,40}?(?:từ|kể từ)\s+ngày\s*(?:(?P<d>\d{1,2})\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})|(?P<slash>\d{1,2}/\d{1,2}/\d{4})|(?P<signed>ký))",
    re.I,
)
_THIS_DOCUMENT = re.compile(r"\b(?:Luật|Bộ luật|Pháp lệnh|Nghị định|Nghị quyết|Thông tư liên tịch|Thông tư|Quyết định|Chỉ thị|Kế hoạch|Văn bản) này\b")


@dataclass
class Relation:
    """What this document says it does to another: "replaces", "repeals", "ceases" (the other
    ceases to have effect), "amends" — from when, in the document's own words."""

    relation: str
    kind: str
    number: str
    when: str
    text: str


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
        """How staff name it: "Nghị định 116/2021/NĐ-CP"; the title when it has no number."""
        if self.number and self.doc_type:
            return f"{self.doc_type} {self.number}"
        return self.title

    def as_metadata(self) -> dict[str, str | int]:
        """Flat values only: Chroma metadata takes str/int/float/bool."""
        flat: dict[str, Any] = {k: (v if v is not None else "") for k, v in asdict(self).items()}
        flat["relations"] = json.dumps(self.relations, ensure_ascii=False)
        return flat


def parse_document_info(source: str, lines: list[str]) -> DocumentInfo:
    body = _body(lines)
    head = body[:45]
    doc_type, title = _kind_and_title(head)
    number = _number(head)
    if not doc_type and number:
        kind = _kind_from_number(number)
        doc_type = kind or ""
    issuer, level = _issuer(head, body, number)
    place, year, date = _date(head, title)
    province = _province(issuer, level, head, body, place)
    if province and re.search(r"(?:\btỉnh|Tỉnh ủy|Tỉnh uỷ)$", issuer):
        issuer = f"{issuer} {province}"  # "Ủy ban nhân dân tỉnh" → "… tỉnh Tuyên Quang"
    signer = _signer(body)
    effective_date, effective_text = _effective(body, date)
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
    info.relations = [asdict(r) for r in _relations(body, title, effective_date)]
    return info


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
            if _TITLE_STOP.match(text) or (_FORMULA.match(text) and parts) or document_kind_header(text):
                break
            if _FORMULA.match(text) and not parts and text.startswith("CỦA"):
                continue  # "CỦA BAN THƯỜNG VỤ TỈNH ỦY": the issuer, under the kind
            if _FORMULA.match(text):
                break
            parts.append(text)
            if len(" ".join(parts)) > 400:
                break
        subject = collapse_spaces(" ".join(parts))
        subject = re.split(r"\s\((?:Kèm theo|Ban hành kèm)", subject)[0].strip()
        subject = _sentence_case(subject) if subject.isupper() else subject
        if fold(subject).startswith("ban hanh ") and kind_named(subject.split()[2]) is None and (named := _named_kind(subject[len("Ban hành "):])):
            return kind, named  # "Quyết định ban hành Kế hoạch X" is known as "Kế hoạch X"
        return kind, f"{kind} {_lower_first(subject)}".strip()
    vv = next((collapse_spaces(line) for line in head if re.match(r"^V/v\b", line.strip())), "")
    if vv:  # a công văn: "V/v triển khai Tháng hành động…"
        return "Công văn", "Công văn " + re.sub(r"^V/v\s*", "về việc ", vv)
    return "", ""


def _named_kind(text: str) -> str | None:
    """ "Kế hoạch tổ chức …" when the phrase opens with a document kind."""
    for words in (2, 1, 3):
        kind = kind_named(" ".join(text.split()[:words]))
        if kind is not None:
            return capitalize_first(text)
    return None


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[1].isupper():
        return text  # an acronym or proper name
    return text[:1].lower() + text[1:]


def _number(head: list[str]) -> str:
    for line in head:
        match = _NUMBER_LINE.search(line)
        if match:
            number = normalize_number(match.group("n"))
            return "" if number.startswith("/") else number
    return ""


def _kind_from_number(number: str) -> str | None:
    """ "116/2021/NĐ-CP" → Nghị định; "573/TTg-KGVX" (no kind code) → Công văn."""
    codes = re.split(r"[/\-]", number)[1:]
    for code in codes:
        kind = kind_named(re.sub(r"\d+$", "", code)) if not code.isdigit() else None
        if kind is not None:
            return kind.name
    return "Công văn" if len(codes) >= 2 else None


# ---------------------------------------------------------------- issuer, level, province


def _letterhead(head: list[str]) -> str:
    lines: list[str] = []
    for line in head[:14]:
        text = collapse_spaces(line.strip("*_ "))
        if _LETTERHEAD_END.match(text) or document_kind_header(text):
            break
        if text.isupper() and len(text) > 2:
            if text not in lines:
                lines.append(text)
        elif lines:
            break
    return collapse_spaces(" ".join(lines))


def _issuer(head: list[str], body: list[str], number: str) -> tuple[str, str]:
    letterhead = _sentence_case(_letterhead(head))
    segments = re.split(r"\s[–-]\s", letterhead) if letterhead else []
    issuer = letterhead if segments and all(is_agency_name(s) for s in segments) else ""
    by_code = _issuer_from_number(number)
    if not issuer:
        for line in head[:25]:  # a party or people's committee resolution: "CỦA BAN THƯỜNG VỤ TỈNH ỦY"
            text = collapse_spaces(line.strip("*_ "))
            if text.isupper() and text.startswith("CỦA "):
                issuer = _sentence_case(text[4:])
                break
    if not issuer and by_code is not None:
        issuer = by_code.name
    if not issuer:  # "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH" under the title: who decides
        formula = next((collapse_spaces(l) for l in head[:25] if re.match(r"^(CHỦ TỊCH|BỘ TRƯỞNG|GIÁM ĐỐC)\s+\S", collapse_spaces(l))), "")
        issuer = _sentence_case(formula) if formula else ""
    if not issuer:
        issuer = _speaker(body)
    level = _level(issuer, by_code.level if by_code else "")
    return issuer, level


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
    for match in re.finditer(r"([^.;:]{3,90}?)\s+(?:xây dựng|ban hành)\s+[Kk]ế hoạch", opening):
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
    if issuer and (by_code == "national" or re.match(r"^(chinh phu|quoc hoi|thu tuong|bo |uy ban thuong vu quoc hoi|vien kiem sat nhan dan toi cao|toa an nhan dan toi cao)", key)):
        return "national"
    return by_code if by_code in ("national",) else ""


def _province(issuer: str, level: str, head: list[str], body: list[str], place: str) -> str:
    if level == "national":
        return ""
    named = find_provinces(issuer)
    if named:
        return named[0]
    for line in head[:14]:  # "UBND TỈNH SƠN LA" when the issuer line was read without it
        if line.isupper() and (found := find_provinces(line)):
            return found[0]
    if place and place in known_provinces():
        return place
    counts: dict[str, int] = {}
    for line in body:
        for name in find_provinces(line):
            counts[name] = counts.get(name, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else ""


_NAME_OPENERS = r"(?:^|(?<=của )|(?<=và )|(?<=, )|(?<=– )|(?<=- )|(?<=chủ tịch )|(?<=bộ trưởng )|(?<=giám đốc )|(?<=thủ trưởng ))"


def _sentence_case(upper: str) -> str:
    """A letterhead or title in capitals as it is written in running text: "UỶ BAN NHÂN DÂN TỈNH
    SƠN LA" → "Uỷ ban nhân dân tỉnh Sơn La", "SỞ Y TẾ" → "Sở Y tế", "BỘ CÔNG AN – VIỆN KIỂM SÁT
    NHÂN DÂN TỐI CAO" → "Bộ Công an – Viện kiểm sát nhân dân tối cao". Codes keep their capitals."""
    text = " ".join(word if re.search(r"\d|/", word) else word.lower() for word in upper.split(" "))
    heads: dict[str, Any] = {}
    for head in agency_heads():
        heads.setdefault(head.words.lower(), head)
    pattern = re.compile(_NAME_OPENERS + r"(" + "|".join(map(re.escape, heads)) + r") (?!luật\b)(\w)")

    def named(match: re.Match[str]) -> str:  # "sở y tế" → "Sở Y tế", "ủy ban nhân dân" → "Ủy ban nhân dân"
        head = heads[match.group(1)]
        following = match.group(2).upper() if head.needs_name else match.group(2)
        return f"{head.words[:1].upper()}{head.words[1:]} {following}"

    text = pattern.sub(named, text)
    text = re.sub(r"(?<!\w)(luật|bộ luật|pháp lệnh) (\w)", lambda m: m.group(1).capitalize() + " " + m.group(2).upper(), text)
    text = re.sub(r"(?<!\w)(chính phủ|quốc hội|việt nam)(?!\w)", lambda m: m.group(1)[:1].upper() + m.group(1)[1:].replace(" nam", " Nam"), text)
    text = re.sub(r"(?<!\w)tỉnh (ủy|uỷ)(?!\w)", lambda m: "Tỉnh " + m.group(1), text)
    text = re.sub(r"\b([ivxlc]{2,})\b", lambda m: m.group(1).upper(), text)
    text = capitalize_first(text)
    for name in find_provinces(text):
        text = re.sub(re.escape(name.lower()), name, text, flags=re.I)
    for code in issuer_codes().values():  # the issuer's own spelling when it is a known body
        if fold(text) == fold(code.name):
            return code.name
    return text


# ---------------------------------------------------------------- date, signer, effect


def _date(head: list[str], title: str) -> tuple[str, int | None, str]:
    for line in head:
        if _TITLE_STOP.match(line.strip()) and not line.strip().startswith("("):
            break  # "Căn cứ Luật … ngày 19 tháng 6 năm 2015" dates another document
        match = _DATE_LINE.search(line)
        if match and (match.group("place") or line.strip().lower().startswith("ngày")):
            place = (match.group("place") or "").strip()
            place = "" if fold(place) in ("so", "ngay") or kind_named(place) else place
            year = int(match.group("y"))
            if match.group("d") and match.group("m"):
                return place, year, f"{int(match.group('d')):02d}/{int(match.group('m')):02d}/{year}"
            return place, year, f"năm {year}"
    years = re.findall(r"(?<!vào )(?<!đến )năm (\d{4})\s*$", title)
    if years:
        return "", int(years[-1]), ""
    return "", None, ""


def _signer(body: list[str]) -> tuple[str, str]:
    """Who signed ("Vũ Đức Đam") and in what capacity ("TM. CHÍNH PHỦ / KT. THỦ TƯỚNG / PHÓ THỦ
    TƯỚNG"); a joint document's signers separated by "; " in the same order in both."""
    named = [s for s in signatures(body) if s.name]
    names = "; ".join(s.name for s in named)
    titles = "; ".join(" / ".join(t for t in (s.authority, s.title) if t) for s in named)
    return names, titles


def _effective(body: list[str], signed: str) -> tuple[str, str]:
    for line in body:
        if not _THIS_DOCUMENT.search(line):
            continue
        match = _EFFECTIVE.search(line)
        if not match:
            continue
        sentence = _sentence_around(line, match.start())
        if match.group("signed"):
            return signed, sentence
        if match.group("slash"):
            d, m, y = match.group("slash").split("/")
        else:
            d, m, y = match.group("d"), match.group("m"), match.group("y")
        return f"{int(d):02d}/{int(m):02d}/{y}", sentence
    return "", ""


def _sentence_around(line: str, position: int) -> str:
    start = max(line.rfind(". ", 0, position) + 2, line.rfind("; ", 0, position) + 2, 0)
    ends = [i for i in (line.find(". ", position), line.find("; ", position)) if i >= 0]
    end = min(ends) + 1 if ends else len(line)
    return line[start:end].strip()


def _relations(body: list[str], title: str, effective: str) -> list[Relation]:
    """What the closing articles (and an amending title) say this document does to others:
    "<văn bản này> thay thế …", "bãi bỏ …", "Các văn bản sau đây hết hiệu lực …: a) … b) …",
    "sửa đổi, bổ sung một số điều của …". "thuốc thay thế" or "được sửa đổi, bổ sung, thay thế"
    name no document and state nothing."""
    found: list[Relation] = []
    statements = _statements(body)
    if _AMENDS.search(title):
        statements.insert(0, (title, []))
    seen: set[tuple[str, str, tuple[str, str | None]]] = set()
    for intro, items in statements:
        relation, scope = _relation_of(intro)
        if relation is None:
            continue
        when = _when(intro, effective)
        for text in [scope] + items if scope else items:
            for reference in cited_documents(text):
                key = (relation, reference.kind.name if reference.kind else "", number_parts(reference.number))
                if reference.kind is None or key in seen:
                    continue
                seen.add(key)
                partial = bool(re.search(r"(?:Điều|Khoản|khoản|Điểm|điểm|Chương|Mục|Phụ lục)\s+[\w,\s]{0,40}(?:của|tại)\s+" + re.escape(reference.text), text))
                found.append(Relation(relation + ("-part" if partial else ""), reference.kind.name, reference.number, when, collapse_spaces(text)[:400]))
                if relation == "amends":
                    break  # "sửa đổi, bổ sung … của Thông tư liên tịch số 17/2007 …": the one amended
    return found


_AMENDS = re.compile(r"\bsửa đổi, bổ sung\b(?: một số (?:điều|điểm|khoản))?(?: của)?", re.I)
_REPLACES = re.compile(_THIS_DOCUMENT.pattern + r"\s+thay thế\b")
_REPEALS = re.compile(r"\b[Bb]ãi bỏ\b")
_CEASES = re.compile(r"\bhết hiệu lực\b")


def _relation_of(intro: str) -> tuple[str | None, str]:
    """(relation, the text naming the documents it applies to, when the intro itself names them)."""
    if match := _REPLACES.search(intro):
        return "replaces", intro[match.end() :]
    if match := _REPEALS.search(intro):
        return "repeals", intro[match.end() :]
    if _CEASES.search(intro):
        return "ceases", intro[: intro.find("hết hiệu lực")]
    if (match := _AMENDS.search(intro)) and not re.search(r"được\s+sửa đổi", intro) and (_THIS_DOCUMENT.search(intro[: match.start()]) or match.start() < 40):
        return "amends", intro[match.end() :]
    return None, ""


def _when(intro: str, effective: str) -> str:
    explicit = re.search(r"(?:từ|kể từ)\s+ngày\s+(\d{1,2}) tháng (\d{1,2}) năm (\d{4})", intro)
    if explicit:
        return f"{int(explicit.group(1)):02d}/{int(explicit.group(2)):02d}/{explicit.group(3)}"
    return effective if re.search(r"có hiệu lực|kể từ ngày ký", intro) else ""


_LIST_ITEM = re.compile(r"^(?:[-+•]\s|[a-zđ]\)\s)")


def _statements(body: list[str]) -> list[tuple[str, list[str]]]:
    """Body sentences that may state effect, each with the list under it ("… sau đây hết hiệu
    lực …:" + "a) Nghị định số …"). The preamble's "Căn cứ …" cites documents in force instead."""
    statements: list[tuple[str, list[str]]] = []
    preamble = True
    listing = False
    for line in body:
        text = line.strip()
        if preamble and re.match(r"^(Điều\s+1\b|I[\.\-]\s|1\.\s|Chương\s+I\b)", text):
            preamble = False
        if preamble:
            continue
        if listing and not re.match(r"^(?:\d+\.\s|Điều\s+\d|Chương\s)", text):
            if _LIST_ITEM.match(text) or not statements[-1][1]:
                statements[-1][1].append(text)
            else:  # a line the page break split from its item
                statements[-1][1][-1] += " " + text
            continue
        statements.append((text, []))
        listing = text.rstrip().endswith(":")
    return [s for s in statements if _REPLACES.search(s[0]) or _REPEALS.search(s[0]) or _CEASES.search(s[0]) or _AMENDS.search(s[0])]
