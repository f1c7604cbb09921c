"""Score the responsibility matrix and deadlines against the hand-written matrix of two plans
(eval/matrix/hand.json, see eval/matrix/README.md): `python -m eval.matrix`.

Bodies found: share of the hand matrix's (document, section, body) the extractor has, the body
compared by identity (`body_identity`: one body whatever its spelling). Roles and partners: of the
bodies found, share with the same role, and with the same set of partners (by identity).
Deadline phrases: share of the hand list's phrases found in the same document with the same
wording and the same date, start and end.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from assistant.index.assignments import Responsibilities, body_identity, extract
from assistant.text import collapse_spaces

HAND = Path(__file__).parent / "matrix" / "hand.json"


def score(found: Responsibilities, hand: dict[str, Any]) -> dict[str, Any]:
    bodies = roles = partners = total = 0
    phrases = phrase_total = extra = 0
    misses: list[str] = []
    for source, expected in hand.items():
        rows = [a for a in found.assignments if a.document == source]
        wanted = {(g["section"], body_identity(g["agency"])) for g in expected["assignments"]}
        extra += sum(1 for a in rows if (a.section, a.identity) not in wanted)
        for gold in expected["assignments"]:
            total += 1
            match = next((a for a in rows if a.section == gold["section"] and a.identity == body_identity(gold["agency"])), None)
            if match is None:
                misses.append(f"{source} {gold['section']} {gold['agency']}: không thấy")
                continue
            bodies += 1
            if match.role == gold["role"]:
                roles += 1
            else:
                misses.append(f"{source} {gold['section']} {gold['agency']}: vai trò {match.role} ≠ {gold['role']}")
            if {body_identity(p) for p in match.partners} == {body_identity(p) for p in gold["partners"]}:
                partners += 1
            else:
                misses.append(f"{source} {gold['section']} {gold['agency']}: phối hợp {match.partners} ≠ {gold['partners']}")
        for gold in expected["deadlines"]:
            phrase_total += 1
            same = [d for d in found.deadlines if d.document == source
                    and collapse_spaces(gold["when_text"]) in collapse_spaces(d.when_text)
                    and (d.date, d.start, d.end) == (gold["date"], gold["start"], gold["end"])]
            if same:
                phrases += 1
            else:
                misses.append(f"{source} hạn “{gold['when_text']}”: không thấy")
    return {
        "bodies": bodies / total, "roles": roles / max(1, bodies), "partners": partners / max(1, bodies),
        "deadline_phrases": phrases / phrase_total, "hand_bodies": total, "hand_deadlines": phrase_total,
        "extra_rows": extra, "misses": misses,
    }


def main() -> int:
    from assistant.index.library import Library

    hand = json.loads(HAND.read_text(encoding="utf-8"))
    root = Path(__file__).resolve().parent.parent / "corpus"
    library = Library.from_files([root / name for name in hand])
    result = score(extract(library.nodes.values()), hand)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
