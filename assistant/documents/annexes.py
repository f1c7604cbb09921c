"""How a document names its annexed lists in its own body.

Decrees and circulars that issue schedules or forms say, in an article, what each one is: "Ban hành
kèm theo Nghị định này Phụ lục các danh mục … sau đây:" / "Danh mục I: Các chất ma túy tuyệt đối cấm
sử dụng …" / "Danh mục IV: Các tiền chất:" / "IVA: Các tiền chất thiết yếu …". That roster is the
answer to "chia thành những danh mục nào?", "Danh mục IV là gì?", and it names the schedule a row
sits in ("Heroin thuộc danh mục nào?") in the document's own words, where the schedule's own heading
is often a scan's capitals or is cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from llama_index.core.schema import TextNode

from assistant.text import fold

# "Danh mục I: …", "Phụ lục II. …", "2. Mẫu số 03: …": a label, its number, then what it is.
ANNEX_LINE = re.compile(
    r"^(?:\d{1,2}\.\s+|[-+•–]\s+|[a-zđ]\)\s+)?(?P<label>(?:Danh mục|Phụ lục|Mẫu số|Biểu mẫu số|Biểu số)\s+(?P<id>[IVXLC]{1,5}|\d{1,3}[a-zđ]?))"
    r"\s*[:.]\s*(?P<name>\S.{6,})$"
)
_SUB_LABEL = re.compile(r"^(?P<id>[IVXLC]{1,5}[A-D])\s*[:.]\s*\S")  # "IVA: …", "IIB. …": a part of a schedule
ROSTER_MIN = 2  # a body passage naming at least this many annexes is a roster


def annex_lines(text: str) -> list[re.Match[str]]:
    return [m for line in text.split("\n") if (m := ANNEX_LINE.match(line.strip()))]


def is_roster(node: TextNode) -> bool:
    """A section of the body (not an annex itself) that names several of the document's annexes."""
    return node.metadata.get("layout") != "appendix" and len(annex_lines(node.get_content())) >= ROSTER_MIN


_TITLE_LABEL = re.compile(r"^(?:Danh mục|Phụ lục)\s+[IVXLC]{1,5}\b", re.IGNORECASE)


def titled_by_roster(source: str, title: str, names: Mapping[tuple[str, str], str]) -> str:
    """A schedule's own heading ("Danh mục I. CAC CHAT MA TÚY …", a scan's capitals) in the body's
    words when the roster names it (`roster_names`); other titles as they are."""
    match = _TITLE_LABEL.match(title)
    return names.get((source, annex_key(match.group(0))), title) if match else title


def annex_key(label: str) -> str:
    """ "Danh mục IV" → "danh muc iv": how a label is looked up, typed with or without accents."""
    return " ".join(fold(label).split())


def roster_names(nodes: Iterable[TextNode]) -> dict[tuple[str, str], str]:
    """(source, annex key) → the roster line that says what the annex is."""
    found: dict[tuple[str, str], str] = {}
    for node in nodes:
        if is_roster(node):
            for match in annex_lines(node.get_content()):
                found.setdefault((str(node.metadata.get("source", "")), annex_key(match.group("label"))), match.group(0).strip())
    return found


def annex_list(lines: Sequence[str], start: int, limit: int) -> list[str] | None:
    """The items of a roster passage, or None when `lines[start]` opens none: a line naming an annex
    ("Danh mục IV: Các tiền chất:") lists its parts ("IVA: …", "IVB: …"); a line opening the roster
    ("… các danh mục … sau đây:") lists the annexes, each with its parts."""
    lead = lines[start]
    named = ANNEX_LINE.match(lead)
    following = next((line for line in lines[start + 1 :] if line), "")
    if named and lead.endswith(":"):
        takes = lambda line: bool((part := _SUB_LABEL.match(line)) and part.group("id").startswith(named.group("id")))  # noqa: E731
    elif not named and lead.endswith(":") and ANNEX_LINE.match(following):
        takes = lambda line: bool(ANNEX_LINE.match(line) or _SUB_LABEL.match(line))  # noqa: E731
    else:
        return None
    taken = [lead]
    size = len(lead)
    for line in lines[start + 1 :]:
        if not line:
            continue
        if not takes(line) and not (taken[-1].endswith(":") and not ANNEX_LINE.match(line) and not _SUB_LABEL.match(line)):
            break  # an unlabelled line goes on only under a line that announces it ("Danh mục III: …:")
        if size + len(line) > limit:
            break
        taken.append(line)
        size += len(line) + 1
    return taken


_ASKS = re.compile(r"\b(?:danh muc|phu luc)\b")


def asks_about_annexes(folded_question: str) -> bool:
    """ "… chia thành những danh mục nào?", "Danh mục IV là gì?", "thuộc phụ lục nào": a question
    about the annexed lists themselves (forms named by number are found by their code instead)."""
    return bool(_ASKS.search(folded_question))
