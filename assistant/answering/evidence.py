"""What counts as an answer of a kind, in any form Vietnamese administrative texts write it.

A time: "03 ngày làm việc", "trong thời hạn 24 giờ", "từ 06 tháng đến 12 tháng", "02 năm",
"hằng năm trước ngày 15/12", "trước ngày 04/7/2023", "một tuần một lần". An amount: "450.000 đ",
"5.000.000 đồng", "0,8 mức lương cơ sở", "25% mức lương cơ sở", "20 lần mức chuẩn trợ giúp xã
hội". A figure: a number next to the noun asked about ("bao nhiêu xã" → "504 xã"), a percentage.
"""

from __future__ import annotations

import re

from assistant.answering.passages import COUNTED, FOLDED
from assistant.text import fold, tones_optional

_UNIT = r"(?:ngày làm việc|ngày|giờ|tháng|năm|tuần|phút|quý)"
TIME = re.compile(
    rf"\b\d{{1,3}}(?:[,\.]\d+)?\s*{_UNIT}\b|\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b|\bngày\s*\d{{1,2}}\b|\btháng\s*\d{{1,2}}\b|\bquý\b|"
    r"hằng (?:năm|tháng|quý|tuần|ngày)|hàng (?:năm|tháng|quý|tuần|ngày)|định kỳ|\btrước ngày|\bnăm 20\d\d\b|\bgiai đoạn 20\d\d|"
    r"\b(?:một|hai|ba|mỗi|01|02|03)\s+(?:lần|tuần|tháng|năm|quý)\b|\b(?:một|hai|ba)\s+(?:ngày|giờ)\b|kể từ ngày ký|ngay sau|kịp thời|ngay khi",
    re.I,
)
_AMOUNT = r"\d[\d\.,]*\s*(?:đồng|đ\b|triệu|tỷ|nghìn|ngàn|VNĐ|vnđ|USD)|\d+(?:,\d+)?\s*(?:lần\s+)?mức (?:lương|chuẩn|tiền)|mức lương cơ sở|mức chuẩn trợ giúp"
MONEY = re.compile(_AMOUNT, re.I)
MONEY_OR_SHARE = re.compile(_AMOUNT + r"|\d[\d,\.]*\s*%", re.I)  # "hỗ trợ bao nhiêu phần trăm chi phí" → "95% chi phí"
ASKS_SHARE = re.compile(r"phan tram|%|ty le")
FIGURE = re.compile(r"\d")
# "Quyết định số 184/QĐ-UBND ngày 31/01/2024" dates a reference, not a deadline.
REFERENCE_DATE = re.compile(
    r"(?:số|Số)\s+[\w/\-]+(?:\s*,)?\s+ngày\s*\d{1,2}(?:/\d{1,2}/\d{2,4}|\s+tháng\s+\d{1,2}\s+năm\s+\d{4})"
)
ASKS_REFERENCE = re.compile(r"\b(to trinh|quyet dinh|cong van|van ban|nghi quyet|chi thi|thong bao|trinh|so hieu)\b")
CONTACT = re.compile(r"địa chỉ|số \d+,? đường|đường [A-ZĐ]|gửi về|gửi [^.;]{0,40}(?:về|đến|cho)|qua phòng|báo cáo [^.;]{0,60}(?:về|đến)", re.I)
PHONE = re.compile(r"điện thoại:?\s*[\d\.\s]{7,}|\b0\d{2,3}[\.\s]?\d{3,4}[\.\s]?\d{3,4}\b", re.I)
# A theme and a span asked ("bao nhiêu ngày") are read with or without tone marks (`tones_optional`):
# an OCR loses some ("05 ngay làm viêc"). Not `TIME` as a whole: "quý" without its mark is "quy" of
# every "quy định".
THEME = re.compile(tones_optional(r"chủ đề|thông điệp|khẩu hiệu"), re.I)
STATED_THEME = re.compile(tones_optional(r"(?:chủ đề|thông điệp|khẩu hiệu)\s*(?:là\s*)?") + r"[:]?\s*[“\"«]", re.I)  # the theme itself, in quotes
BASIS_LINE = re.compile(r"^\s*(?:Căn cứ|Thực hiện)\b")  # a line citing other documents: their dates are theirs
# What a document rests on, as its preamble says it; matched on folded text, as an OCR prints it
# ("Theo dé nghị cua Bộ trưởng …", "Căn cu …"): `BASIS.match(fold(line))`.
BASIS = re.compile(r"^(?:can cu|thuc hien|theo de nghi|xet de nghi)\b")

_COUNT_WORD = re.compile(r"\b(?:bao nhieu|may)\s+((?:[a-z]+\s*){1,3})")
_NOT_NOUN = set("phan tram % la duoc co thi se da cua trong nam the vay ha a nhi khong".split())


_SHARE_OF = re.compile(r"\b(?:phan tram|%|ty le|ti le)\s+(?:(?:so|cua|cac|nhung)\s+)*([a-z]+)")


_ASKED_SPAN = re.compile(r"\b(?:bao nhieu|may|toi da bao nhieu|toi thieu bao nhieu)\s+(ngay|gio|thang|nam|tuan|phut)\b")
_SPAN_UNITS = {"ngay": "ngày", "gio": "giờ", "thang": "tháng", "nam": "năm", "tuan": "tuần", "phut": "phút"}


