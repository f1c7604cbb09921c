"""Agencies (Bộ Y tế, Sở Y tế, Công an tỉnh, UBND các huyện…): bodies a document assigns tasks to.

They are recognised where a document assigns tasks, not wherever a line starts with a noun: a
plan's responsibility block ("4. Sở Y tế", "5. Sở Thông tin và Truyền thông: …", "**6. Ban Tổ
chức Tỉnh ủy** chủ trì…"), an article "Trách nhiệm của Bộ Y tế", a clause "Bộ Công an có trách
nhiệm …". A name is a head word from data/agency_heads.tsv followed by the words up to the first
punctuation or duty verb; national and provincial bodies are the same kind of thing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from assistant.documents.vocabulary import agency_heads
from assistant.places import known_provinces
from assistant.text import UPPER, collapse_spaces, fold, tone_optional

def _head_alternatives() -> str:
    """Head words with or without their tone marks: an OCR that lost one ("Uy ban nhân dân") still names a body."""
    plain = [tone_optional(h.words) + r"\b" for h in agency_heads() if not h.needs_name]
    named = [tone_optional(h.words) + rf"\s+[{UPPER}]" for h in agency_heads() if h.needs_name]
    return "|".join(plain + named)


_REQUEST = re.compile(rf"^{tone_optional('Đề nghị')}\s+")  # "Đề nghị Tòa án nhân dân tối cao …": a body asked, not ordered
_HEAD = re.compile(rf"^(?:{tone_optional('Đề nghị')}\s+)?(?:" + _head_alternatives() + ")")

# Where a name ends when a heading runs straight into the task ("Ban Tổ chức Tỉnh ủy chủ trì, …").
_ACTION_WORDS = (
    "chủ trì", "phối hợp", "lãnh đạo", "chỉ đạo", "tham mưu", "có trách nhiệm", "chịu trách nhiệm",
    "thực hiện", "triển khai", "căn cứ", "theo dõi", "hướng dẫn", "rà soát", "tăng cường",
    "xây dựng", "nghiên cứu", "đẩy mạnh", "là ", "được ", "cần ", "phải ", "theo chức năng",
    "có nhiệm vụ", "có quyền", "quyết định", "ban hành", "bảo đảm", "đảm bảo", "quy định",
)
_ACTION = re.compile(r"\s(?:" + "|".join(map(tone_optional, _ACTION_WORDS)) + r")")
# A duty sentence: "<agency> có trách nhiệm …", "<agency> chủ trì …", "<agency>: …".
# Written with or without each tone mark: an OCR loses some ("Trach nhiệm của Bộ Y tế").
_DUTY_WORDS = ("có trách nhiệm", "chịu trách nhiệm", "có nhiệm vụ", "chủ trì", "thực hiện", "hướng dẫn", "chỉ đạo", "tổ chức",
               "bảo đảm", "đảm bảo", "quy định", "ban hành", "quyết định", "phối hợp", "tham mưu", "xây dựng", "rà soát", "triển khai")
_DUTY = re.compile(r"\s(?:" + "|".join(map(tone_optional, _DUTY_WORDS)) + r")\b|:")
_RESPONSIBILITY = re.compile(
    "^(?:" + "|".join(map(tone_optional, ("Trách nhiệm", "Nhiệm vụ", "Nhiệm vụ, quyền hạn", "Nhiệm vụ và quyền hạn", "Trách nhiệm và quyền hạn", "Trách nhiệm, quyền hạn")))
    + f")(?: {tone_optional('thi hành')})? {tone_optional('của')}" + r"\s+(.+?)\s*$"
)
_MADE_OF = re.compile(rf"\s(?:bao {tone_optional('gồm')}|{tone_optional('gồm')}|{tone_optional('là')})$")  # what a body is made of, not a duty
_OTHER_VERB = re.compile(r"\s(?:" + "|".join(map(tone_optional, ("lập", "gửi", "tiếp nhận", "thông báo", "xác minh", "kiểm tra", "báo cáo", "đề nghị",
                                                                   "trả lời", "cấp giấy", "lấy mẫu", "liên lạc", "là"))) + r")[\s,]")
MAX_NAME_WORDS = 18
_PLURAL_HEADS = {"cac co quan", "cac bo", "cac so", "cac phong", "cac cap uy", "co quan chuyen trach"}

# Headings that start like an agency but name a topic.
_NOT_AGENCY = re.compile(r"^(Công tác|Báo cáo|Chế độ|Kinh phí|Mục tiêu|Yêu cầu|Quan điểm|Phòng,? chống|Phòng ngừa|Thanh tra viên|Kiểm sát viên|Điều tra viên)", re.I)  # people, not bodies


def _opens_name(text: str) -> bool:
    return bool(_HEAD.match(text)) and not _NOT_AGENCY.match(text) and not text.rstrip().endswith((".", ";"))


def is_agency_name(title: str) -> bool:
    """A body's name (or a list of them): opens with a head word from data/agency_heads.tsv, each
    name short enough to be a name rather than a sentence, and more than a plural head alone
    ("Các cơ quan")."""
    if not _opens_name(title):
        return False
    names = split_agencies(title)
    return all(len(n.split()) <= MAX_NAME_WORDS and fold(n) not in _PLURAL_HEADS for n in names)


def responsible_agencies(article_title: str) -> list[str]:
    """ "Trách nhiệm của Bộ Lao động - Thương binh và Xã hội" → that body. An article for a group
    ("… của các bộ, ngành liên quan") names none: its clauses each name theirs."""
    match = _RESPONSIBILITY.match(article_title.strip().rstrip(".:"))
    if not match:
        return []
    subject = match.group(1)
    return split_agencies(subject) if is_agency_name(subject) else []


def duty_agency(text: str) -> str | None:
    """The body a clause or point assigns a duty to, when it opens with it: "Bộ Công an có trách
    nhiệm …", "Bộ Y tế: …", "Ủy ban nhân dân cấp tỉnh chỉ đạo …". A clause that opens with a
    person or a facility ("Cơ sở cai nghiện ma túy có quyền …") assigns nothing to a body."""
    bare = text.strip().rstrip(":")
    if is_agency_name(bare) and not _DUTY.search(bare) and not _MADE_OF.search(bare):  # "1. Bộ Công an" above its points
        return _REQUEST.sub("", bare)
    match = _DUTY.search(text)
    if not match or match.start() == 0:
        return None
    name = text[: match.start()].strip(" ,")
    # "Công an cấp xã lập biên bản vi phạm theo Mẫu số 18 … ; quyết định …": the body is the subject
    # of the first verb, not everything before the duty word.
    name = _OTHER_VERB.split(name, maxsplit=1)[0].strip(" ,")
    if _MADE_OF.search(name):
        return None  # "Cơ quan chuyên trách … bao gồm:" says what a body is made of, not what it must do
    if is_agency_name(name) and len(name.split()) <= MAX_NAME_WORDS:
        return _REQUEST.sub("", name)
    return None


def agency_title(rest: str, emphasis: str | None = None) -> str:
    """The agency (or topic) name at the start of a numbered heading's text."""
    if emphasis:
        name = emphasis.rstrip(":").strip()
        match = _ACTION.search(name) if _opens_name(name) else None
        return name[: match.start()].strip(" ,") if match else name
    head = rest.split(":", 1)[0].strip()
    if ":" in rest and len(head) <= 120:
        return head
    if len(rest) <= 100 and not rest.rstrip().endswith((".", ";")):
        return rest.strip()
    if _opens_name(rest.rstrip(".;")):
        match = _ACTION.search(rest)
        if match and match.start() <= 120:
            return rest[: match.start()].strip(" ,")
    return ""


def split_agencies(title: str) -> list[str]:
    """ "Sở Giáo dục và Đào tạo, Tỉnh đoàn Sơn La" → both; "Sở Thông tin và Truyền thông" stays one."""
    name = _REQUEST.sub("", title).strip(" .;:")
    cuts = [0]
    for separator in re.finditer(r",\s+|\s+và\s+", name):
        if _opens_name(name[separator.end() :]):
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
