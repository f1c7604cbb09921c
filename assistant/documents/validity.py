"""Which indexed document is still in force: read from what the other indexed documents say.

A decree states in its closing article that earlier ones cease to have effect ("Các văn bản sau
đây hết hiệu lực … a) Nghị định số 116/2021/NĐ-CP …") or that it replaces one. Nothing else is
assumed: a document no indexed text mentions is taken as in force, and a statement about a
document that is not indexed changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.documents.references import DocumentReference, number_parts
from assistant.documents.vocabulary import kind_named

_VERBS = {"ceases": "hết hiệu lực", "replaces": "được thay thế", "repeals": "bị bãi bỏ"}


@dataclass(frozen=True)
class Supersession:
    """`source` stops applying because `by` says so, from `when` (dd/mm/yyyy, or "" when unstated)."""

    source: str
    by: str
    relation: str
    when: str
    partial: bool
    text: str


class DocumentLike:
    doc_type: str
    number: str
    year: int | None
    relations: Sequence[Mapping[str, str]]


def supersessions(documents: Mapping[str, Any], stating: Callable[[DocumentReference, list[str]], list[str]] | None = None) -> dict[str, list[Supersession]]:
    """For each indexed document, the statements of other indexed documents that end it (whole or
    in part). A document whose copy lost its number line is matched by `stating` (its own head or
    file name carrying the number: `DocumentIdentities.stating_number`)."""
    found: dict[str, list[Supersession]] = {}
    for by, entry in documents.items():
        for relation in entry.relations:
            name = relation["relation"].removesuffix("-part")
            if name not in _VERBS:
                continue
            reference = DocumentReference(kind_named(relation["kind"]), relation["number"], number_parts(relation["number"])[1], relation["number"])
            unnumbered = [s for s, t in documents.items() if s != by and not t.number]
            stated = set(stating(reference, unnumbered)) if stating is not None and unnumbered else set()
            for source, target in documents.items():
                if source != by and (target.number and reference.matches(target.doc_type, target.number, target.year) or source in stated):
                    found.setdefault(source, []).append(
                        Supersession(source, by, name, relation.get("when", ""), relation["relation"].endswith("-part"), relation.get("text", ""))
                    )
    return found


def status_line(entry: Any, supersession: Supersession, by_entry: Any) -> str:
    """ "Nghị định 116/2021/NĐ-CP hết hiệu lực từ ngày 01/07/2026 theo Nghị định 163/2026/NĐ-CP." """
    what = entry.name
    if supersession.partial:
        what = f"Một phần của {what}"
    verb = _VERBS[supersession.relation]
    when = f" từ ngày {supersession.when}" if supersession.when else ""
    return f"{what} {verb}{when} theo {by_entry.name}.".replace("  ", " ")
