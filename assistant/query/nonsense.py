"""Inputs that are not questions at all: numbers, symbols, programmers' placeholders, bare HTML.

Retrieval always finds *something*: "12345" matches a phone number in a plan, "None" a word in a
table, so without this check nonsense got a confident cited passage. Such input is refused with a
message asking for a question in words; anything with words of its own goes through unchanged.
"""

from __future__ import annotations

import html
import re

__all__ = ["NotAQuestion", "nonsense_reason"]

# What a program prints for "no value": a form or script sent its empty field.
_PLACEHOLDERS = {"none", "null", "nil", "undefined", "nan", "true", "false", "object object", "object", "n/a", "na"}
_CODE_BLOCKS = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>|<!--.*?-->", re.S)
_LETTER = re.compile(r"[^\W\d_]")

REFUSAL = (
    "Đây không phải một câu hỏi trợ lý tìm được trong văn bản ({what}). "
    "Hãy hỏi bằng lời, ví dụ: “Sở Y tế phải làm gì?”"
)


class NotAQuestion(ValueError):
    """Raised by `read_question` for input with nothing to search for; the message is for the user."""


def nonsense_reason(text: str) -> str | None:
    """Why `text` is not a question (in Vietnamese, for the refusal), or None if it may be one."""
    stripped = text.strip()
    if not stripped:
        return None  # empty input has its own message
    if not _LETTER.search(stripped):
        return "chỉ có số hoặc ký hiệu"
    words = " ".join(re.findall(r"\w+", stripped.lower()))
    if words in _PLACEHOLDERS:
        return f"“{stripped[:40]}” là giá trị rỗng của một chương trình"
    if "<" in stripped:
        remainder = html.unescape(_TAG.sub(" ", _CODE_BLOCKS.sub(" ", stripped)))
        if not _LETTER.search(remainder):
            return "chỉ có mã HTML"
    return None


def refuse_nonsense(text: str) -> None:
    reason = nonsense_reason(text)
    if reason is not None:
        raise NotAQuestion(REFUSAL.format(what=reason))
