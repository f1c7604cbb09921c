"""Agencies (Sở Y tế, Công an tỉnh, UBND các huyện…): recognising their names in headings and questions.

Responsibility sections are headed by the agency's name ("4. Sở Y tế", "5. Sở Thông tin và
Truyền thông: …", "**6. Ban Tổ chức Tỉnh ủy** chủ trì…"), so a name is an agency head word
followed by the words up to the first punctuation or action verb.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from assistant.places import known_provinces
from assistant.text import UPPER, collapse_spaces, fold

# Words that open an agency's name.
AGENCY_HEADS = (
    "Công an", "Bộ Chỉ huy", "Ủy ban", "Uỷ ban", "UBND", "Đảng ủy", "Đảng uỷ",
    "Văn phòng", "Trung tâm", "Viện kiểm sát", "Viện Kiểm sát", "Tòa án", "Toà án",
    "Liên đoàn", "Tỉnh đoàn", "Mặt trận", "Cơ quan", "Các sở",
    "Các phòng", "Các Chi cục", "Các cơ quan", "Các cấp ủy", "Các cấp uỷ", "Hội đồng", "Bộ Tư lệnh",
    "Cơ sở cai nghiện", "Thường trực",
)
# Words that open an agency's name only before a capitalised word: "Ban Tổ chức", not "Ban hành".
NAMED_HEADS = ("Sở", "Ban", "Phòng", "Hội", "Đoàn", "Đài", "Báo", "Viện", "Cục", "Chi cục", "Bộ đội", "Bộ")
_HEAD = re.compile(
    r"^(?:Đề nghị\s+)?(?:(?:"
    + "|".join(sorted(map(re.escape, AGENCY_HEADS), key=len, reverse=True))
    + r")\b|(?:"
    + "|".join(sorted(map(re.escape, NAMED_HEADS), key=len, reverse=True))
    + rf")\s+[{UPPER}])"
)

# Where a name ends when a heading runs straight into the task ("Ban Tổ chức Tỉnh ủy chủ trì, …").
_ACTION_WORDS = (
    "chủ trì", "phối hợp", "lãnh đạo", "chỉ đạo", "tham mưu", "có trách nhiệm", "chịu trách nhiệm",
    "thực hiện", "triển khai", "căn cứ", "theo dõi", "hướng dẫn", "rà soát", "tăng cường",
    "xây dựng", "nghiên cứu", "đẩy mạnh", "là ", "được ", "cần ", "phải ", "theo chức năng",
)
_ACTION = re.compile(r"\s(?:" + "|".join(map(re.escape, _ACTION_WORDS)) + r")")

# Headings that start like an agency but name a topic.
_NOT_AGENCY = re.compile(r"^(Công tác|Báo cáo|Chế độ|Kinh phí|Mục tiêu|Yêu cầu|Quan điểm|Phòng,? chống|Phòng ngừa)", re.I)


def is_agency_name(title: str) -> bool:
    return bool(_HEAD.match(title)) and not _NOT_AGENCY.match(title)


def agency_title(rest: str, emphasis: str | None = None) -> str:
    """The agency (or topic) name at the start of a numbered heading's text."""
    if emphasis:
        name = emphasis.rstrip(":").strip()
        match = _ACTION.search(name) if is_agency_name(name) else None
        return name[: match.start()].strip(" ,") if match else name
    head = rest.split(":", 1)[0].strip()
    if ":" in rest and len(head) <= 120:
        return head
    if len(rest) <= 100 and not rest.rstrip().endswith((".", ";")):
        return rest.strip()
    if is_agency_name(rest):
        match = _ACTION.search(rest)
        if match and match.start() <= 120:
            return rest[: match.start()].strip(" ,")
    return ""


def split_agencies(title: str) -> list[str]:
    """ "Sở Giáo dục và Đào tạo, Tỉnh đoàn Sơn La" → both; "Sở Thông tin và Truyền thông" stays one."""
    name = re.sub(r"^Đề nghị\s+", "", title).strip(" .;:")
    cuts = [0]
    for separator in re.finditer(r",\s+|\s+và\s+", name):
        if is_agency_name(name[separator.end() :]):
            cuts.append(separator.start())
            cuts.append(separator.end())
    cuts.append(len(name))
    parts = [name[cuts[i] : cuts[i + 1]].strip(" ,") for i in range(0, len(cuts), 2)]
    return [part for part in parts if part]


def agency_key(name: str) -> str:
    """Accent-, case- and spelling-insensitive key: "Sở Lao động - Thương binh và Xã hội" ≈ "sở lao động, thương binh và xã hội"."""
    key = fold(name)
    key = re.sub(r"^de nghi\s+", "", key)
    key = re.sub(r"\bubnd\b", "uy ban nhan dan", key)
    key = re.sub(r"[^\w]+", " ", key)
    return collapse_spaces(key)


@lru_cache(maxsize=1)
def _aliases() -> tuple[dict[str, str], re.Pattern[str]]:
    """alias key → canonical key (data/agency_aliases.tsv), and one pattern matching any alias."""
    text = resources.files("assistant.data").joinpath("agency_aliases.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    table = {agency_key(alias): agency_key(canonical) for alias, canonical in rows}
    table.update({canonical: canonical for canonical in set(table.values())})  # "bộ đội biên phòng" stays itself
    alternatives = "|".join(re.escape(alias) for alias in sorted(table, key=len, reverse=True))
    return table, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@lru_cache(maxsize=1)
def _place_tail() -> re.Pattern[str]:
    provinces = "|".join(sorted((re.escape(agency_key(p)) for p in known_provinces()), key=len, reverse=True))
    return re.compile(rf"(?:\s+(?:tren dia ban|cua|thuoc)?\s*(?:tinh|thanh pho)?\s*(?:{provinces})|\s+tinh)$")


def canonical_names(key: str) -> str:
    """An agency key with the names staff use for the same body unified ("tỉnh đoàn" → "đoàn
    thanh niên", "hội liên hiệp phụ nữ" → "hội phụ nữ"); applied to questions and names alike."""
    table, pattern = _aliases()
    return pattern.sub(lambda m: table[m.group(0)], key)  # one pass: a replacement is never re-read


def agency_identity(key: str) -> str:
    """Which body a name denotes, whatever the document calls it: aliases unified, a leading
    "các" and a trailing place ("tỉnh", "tỉnh Sơn La") dropped. "Viện Kiểm sát nhân dân" in one
    plan and "Viện kiểm sát nhân dân tỉnh" in another are one body."""
    identity = re.sub(r"^cac\s+", "", canonical_names(key))
    while True:
        shorter = _place_tail().sub("", identity).strip()
        if shorter == identity or not shorter:
            return identity
        identity = shorter