def time_requirement(folded_question: str) -> re.Pattern[str]:
    """ "bao nhiêu năm", "mấy ngày" want a count of that unit ("từ 02 năm đến 05 năm", "03 ngày làm
    việc", "một năm"), not any time word ("kịp thời", "hằng năm"); other time questions take `TIME`."""
    match = _ASKED_SPAN.search(folded_question)
    if not match:
        return TIME
    unit = _SPAN_UNITS[match.group(1)]
    return re.compile(tones_optional(rf"(?:\b\d{{1,3}}(?:[,\.]\d+)?|\b(?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mười hai|nửa))\s*{unit}\b"), re.I)


# Deadlines are written "Trong thời hạn 15 ngày, kể từ ngày …, Tòa án phải ra một trong các quyết định
# …"; staff ask "… thì phải ra quyết định trong bao lâu?", "có mấy ngày để ra quyết định?": the act the
# time is for follows "phải" / "để" on both sides.
# Folded: a question typed without accents, or whose accents were restored, may read "để" as "đề";
# "đề nghị", "đề xuất", "đề án" are no act.
_ACT_AFTER = re.compile(r"\b(?:phai|de(?!\s+(?:nghi|xuat|an|tai|cuong|muc)\b))\s+((?:[a-z]+\s*){1,3})")
_ACT_STOP = set("trong thoi han bao lau may ngay nhieu vong toi da thieu la thi vay a khong chua lam gi nao nhung cac co".split())
ACT_WORDS = 6  # how far after "phải" a passage's act may spread ("phải ra một trong các quyết định")


def asked_act(question: str) -> list[str]:
    """The act a time question asks about, folded ("ra quyết định" of "… phải ra quyết định trong
    bao lâu?", "có mấy ngày để ra quyết định"); [] when it names none."""
    for match in _ACT_AFTER.finditer(fold(question)):
        words = []
        for word in match.group(1).split():
            if word in _ACT_STOP:
                break
            words.append(word)
        if len(words) >= 2:
            return words
    return []


def does_act(folded_passage: str, act: list[str]) -> bool:
    """Is the asked act what the passage says must be done ("phải ra một trong các quyết định")?
    Its first word right after "phải", the rest within a few words."""
    for match in re.finditer(r"\bphai\s+((?:\S+\s*){1,%d})" % ACT_WORDS, folded_passage):
        after = match.group(1).split()
        if after and after[0] == act[0] and all(w in after for w in act[1:]):
            return True
    return False


def figure_requirement(folded_question: str) -> re.Pattern[str]:
    """ "bao nhiêu xã" wants a number next to "xã"; "bao nhiêu phần trăm số người nghiện" wants a
    percentage in a passage about people ("người"), not any percentage."""
    if re.search(r"phan tram|%|ty le|ti le", folded_question):
        share_of = _SHARE_OF.search(folded_question)
        noun = share_of.group(1) if share_of and share_of.group(1) not in _NOT_NOUN else ""
        about = rf"(?=.*\b{re.escape(noun)}\b)" if noun else ""
        change = re.search(r"\b(giam|tang)\b(?=.*\b(?:bao nhieu|may)\b)", folded_question)
        if change:  # "giảm bao nhiêu phần trăm": a rate of change, not any share
            about += rf"(?=.*\b{change.group(1)}\b)"
        return re.compile(FOLDED + about + r".*?\d[\d\.,]*\s*%")
    match = _COUNT_WORD.search(folded_question)
    if match:
        noun = [w for w in match.group(1).split() if w not in _NOT_NOUN][:1]
        if noun:  # "504 xã", "37.000 người", "100% diện tích"
            return re.compile(FOLDED + COUNTED + rf"\d[\d\.,/]*\s*%?\s*(?:[a-z]+\s+)?{re.escape(noun[0])}\b")
    return FIGURE


def money_about(amount: re.Pattern[str], subjects: list[str]) -> re.Pattern[str]:
    """An amount in a passage that names what the amount is for: asked "mức tiền ăn", a passage
    about "tiền ăn"; asked "lệ phí", one about "lệ phí" — not any sum of money. A question asks in
    the passive ("bị phạt bao nhiêu", "được hỗ trợ bao nhiêu") what a text states actively ("Phạt
    tiền từ …", "hỗ trợ …"): the passive marker is the asker's, not the subject."""
    words = [re.sub(r"^(?:dinh muc|muc|so|bi|duoc)\s+", "", s) for s in subjects]
    words = [w for w in dict.fromkeys(words) if w and w not in ("muc", "dinh muc")]
    if not words:
        return amount
    about = r"(?=.*\b(?:" + "|".join(map(re.escape, words)) + r")\b)"
    return re.compile(FOLDED + about + ".*?(?:" + fold(amount.pattern) + ")", amount.flags)  # both checked folded


def is_counted(requirement: re.Pattern[str] | None) -> bool:
    return requirement is not None and requirement.pattern.startswith(FOLDED + COUNTED)


def amount_or_figure(folded_question: str, money: bool, money_subjects: list[str]) -> re.Pattern[str]:
    """What a passage must hold to answer a question asking an amount (about what it is for) or a
    figure (next to the noun counted): the figures answerer's requirement, and the proof a refusal
    of either needs."""
    if money:
        return money_about(MONEY_OR_SHARE if ASKS_SHARE.search(folded_question) else MONEY, money_subjects)
    return figure_requirement(folded_question)
