"""Greetings, thanks and questions about the assistant itself: a short help reply, not a search.

"xin chào" searched as a question returns whatever passage scores best (the police's tasks); a
person who greets, thanks or asks "bạn làm được gì?" wants to know how to use the assistant.
A message is small talk only when nothing is left once its greeting, thanks or "about you"
phrases and courtesy words are taken away, so "hướng dẫn cai nghiện là gì?" is still a question.
"""

from __future__ import annotations

import re
from typing import Literal

from assistant.text import collapse_spaces, fold

SmallTalk = Literal["greeting", "thanks", "about"]

# Questions to start from, about the bundled corpus: the help reply lists them, the web chat shows them.
# Each is answered from the passage that says it (the first quote answers the question).
EXAMPLES = [
    "Sở Y tế phải làm gì trong Tháng hành động phòng, chống ma túy năm 2023?",
    "Khi nào các đơn vị phải gửi báo cáo kết quả về Công an tỉnh?",
    "Công an tỉnh Tuyên Quang phải làm gì trong Tháng hành động?",
    "Ai ký kế hoạch Tháng hành động phòng, chống ma túy năm 2023 của Sơn La?",
]

_PHRASES: dict[SmallTalk, re.Pattern[str]] = {
    "thanks": re.compile(r"\b(?:xin )?cam on|\bthanks?(?: you)?\b|\btks\b|\bthank u\b"),
    "about": re.compile(
        r"\b(?:ban|em|tro ly(?: nay)?|he thong(?: nay)?|cong cu(?: nay)?|may|bot)"
        r" (?:la ai|la gi|lam (?:duoc )?(?:gi|nhung gi)|giup (?:duoc )?(?:gi|nhung gi)|biet (?:gi|nhung gi)|hoat dong (?:the nao|ra sao)|tra loi (?:duoc )?(?:gi|nhung gi))"
        r"|\b(?:huong dan(?: su dung)?|cach (?:dung|su dung|hoi)|su dung (?:the nao|ra sao|nhu the nao)|hoi (?:duoc )?(?:gi|nhung gi)|help|tro giup|giup (?:toi|minh|em) voi)\b"
    ),
    "greeting": re.compile(r"\b(?:xin chao|chao|hello|helo|hi|hey|alo|a lo|good (?:morning|afternoon|evening))\b"),
}
# Courtesy words and forms of address that carry no question.
_COURTESY = set(
    """a ah ba ban be bot ca cac chi chu co day em nha nhe nhieu oi ok oke okay roi rat vang da anh ad admin
    minh toi moi nguoi tat tro ly he thong nay voi nhi ha huhu hihi haha kk buoi sang chieu trua ngay tot lanh
    vui ve qua lam hay ae mn""".split()
)

HELP_INTRO: dict[SmallTalk, str] = {
    "greeting": "Xin chào! Tôi là trợ lý tra cứu văn bản phòng, chống ma túy.",
    "thanks": "Không có gì! Bạn cứ hỏi tiếp khi cần.",
    "about": "Tôi là trợ lý tra cứu văn bản phòng, chống ma túy.",
}
HELP_BODY = (
    "Tôi trả lời bằng chính lời văn của các văn bản trong chỉ mục và ghi nguồn [n] cho từng ý: "
    "văn bản, mục và đoạn trích nguyên văn. Khi văn bản không nói tới, tôi nói rõ là không tìm thấy."
)
HELP_HINT = "Bấm vào [n] để mở nguồn; có thể hỏi tiếp kiểu “Còn Công an tỉnh thì sao?” hoặc “ở Tuyên Quang thì sao?”."


def small_talk(text: str) -> SmallTalk | None:
    """Which kind of small talk `text` is, or None when it asks something of the documents."""
    folded = collapse_spaces(re.sub(r"[^\w\s]", " ", fold(text)))
    if not folded:
        return None
    found: list[SmallTalk] = []
    rest = f" {folded} "
    for kind, pattern in _PHRASES.items():
        stripped = pattern.sub(" ", rest)
        if stripped != rest:
            found.append(kind)
            rest = stripped
    if not found or any(word not in _COURTESY for word in rest.split()):
        return None
    return "about" if "about" in found else found[0]


def help_reply(kind: SmallTalk, examples: list[str]) -> str:
    """Plain text (the chat escapes it): who answers, how, and questions to start from."""
    lines = [HELP_INTRO[kind], "", HELP_BODY, "", "Ví dụ câu hỏi:"]
    lines += [f"- {example}" for example in examples]
    lines += ["", HELP_HINT]
    return "\n".join(lines)
