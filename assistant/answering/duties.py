"""The chat's view of the responsibility matrix and the deadlines calendar (index.assignments):
whose assignments a question names, which section each was read from, and the document's own
words to quote for a task or a deadline.

The extraction keeps a task as the body's text with layout taken out (bullets, bold marks, a long
task clipped); a citation quotes the section word for word, so each task is found again in its
section before it is quoted — a task that cannot be found there is not quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from llama_index.core.schema import TextNode

from assistant.answering.passages import sentences
from assistant.documents.agencies import agency_key
from assistant.documents.deadlines import assignment_words
from assistant.index.assignments import Assignment, Deadline, Task, body_identity, cut_name, role_of
from assistant.index.library import Library
from assistant.query.understand import Question
from assistant.text import comparable, fold, tokens

MIN_OVERLAP = 0.6  # share of a task's words a section's line must hold to be quoted for it


def asked_identities(question: Question, library: Library) -> list[str]:
    """The bodies a question names, one identity each whatever the spelling ("SYT", "Sở Y tế")."""
    out: list[str] = []
    for match in question.agencies:
        name = library.agency_names.get(match.key, match.name)
        identity = body_identity(cut_name(name))
        if identity and identity not in out:
            out.append(identity)
    return out


def in_scope(question: Question, source: str) -> bool:
    return not question.sources or source in question.sources


def assignments_of(library: Library, identities: Iterable[str], question: Question) -> list[Assignment]:
    wanted = set(identities)
    return [a for a in library.responsibilities.assignments if a.identity in wanted and in_scope(question, a.document)]


def node_of(library: Library, item: Assignment | Deadline) -> TextNode | None:
    return library.node_at(item.document, item.order)


def lines_of(node: TextNode, texts: Iterable[str], names: Iterable[str] = ()) -> list[str]:
    """The section's lines, in its order, that hold one of `texts` (a task the extraction cut from
    its heading line, "12. Đảng ủy Công an tỉnh chỉ đạo …, trong đó: tập trung …", is quoted with
    it) or name one of the bodies `names` (agency keys: "… trừ các tiền chất do Bộ Công Thương quản
    lý" in another body's clause conditions its duties)."""
    wanted = [comparable(re.sub(r"\s*…$", "", t.strip()))[:200] for t in texts]
    keys = [f" {k} " for k in names]
    out: list[str] = []
    for line in (l.strip() for l in node.get_content().split("\n")):
        if not line:
            continue
        held = comparable(line.replace("*", ""))  # the extraction reads text without bold marks
        key = f" {agency_key(line)} "
        # a heading that is only the name ("3. Sở Y tế") says nothing of its own
        names_it = any(k in key and len(key) > len(k) + 12 for k in keys)
        if any(w and w in held for w in wanted) or names_it:
            out.append(line)
    return out


def verbatim(node: TextNode, text: str) -> str | None:
    """`text` as the section writes it: itself when the section holds it (spacing and tones aside),
    else the section's line or sentence that holds most of its words; None when none holds enough."""
    content = node.get_content()
    core = re.sub(r"\s*…$", "", text.strip())
    if core and comparable(core) in comparable(content):
        return core
    wanted = set(tokens(fold(core)))
    if not wanted:
        return None
    best, share = None, 0.0
    for line in content.split("\n"):
        for piece in [line.strip(), *sentences(line)]:
            held = set(tokens(fold(piece)))
            overlap = len(wanted & held) / len(wanted)
            shorter = best is not None and overlap == share and len(piece) < len(best)
            if piece and (overlap > share or shorter):  # the shortest piece that holds the most
                best, share = piece, overlap
    return best if best and share >= MIN_OVERLAP else None


def clauses(text: str) -> list[str]:
    """A task's sentences, and a long sentence's parts at ";": what one role question is about
    ("Phối hợp … kiểm tra …; chủ trì tổ chức kiểm tra …" gives two roles)."""
    out: list[str] = []
    for sentence in sentences(text):
        parts = [p.strip() for p in re.split(r"(?<=;)\s+", sentence)]
        out.extend(p for p in parts if len(p) > 15)
    return out or [text]


def clause_role(clause: str, agency: str) -> str:
    """What the body does in one clause, by the extraction's own rule (`role_of`): leads ("Chủ trì,
    phối hợp …"), supports ("Phối hợp với …"), or does it itself."""
    return role_of([Task(clause, "")], agency)


@lru_cache(maxsize=1)
def _groups() -> tuple[tuple[str, str], ...]:
    return tuple((fold(phrase), fold(head)) for phrase, head in assignment_words().get("group", []))


def group_covers(group: str | None, identity: str) -> bool:
    """Does a plural heading ("Các sở, ban, ngành, đoàn thể") take in the body (identity "so y te")?"""
    if not group:
        return False
    name = fold(group).lstrip()
    return any(name.startswith(phrase) and identity.split()[:1] == [head] for phrase, head in _groups())
