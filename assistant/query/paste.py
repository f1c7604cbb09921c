"""Strip chat scaffolding from questions pasted out of Zalo/Messenger.

Staff forward questions as they got them: "[09:41] Anh Tuấn: ae oi SYT SL phai lam j 🙏",
"Fwd: so y te phai lam gi", several messages at once. Retrieval must see only the question, so
timestamps, sender names, forward prefixes, quoted replies, media markers, emojis and URLs go;
dates ("26/6", "04/7/2023"), numbers and every word of the question stay.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import re
import unicodedata

from assistant.places import known_provinces
from assistant.text import collapse_spaces, fold, nfc

__all__ = ["clean_paste", "asks_question"]

# "09:41", "9:41:05 AM", "[23/11 09:41]", "23/11/2023, 09:41", "Hôm qua lúc 09:41"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:AM|PM|SA|CH)\b)?(?!\w)"
_DATE = r"\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?"
_DAY = r"(?:hôm nay|hôm qua|hom nay|hom qua|today|yesterday|T[2-7]|CN|thứ [2-7]|chủ nhật)\b"
_STAMP = rf"(?:{_DAY}[\s,]*(?:lúc\s*)?)?(?:{_DATE}[\s,]*(?:lúc\s*)?)?{_TIME}"
_LEADING_STAMP = re.compile(rf"^\s*(?:\[\s*{_STAMP}\s*\]|\(\s*{_STAMP}\s*\)|{_STAMP})\s*[-–,]?\s*", re.I)
_LEADING_BRACKET_DATE = re.compile(rf"^\s*\[\s*{_DATE}\s*\]\s*")
_BRACKET_STAMP = re.compile(rf"\[\s*{_STAMP}\s*\]", re.I)

_FORWARD = re.compile(
    r"^\s*(?:fwd?|fw|chuyển tiếp|chuyen tiep|tin nhắn chuyển tiếp|forwarded message)\s*:\s*", re.I
)
_FORWARD_LINE = re.compile(
    r"^\s*(?:-+\s*)?(?:forwarded message|tin nhắn (?:được )?chuyển tiếp|đã chuyển tiếp|"
    r"tin nhắn đã (?:được )?thu hồi|đã thu hồi (?:một )?tin nhắn|đã xem|seen)\s*-*\s*$",
    re.I,
)
_QUOTE = re.compile(r"^\s*>")
_REPLY = re.compile(r"^\s*(?:trả lời|tra loi|đang trả lời|replying to|reply to)\b", re.I)

_MARKERS = (
    "sticker|hình ảnh|hinh anh|ảnh|anh|image|photo|picture|file|tệp|tep|tệp tin|video|gif|"
    "link|liên kết|tin nhắn thoại|voice|audio|ghi âm|danh thiếp|vị trí|location|emoji|"
    "cuộc gọi[^\\]]{0,30}|cuoc goi[^\\]]{0,30}|album[^\\]]{0,10}|\\d+ ảnh|\\d+ hình ảnh"
)
_MARKER = re.compile(rf"\[\s*(?:{_MARKERS})\s*\]|<\s*(?:media omitted|ảnh|sticker)\s*>", re.I)
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|vn|net|org|me|io|ly|gl)(?:/\S*)?\b(?!\.\w)", re.I
)
_EMOTICON = re.compile(
    r"(?<!\w)(?:[:;=]-?[)(DPpOo3v]+|[:;=]\)+|=\)+|:\(+|\^[_.-]?\^|-_-|<3+|:v|T_T|:'\()(?!\w)"
)
_KEEP_SYMBOLS = {"°", "№"}

_KINSHIP = {"anh", "chị", "chi", "em", "cô", "co", "chú", "chu", "bác", "bac", "ông", "ong", "bà", "ba",
            "a", "c", "e", "đ/c", "đc", "dc", "đồng", "thầy", "sếp", "sep"}
# A "Name:" whose words are these is a label or an agency, not a sender.
_NOT_NAME = {"câu hỏi", "hỏi", "hoi", "trả lời", "tra loi", "lưu ý", "ví dụ", "nội dung", "chủ đề",
             "tiêu đề", "ghi chú", "note", "question", "q", "a", "đáp", "kết luận", "tóm tắt", "vd"}
_NOT_NAME_FOLDED = {fold(x) for x in _NOT_NAME}
# Words that make "X Y: …" a subject ("Sở Y tế: …", "Hà Giang: …") rather than a sender's name.
_AGENCY_WORDS = {"so", "ubnd", "uy", "ban", "bo", "cong", "tinh", "huyen", "xa", "phong", "vp",
                 "van", "hoi", "doan", "syt", "cat", "ca", "dieu",
                 "khoan", "muc", "ke", "hoach", "quyet", "dinh", "nghi", "thang", "nam", "ngay"}
_AGENCY_WORDS |= {w for name in known_provinces() for w in fold(name).split()}
_NAME_WORD = re.compile(r"^[^\W\d_][\w.']*$")
_SENDER = re.compile(r"^\s*([^:\n?!]{1,48}?)\s*:\s+(?=\S)")
_HEADER = re.compile(rf"^\s*([^:\n?!\d]{{1,48}}?)[\s,·-]+(?:{_STAMP}|\[\s*{_STAMP}\s*\])\s*$", re.I)

# Question cues, compared on the raw lower-cased words (accented forms) and on chat spellings.
_ASK_WORDS = {"gì", "j", "gi", "nào", "nao", "ai", "sao", "ntn", "tn", "đâu", "bn", "bnhieu", "mấy",
              "hả", "hử", "chăng", "nhỉ"}
_ASK_PHRASES = ("bao nhiêu", "bao nhieu", "bao giờ", "bao gio", "khi nào", "khi nao", "thế nào",
                "the nao", "như thế nào", "nhu the nao", "ở đâu", "o dau", "làm sao", "lam sao",
                "có phải", "co phai", "hay không", "hay khong", "là gì", "la gi", "cho hỏi", "cho hoi",
                "cho em hỏi", "cho e hoi", "xin hỏi", "xin hoi", "em hỏi", "e hoi", "hỏi chút", "hoi chut")
_END_PARTICLES = {"không", "ko", "k", "hok", "hông", "khong", "kg", "hem", "chưa", "chua", "nhỉ", "nhi",
                  "hả", "ha", "à", "ak", "chăng", "vậy", "v", "z", "vay"}


def _strip_symbols(text: str) -> str:
    """Emojis, pictographs, joiners, variation selectors, private-use and control characters."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in _KEEP_SYMBOLS:
            out.append(ch)
        elif cat in ("So", "Cs", "Co", "Cn") or (cat == "Sk" and ord(ch) > 0x2000):
            out.append(" ")
        elif cat == "Cf" or (cat == "Cc" and ch not in "\n\t"):
            out.append(" " if ch in "\u200b\u2028\u2029" else "")
        elif cat == "Me" or (cat == "Mn" and ord(ch) >= 0xFE00):  # variation selectors, combining enclosing keycaps
            continue
        else:
            out.append(ch)
    return "".join(out)


