"""Load and validate a gold file (JSON lines), so any independently written set can be scored.

Every problem is reported with its line number, all at once, before a single question is asked:
a typo in line 80 should not surface after ten minutes of answering.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PLAN_KINDS = ("agency", "deadline", "number", "metadata", "comparison", "zalo", "unanswerable")  # what the bundled plans are asked
KINDS = (*PLAN_KINDS, "article", "definition", "duration", "amount", "procedure", "validity")  # and laws and decrees too
REQUIRED = {"id": str, "question": str, "kind": str, "answerable": bool, "sources": list, "must_include": list}
ZALO_PREFIX = "zalo-"


class GoldError(ValueError):
    """A malformed gold file; the message lists every bad line."""


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    kind: str
    answerable: bool
    sources: tuple[str, ...]
    must_include: tuple[tuple[str, ...], ...]  # groups of alternative phrases
    reference_answer: str = ""
    line: int = 0

    @property
    def twin_id(self) -> str | None:
        """A zalo item "zalo-<id>" is the chat-style rewrite of the clean item <id>."""
        if self.kind == "zalo" and self.id.startswith(ZALO_PREFIX):
            return self.id[len(ZALO_PREFIX):]
        return None


def _check(obj: object, line: int) -> list[str]:
    if not isinstance(obj, dict):
        return [f"line {line}: expected a JSON object, got {type(obj).__name__}"]
    errors = []
    for key, typ in REQUIRED.items():
        if key not in obj:
            errors.append(f"line {line}: missing key {key!r}")
        elif not isinstance(obj[key], typ):
            errors.append(f"line {line}: {key!r} must be {typ.__name__}, got {type(obj[key]).__name__}")
    if errors:
        return errors
    if not obj["id"].strip() or not obj["question"].strip():
        errors.append(f"line {line}: empty id or question")
    if obj["kind"] not in KINDS:
        errors.append(f"line {line}: kind {obj['kind']!r} is not one of {', '.join(KINDS)}")
    if not all(isinstance(s, str) and s.strip() for s in obj["sources"]):
        errors.append(f"line {line}: sources must be non-empty file names")
    for group in obj["must_include"]:
        if not isinstance(group, list) or not group or not all(isinstance(p, str) and p.strip() for p in group):
            errors.append(f"line {line}: each must_include group must be a non-empty list of phrases, got {group!r}")
    if obj["answerable"] and (not obj["sources"] or not obj["must_include"]):
        errors.append(f"line {line}: an answerable item needs sources and must_include groups")
    if not obj["answerable"] and (obj["sources"] or obj["must_include"]):
        errors.append(f"line {line}: an unanswerable item must have empty sources and must_include")
    if "reference_answer" in obj and not isinstance(obj["reference_answer"], str):
        errors.append(f"line {line}: 'reference_answer' must be str")
    return errors


def load_gold(path: Path) -> list[GoldItem]:
    """Parse `path`; raise `GoldError` naming every malformed line (bad JSON, keys, types, duplicate ids)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise GoldError(f"{path}: cannot read gold file: {err}") from err
    items: list[GoldItem] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            errors.append(f"line {line_no}: invalid JSON: {err.msg} (column {err.colno})")
            continue
        problems = _check(obj, line_no)
        if problems:
            errors.extend(problems)
            continue
        if obj["id"] in seen:
            errors.append(f"line {line_no}: duplicate id {obj['id']!r} (first on line {seen[obj['id']]})")
            continue
        seen[obj["id"]] = line_no
        items.append(GoldItem(
            id=obj["id"],
            question=obj["question"],
            kind=obj["kind"],
            answerable=obj["answerable"],
            sources=tuple(obj["sources"]),
            must_include=tuple(tuple(g) for g in obj["must_include"]),
            reference_answer=obj.get("reference_answer", ""),
            line=line_no,
        ))
    if not items and not errors:
        errors.append("no items")
    if errors:
        raise GoldError(f"{path}: {len(errors)} problem(s):\n  " + "\n  ".join(errors))
    return items
