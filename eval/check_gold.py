"""Validate eval/gold.jsonl against the corpus.

Checks: JSON parsing, exact key set, field types, kind values, unique ids,
per-kind and per-source counts, zalo twins, and that every must_include
phrase occurs verbatim (after normalisation) in at least one of the item's
sources. Run: .venv/bin/python eval/check_gold.py
"""
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "eval" / "gold.jsonl"
CORPUS = ROOT / "corpus"

KEYS = {"id", "question", "kind", "answerable", "sources", "must_include", "reference_answer"}
KINDS = {"agency", "deadline", "number", "metadata", "comparison", "zalo", "unanswerable"}
MIN_ITEMS, MIN_PER_KIND, MIN_PER_SOURCE = 95, 8, 10

# old-style vs new-style tone placement (oà/òa, uỷ/ủy, ...): map to one form
_TONES = {"\u0300": "grave", "\u0301": "acute", "\u0303": "tilde", "\u0309": "hook", "\u0323": "dot"}


def _tone_fold(s: str) -> str:
    """Move tone marks of 'oa', 'oe', 'uy' clusters to a canonical position (second vowel)."""
    d = unicodedata.normalize("NFD", s)
    # pattern: o/u + tone + a/e/y  ->  o/u + a/e/y + tone
    d = re.sub(r"([ou])([\u0300\u0301\u0303\u0309\u0323])([aey])", r"\1\3\2", d)
    return unicodedata.normalize("NFC", d)


def norm(s: str, fold_tones: bool = False) -> str:
    s = unicodedata.normalize("NFC", s).lower()
    s = re.sub(r"\s+", " ", s).strip()
    if fold_tones:
        s = _tone_fold(s)
    return s


def main() -> int:
    errors, warnings = [], []
    docs = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.iterdir() if p.is_file()}
    ndocs = {k: norm(v) for k, v in docs.items()}
    fdocs = {k: norm(v, True) for k, v in docs.items()}

    items = []
    for ln, line in enumerate(GOLD.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            errors.append(f"line {ln}: empty line")
            continue
        try:
            it = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {ln}: bad JSON: {e}")
            continue
        if line != unicodedata.normalize("NFC", line):
            errors.append(f"line {ln}: not NFC")
        items.append((ln, it))

    ids = Counter(it.get("id") for _, it in items)
    for i, c in ids.items():
        if c > 1:
            errors.append(f"duplicate id {i}")
    byid = {it.get("id"): it for _, it in items}

    kinds, per_source = Counter(), Counter()
    for ln, it in items:
        tag = f"line {ln} ({it.get('id')})"
        if set(it) != KEYS:
            errors.append(f"{tag}: keys {sorted(it)}")
            continue
        if it["kind"] not in KINDS:
            errors.append(f"{tag}: bad kind {it['kind']}")
        if not isinstance(it["answerable"], bool):
            errors.append(f"{tag}: answerable not bool")
        for k in ("id", "question", "reference_answer"):
            if not isinstance(it[k], str) or not it[k].strip():
                errors.append(f"{tag}: {k} empty/not str")
        kinds[it["kind"]] += 1
        srcs, mi = it["sources"], it["must_include"]
        if not isinstance(srcs, list) or not isinstance(mi, list):
            errors.append(f"{tag}: sources/must_include not lists")
            continue
        for s in srcs:
            per_source[s] += 1
            if s not in docs:
                errors.append(f"{tag}: unknown source {s}")
        if it["kind"] == "unanswerable" or not it["answerable"]:
            if it["kind"] not in ("unanswerable", "zalo"):
                errors.append(f"{tag}: answerable=false but kind {it['kind']}")
            if srcs or mi:
                errors.append(f"{tag}: unanswerable must have empty sources and must_include")
            if not it["reference_answer"].startswith("Không tìm thấy thông tin"):
                errors.append(f"{tag}: unanswerable reference must start with 'Không tìm thấy thông tin'")
            if it["kind"] == "unanswerable" and it["answerable"]:
                errors.append(f"{tag}: unanswerable kind but answerable=true")
            continue
        if not srcs:
            errors.append(f"{tag}: answerable item without sources")
        if not (1 <= len(mi) <= 4):
            errors.append(f"{tag}: {len(mi)} must_include groups (want 1-4)")
        for g in mi:
            if not isinstance(g, list) or not g or not all(isinstance(p, str) and p.strip() for p in g):
                errors.append(f"{tag}: bad group {g!r}")
                continue
            for p in g:
                exact = any(norm(p) in ndocs[s] for s in srcs if s in ndocs)
                folded = any(norm(p, True) in fdocs[s] for s in srcs if s in fdocs)
                if not folded:
                    errors.append(f"{tag}: phrase not found in sources: {p!r}")
                elif not exact:
                    warnings.append(f"{tag}: phrase matches only after tone folding: {p!r}")
                nw = len(p.split())
                if nw > 12:
                    warnings.append(f"{tag}: long phrase ({nw} words): {p!r}")
            # each source should be covered by at least one group ideally (warning only)
        for s in srcs:
            if s in ndocs and not any(any(norm(p, True) in fdocs[s] for p in g) for g in mi if isinstance(g, list)):
                warnings.append(f"{tag}: no must_include group matches source {s}")

    # zalo twins
    for _, it in items:
        if it.get("kind") != "zalo":
            continue
        iid = it["id"]
        if not iid.startswith("zalo-"):
            errors.append(f"{iid}: zalo id must be 'zalo-<twin id>'")
            continue
        twin = byid.get(iid[len("zalo-"):])
        if twin is None:
            errors.append(f"{iid}: twin {iid[5:]} missing")
            continue
        if twin["kind"] == "zalo":
            errors.append(f"{iid}: twin is itself zalo")
        if sorted(twin["sources"]) != sorted(it["sources"]) or twin["must_include"] != it["must_include"]:
            errors.append(f"{iid}: sources/must_include differ from twin")
        if twin["answerable"] != it["answerable"]:
            errors.append(f"{iid}: answerable differs from twin")
        body = "\n".join(re.sub(r"^\[\d\d:\d\d\][^:]*:", "", l) for l in it["question"].splitlines())
        body = re.sub(r"\b(BĐBP|LĐTBXH|SĐT|ĐT)\b", "", body)
        if any(unicodedata.normalize("NFD", ch) != ch for ch in body) or "đ" in body.lower():
            warnings.append(f"{iid}: zalo message body contains diacritics")

    if len(items) < MIN_ITEMS:
        errors.append(f"only {len(items)} items (< {MIN_ITEMS})")
    for k in sorted(KINDS):
        if kinds[k] < MIN_PER_KIND:
            errors.append(f"kind {k}: {kinds[k]} items (< {MIN_PER_KIND})")
    for s in sorted(docs):
        if per_source[s] < MIN_PER_SOURCE:
            errors.append(f"source {s}: {per_source[s]} items (< {MIN_PER_SOURCE})")

    print(f"items: {len(items)}")
    print("per kind:", dict(sorted(kinds.items())))
    print("per source:")
    for s in sorted(docs):
        print(f"  {s}: {per_source[s]}")
    for w in warnings:
        print("WARN", w)
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
