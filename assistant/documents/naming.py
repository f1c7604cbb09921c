"""How a document and a place in it are named to staff — one way everywhere: answers, the sources
panel, document outlines, the CLI ("Mục III.4 (Sở Y tế)", "Điều 30, khoản 2 (Quyết định cai nghiện…)",
"Phụ lục II, Mẫu số 05")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol

_AS_WRITTEN = ("Mở đầu", "Nơi nhận", "Chữ ký", "Điều", "Phụ lục", "Chương", "Mục ", "Phần", "Tiểu mục")
_BARE_HEADINGS = {"Kế hoạch", "Quyết định", "Nghị quyết", "Nghị định", "Thông tư", "Nơi nhận", "Chữ ký", "Mở đầu"}


class Named(Protocol):
    title: str
    province: str
    number: str


def document_name(title: str, province: str = "", number: str = "", year: int | str | None = None) -> str:
    """ "Luật phòng, chống ma túy (số 73/2021/QH14)", "Kế hoạch … — Sơn La", "Nghị quyết về … (năm
    2008)": the one way a document is named in lists, answers, citations and filters. Two
    documents of one title (the 2021 and the 2025 law) differ by their number, else by their year."""
    if number and number not in title:
        name = f"{title} (số {number})"
    elif year and str(year) not in title:
        name = f"{title} (năm {year})"
    else:
        name = title
    return f"{name} — {province}" if province else name


def document_heading(entry: Named | None, source: str) -> str:
    if entry is None:
        return source
    return document_name(entry.title, entry.province, getattr(entry, "number", ""), getattr(entry, "year", None))


def cited_document(citation: Mapping[str, Any]) -> str:
    """The document a citation (as sent to the chat and the exports) names."""
    title = str(citation.get("title") or citation.get("source") or "")
    return document_name(title, str(citation.get("province") or ""), str(citation.get("number") or ""), citation.get("year") or None)


def section_name(section: str, heading: str = "") -> str:
    """ "Mục III.4 (Sở Y tế)", "Điều 2 (Đối tượng áp dụng)", "Phụ lục II, Mẫu số 05", "Mở đầu"."""
    heading = re.sub(r"^Đề nghị\s+", "", heading or "").strip()
    prefix = section if not section or section.startswith(_AS_WRITTEN) else f"Mục {section}"
    if heading and heading not in prefix and heading not in _BARE_HEADINGS and not section.startswith("Phụ lục"):
        return f"{prefix} ({heading})"
    return prefix or "Văn bản"


def section_label(node: Any) -> str:
    """A node's place ("Điều 30, khoản 2–4"), named as above."""
    metadata = node.metadata
    return section_name(str(metadata.get("place") or metadata.get("section", "")), str(metadata.get("heading", "")))