def _is_name(candidate: str, *, level: str) -> bool:
    """A display name before ":", judged by how sure the context makes us.

    "plain" (a lone line): only "Anh Tuấn", "Chị Lan - VP" (kinship word + capitalised name);
    "capitalised": also "Tuấn", "Nguyễn Văn A", but no agency words ("Sơn La:", "Sở Y Tế:");
    "stamped" (after a timestamp, or in a chat log): any short name such as "Trung uy Nam",
    "Hoa SYT". Labels ("Câu hỏi:", "Lưu ý:") and anything with digits never are.
    """
    name = collapse_spaces(candidate)
    if not name or fold(name) in _NOT_NAME_FOLDED:
        return False
    main, _, _dept = name.partition(" - ")
    parts = main.split()
    if not 1 <= len(parts) <= 6 or any(not _NAME_WORD.match(p) for p in parts):
        return False
    kin = parts[0].lower() in _KINSHIP and len(parts) >= 2
    rest = parts[1:] if kin else parts
    if level == "stamped":
        return kin or parts[0][0].isupper()
    if not all(p[0].isupper() for p in rest):
        return False
    if kin:
        return True
    return level == "capitalised" and not any(fold(p) in _AGENCY_WORDS for p in rest)


def _strip_stamps(line: str) -> tuple[str, bool]:
    """Remove leading timestamps and forward prefixes; True when a timestamp was there."""
    stamped = False
    text = line
    for _ in range(8):
        before = text
        text = _FORWARD.sub("", text)
        m = _LEADING_STAMP.match(text) or _LEADING_BRACKET_DATE.match(text)
        if m:
            text, stamped = text[m.end():], True
        if text == before:
            break
    return text, stamped


def _strip_sender(text: str, *, sure: bool) -> tuple[str, bool]:
    """Remove a "Name:" prefix (or a "Name 09:41" header line); True when one was removed."""
    header = _HEADER.match(text)
    if header and _is_name(header.group(1), level="stamped"):
        return "", True
    m = _SENDER.match(text)
    if m and _is_name(m.group(1), level="stamped" if sure else "plain"):
        return _FORWARD.sub("", text[m.end():]), True
    return text, False


def _scrub(text: str) -> str:
    text = _URL.sub(" ", text)
    text = _MARKER.sub(" ", text)
    text = _BRACKET_STAMP.sub(" ", text)
    text = _EMOTICON.sub(" ", text)
    text = _strip_symbols(text)
    return collapse_spaces(text)


