"""Check a gold set against the corpus, for the person writing it.

Format, types, kinds and ids are checked by `eval.gold.load_gold` (the runner's own parser);
here: the exact key set and NFC of every line, every must_include phrase found in one of the
item's sources (compared as the metrics compare), zalo items matching their clean twins, and,
for the bundled set, zalo twins and the counts issue 3 asks for (items, per kind, per source).

    .venv/bin/python -m eval.check_gold [--gold FILE] [--any-size]
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from assistant.config import PROJECT_ROOT
from assistant.text import comparable
from eval.gold import PLAN_KINDS, GoldError, GoldItem, load_gold

KEYS = {"id", "question", "kind", "answerable", "sources", "must_include", "reference_answer"}
MIN_ITEMS, MIN_PER_KIND, MIN_PER_SOURCE = 90, 8, 10


def check(path: Path, corpus: Path, bundled: bool = True) -> list[str]:
    """Every problem found, as lines to print; empty when the set is sound."""
    try:
        items = load_gold(path)
    except GoldError as err:
        return [str(err)]
    errors: list[str] = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and (set(json.loads(line)) != KEYS or not unicodedata.is_normalized("NFC", line)):
            errors.append(f"line {line_no}: keys must be exactly {sorted(KEYS)}, text NFC")
    documents = {p.name: comparable(p.read_text(encoding="utf-8")) for p in corpus.iterdir() if p.is_file()}
    by_id = {item.id: item for item in items}
    for item in items:
        errors.extend(_item_problems(item, documents, by_id, bundled))
    if bundled:
        kinds = Counter(item.kind for item in items)
        per_source = Counter(source for item in items for source in item.sources)
        if len(items) < MIN_ITEMS:
            errors.append(f"only {len(items)} items (< {MIN_ITEMS})")
        errors += [f"kind {k}: {kinds[k]} items (< {MIN_PER_KIND})" for k in PLAN_KINDS if kinds[k] < MIN_PER_KIND]
        errors += [f"source {s}: {per_source[s]} items (< {MIN_PER_SOURCE})" for s in documents if per_source[s] < MIN_PER_SOURCE]
    return errors


def _item_problems(item: GoldItem, documents: dict[str, str], by_id: dict[str, GoldItem], bundled: bool) -> list[str]:
    tag = f"line {item.line} ({item.id})"
    problems = [f"{tag}: unknown source {s}" for s in item.sources if s not in documents]
    for group in item.must_include:
        for phrase in group:
            if not any(comparable(phrase) in documents.get(s, "") for s in item.sources):
                problems.append(f"{tag}: phrase not in its sources: {phrase!r}")
    if bundled and item.kind == "zalo":  # the bundled set pairs every zalo item with a clean twin
        twin = by_id.get(item.twin_id or "")
        if twin is None or twin.kind == "zalo":
            problems.append(f"{tag}: a zalo item needs a clean twin 'zalo-<twin id>'")
        elif (sorted(twin.sources), twin.must_include, twin.answerable) != (sorted(item.sources), item.must_include, item.answerable):
            problems.append(f"{tag}: sources, must_include or answerable differ from twin {twin.id}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=PROJECT_ROOT / "eval" / "gold.jsonl")
    parser.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "corpus")
    parser.add_argument("--any-size", action="store_true", help="skip the bundled set's minimum counts")
    args = parser.parse_args(argv)
    errors = check(args.gold, args.corpus, bundled=not args.any_size)
    for error in errors:
        print("ERROR", error)
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