def asks_question(text: str) -> bool:
    """True when a message asks something: a "?" or a Vietnamese/chat question word."""
    if "?" in text:
        return True
    low = collapse_spaces(re.sub(r"[^\w\s/]", " ", text.lower()))
    tokens = low.split()
    if not tokens:
        return False
    if tokens[-1] in _END_PARTICLES or any(t in _ASK_WORDS for t in tokens):
        return True
    padded = f" {low} "
    return any(f" {p} " in padded for p in _ASK_PHRASES)


def _is_sender_line(line: str) -> bool:
    m = _SENDER.match(line)
    return bool(m and _is_name(m.group(1), level="capitalised"))


def _clean_once(text: str) -> str:
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_strip_stamps(ln) for ln in text.split("\n") if ln.strip()]
    # Unprefixed "Name:" counts as a sender only in a chat log (two or more such lines).
    log_like = sum(1 for content, _ in lines if _is_sender_line(content)) >= 2
    # Zalo PC copies a message as "Anh Tuấn" / "09:41" / text: a name line right before a bare
    # timestamp line is a header, not part of the previous message.
    headers = {
        i for i in range(len(lines) - 1)
        if lines[i + 1][1] and not lines[i + 1][0].strip() and _is_name(lines[i][0], level="stamped")
    }
    messages: list[list[str]] = [[]]
    quoted: list[str] = []
    for i, (raw, stamped) in enumerate(lines):
        if i in headers or _FORWARD_LINE.match(_scrub(raw)):
            continue
        if _QUOTE.match(raw):
            quoted.append(_scrub(raw.lstrip().lstrip(">")))
            continue
        content, named = _strip_sender(raw, sure=stamped or log_like)
        if _REPLY.match(content) and len(lines) > 1:
            quoted.append(_scrub(content))
            continue
        content = _scrub(content)
        if (stamped or named) and messages[-1]:
            messages.append([])
        if content:
            messages[-1].append(content)
    joined = [" ".join(m) for m in messages if m]
    if not joined:
        return collapse_spaces(" ".join(q for q in quoted if q))
    if len(joined) == 1:
        return joined[0]
    asking = [m for m in joined if asks_question(m)]
    return asking[-1] if asking else " ".join(joined)


def clean_paste(text: str) -> str:
    """The question inside a chat paste, NFC and single-spaced; never raises."""
    if not isinstance(text, str):
        return ""
    try:
        result = text
        for _ in range(len(text) + 1):  # until stable, so that cleaning is idempotent (each pass may peel one header)
            cleaned = _clean_once(result)
            if cleaned == result:
                break
            result = cleaned
        return nfc(collapse_spaces(result))
    except Exception:  # noqa: BLE001 - a paste must never break the question flow
        try:
            return nfc(collapse_spaces(_strip_symbols(text)))
        except Exception:  # noqa: BLE001
            return ""


_ASKED_LAST = frozenset("gi j nao nhieu lau khong ko chua sao dau may ai ntn".split())


@lru_cache(maxsize=1)
def _vocatives() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(leading "anh em ơi, …", trailing "… vậy mọi người?") patterns over folded text."""
    text = resources.files("assistant.data").joinpath("vocatives.txt").read_text("utf-8")
    names = sorted({fold(line.strip()) for line in text.splitlines() if line.strip() and not line.startswith("#")}, key=len, reverse=True)
    group = "|".join(re.escape(n) for n in names)
    leading = re.compile(rf"^(?:(?:{group})\s*(?:oi|a)?\s*[,:!]?\s+)+(?=\S)")
    trailing = re.compile(rf"(?P<comma>\s*,)?\s*(?:(?<!\w)(?P<particle>vay|z|v|nhe|nhi|a)\s+)?(?<!\w)(?:{group})\s*(?:oi|a|nhe|nhi)?\s*[?.!]*\s*$")
    return leading, trailing


def drop_vocatives(text: str) -> str:
    """The question without the group it is addressed to: "anh em ơi SYT phải làm gì vậy mọi người?"
    asks what the Sở Y tế must do. A trailing one only after the question is over — a particle,
    a comma or a question word before it ("… làm gì vậy mọi người?") —, never a noun's complement
    ("quyền của anh chị em"). Positions are those of the folded text, which keeps its length."""
    leading, trailing = _vocatives()
    folded = fold(text)
    if len(folded) != len(text):
        return text
    start = leading.match(folded)
    begin = start.end() if start else 0
    end = len(text)
    tail = trailing.search(folded, begin)
    if tail:
        before = folded[begin : tail.start()].split()
        if tail.group("comma") or tail.group("particle") or (before and before[-1] in _ASKED_LAST):
            end = tail.start()
    mark = text.rstrip()[-1:] if text.rstrip().endswith(("?", "!", ".")) and end < len(text) else ""
    return collapse_spaces(text[begin:end] + mark) or text
