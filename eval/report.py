"""report.json (every metric and every per-item result) and report.md (for people)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eval.gate import LOWER_IS_BETTER
from eval.metrics import ItemResult

# metric key → (label, format); order is the order of the tables' rows
METRICS: dict[str, tuple[str, str]] = {
    "hit_at_1": ("source hit@1", "rate"),
    "hit_at_3": ("source hit@3", "rate"),
    "hit_at_5": ("source hit@5", "rate"),
    "hit_any": ("source hit, all retrieved", "rate"),
    "mrr": ("source MRR", "rate"),
    "section_hit": ("section hit", "rate"),
    "fact_recall": ("fact recall", "rate"),
    "full_answer_rate": ("full answers", "rate"),
    "answer_chars_median": ("answer chars, median", "int"),
    "answer_chars_mean": ("answer chars, mean", "int"),
    "citation_precision": ("citation precision", "rate"),
    "quote_fidelity": ("quote fidelity", "rate"),
    "source_recall": ("source recall", "rate"),
    "correct_abstention": ("correct abstention (unanswerable)", "rate"),
    "false_abstention": ("false abstention (answerable)", "rate"),
    "latency_ms_median": ("latency ms, median", "int"),
    "latency_ms_p95": ("latency ms, p95", "int"),
}

# The product's bar (not the CI thresholds, which sit a few points under what we achieve now).
TARGETS: dict[str, dict[str, float]] = {
    "overall": {
        "fact_recall": 0.90, "full_answer_rate": 0.80, "hit_at_5": 0.97, "quote_fidelity": 1.0,
        "correct_abstention": 0.85, "false_abstention": 0.05, "answer_chars_median": 1200,
    },
    "zalo": {"fact_recall": 0.85},
}

EXCERPT_CHARS = 300


def fmt(value: Any, kind: str = "rate") -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return f"{value:.0f}" if kind == "int" else f"{value:.3f}"


def _target(scope: str, metric: str) -> str:
    limit = TARGETS.get(scope, {}).get(metric)
    if limit is None:
        return ""
    return f"{'≤' if metric in LOWER_IS_BETTER else '≥'} {fmt(limit, METRICS[metric][1])}"


def metric_table(summaries: dict[str, dict[str, Any]], scope: str) -> list[str]:
    """Rows = metrics, columns = systems (ours first); rows nobody measured are left out."""
    names = list(summaries)
    lines = ["| metric | " + " | ".join(names) + " | target |", "|---|" + "---:|" * len(names) + "---|"]
    for key, (label, kind) in METRICS.items():
        values = [summaries[n].get(key) for n in names]
        if all(v is None for v in values) or (key == "section_hit" and scope != "overall"):
            continue
        lines.append(f"| {label} | " + " | ".join(fmt(v, kind) for v in values) + f" | {_target(scope, key)} |")
    return lines


def _excerpt(text: str) -> str:
    flat = " ⏎ ".join(line.strip() for line in text.splitlines() if line.strip())
    return flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS].rstrip() + " …"


def failing_items(results: list[ItemResult]) -> list[str]:
    lines: list[str] = []
    for r in results:
        if not r.failed:
            continue
        problems = []
        if r.answerable and r.abstained:
            problems.append("abstained on an answerable question")
        if not r.answerable and not r.abstained:
            problems.append("answered an unanswerable question")
        if r.retrieval_miss:
            problems.append(f"no gold source in top 5 (retrieved: {', '.join(dict.fromkeys(r.retrieved_sources[:5])) or 'nothing'})")
        if r.answerable and r.source_recall is not None and r.source_recall < 1:
            problems.append(f"gold sources not cited: {', '.join(sorted(set(r.gold_sources) - set(r.cited_sources)))}")
        if r.error:
            problems.append(f"rejected: {r.error}")
        recall = f" — fact recall {r.fact_recall:.2f}" if r.fact_recall is not None else ""
        lines += [f"### {r.id} ({r.kind}){recall}", "", f"**Q:** {_excerpt(r.question)}", "", "```text", _excerpt(r.answer), "```"]
        for group in r.missing:
            lines.append("- missing: " + " | ".join(f"“{p}”" for p in group))
        for bad in r.bad_quotes:
            lines.append(f"- quote not verbatim in {bad['source']}: “{_excerpt(bad['quote'])[:150]}”")
        lines += [f"- {p}" for p in problems] + [""]
    return lines or ["None."]


def refusal_paths(results: list[ItemResult]) -> list[str]:
    """Each way a refusal is proven, with how often it refused an unanswerable question (right)
    and an answerable one (wrong): a refusal is a claim, and each path's precision is measured."""
    refused = [r for r in results if r.abstained and not r.error]
    if not refused:
        return []
    lines = ["## Refusals by proof", "",
             "How each refusal was proven (`document`, `article`, `province`, `agency`, `year`: not in the texts; `value`: no value "
             "of the kind asked in the top five sections; `stated`: the document does not state it; `tasks`: the document assigns "
             "the body nothing; `subject`: no passage covers the question), and its precision (unanswerable / refused):", "",
             "| proof | refused | unanswerable (right) | answerable (wrong) | precision |", "|---|---:|---:|---:|---:|"]
    for path in sorted({r.refusal or "?" for r in refused}):
        mine = [r for r in refused if (r.refusal or "?") == path]
        right = sum(not r.answerable for r in mine)
        lines.append(f"| {path} | {len(mine)} | {right} | {len(mine) - right} | {fmt(right / len(mine))} |")
    wrong = [r for r in refused if r.answerable]
    if wrong:
        lines += ["", "Answerable questions refused: " + "; ".join(f"{r.id} ({r.refusal or '?'})" for r in wrong) + "."]
    return lines + [""]


def retrieval_losses(results: dict[str, list[ItemResult]], ours: str) -> list[str]:
    """Never below plain retrieval: the facts the quickstart's top five chunks (and our own top five
    sections) held that our answer did not say."""
    lines = ["## Facts plain retrieval kept and ours lost", ""]
    quickstart = {r.id: r for r in results.get("quickstart-k5", [])}
    mine = {r.id: r for r in results[ours]}
    if quickstart:
        lost = []
        for item_id, theirs in quickstart.items():
            own = mine.get(item_id)
            if own is None or not own.answerable:
                continue
            groups = [g for g, said, kept in zip(_all_groups(own), own.groups_matched, theirs.groups_matched) if kept and not said]
            if groups:
                lost.append((own, groups))
        lines += [f"Items where the llama-index quickstart's top five chunks held a fact our answer lacks: **{len(lost)}** "
                  f"of {sum(r.answerable for r in mine.values())} answerable.", ""]
        lines += [f"- {r.id} ({r.kind}, {r.answerer or 'refusal'}): " + "; ".join(" | ".join(f"“{p}”" for p in g) for g in groups) for r, groups in lost]
        lines += [""]
    own_lost = [r for r in mine.values() if r.lost_from_top5]
    lines += [f"Items where our own top five retrieved sections held a fact our answer lacks: **{len(own_lost)}**.", ""]
    lines += [f"- {r.id} ({r.kind}, {r.answerer or 'refusal'}): " + "; ".join(" | ".join(f"“{p}”" for p in g) for g in r.lost_from_top5) for r in own_lost]
    return lines + [""]


def _all_groups(result: ItemResult) -> list[list[str]]:
    """The item's must_include groups in order, rebuilt from what was missed and matched."""
    missing = iter(result.missing)
    return [next(missing) if not said else [] for said in result.groups_matched]


def render_markdown(payload: dict[str, Any], results: dict[str, list[ItemResult]]) -> str:
    systems = payload["systems"]
    ours = next(iter(systems))
    overall = {name: s["summary"]["overall"] for name, s in systems.items()}
    lines = [
        "# Evaluation report",
        "",
        f"Gold: `{payload['gold']}` over `{payload.get('corpus', 'corpus')}`"
        + (f", every document re-rendered as **{payload['rendering']}** (eval/renderings.py)" if payload.get("rendering") else "")
        + f" — {overall[ours]['n']} items "
        f"({overall[ours]['n_answerable']} answerable, {overall[ours]['n_unanswerable']} unanswerable). "
        f"Index build `{payload['index_build']}`. Run {payload['generated']}: {payload['runtime_s']:.0f} s "
        f"({payload['index_s']:.0f} s building indexes). Latency = wall time per question.",
        "",
        "Systems: " + "; ".join(f"**{name}**: {s['description']}" for name, s in systems.items()) + ".",
        "",
        "Retrieval is doc-level (a hit = a retrieved chunk of a gold source; MRR from llama-index "
        "`RetrieverEvaluator`); section-level hit is n/a (the gold set names no sections). Fact recall = "
        "share of must_include groups found in the answer (normalised: NFC, lower-case, spaces, tone "
        "placement), averaged per item. Answer length counts non-abstaining replies.",
        "",
    ]
    gate = payload.get("gate")
    if gate:
        lines += ["## CI gate", "", f"Thresholds: `{gate['thresholds']}` — " + ("**PASS**" if not gate["breaches"] else f"**FAIL** ({len(gate['breaches'])} breach(es))"), ""]
        lines += [f"- {b}" for b in gate["breaches"]] + [""]
    lines += ["## Overall", ""] + metric_table(overall, "overall") + [""]
    split = systems[ours]["summary"].get("held_out")
    if split:
        docs = ", ".join(f"`{d}`" for d in systems[ours]["summary"]["held_out_documents"])
        lines += ["## Documents left out while developing", "",
                  f"Answerable items over {docs} (questions never looked at while the answering rules were written) "
                  "against the items over the other documents:", ""]
        per = {f"{name} ({part})": s["summary"][part] for name, s in systems.items() for part in ("held_out", "developed") if part in s["summary"]}
        lines += metric_table(per, "held_out") + [""]
    answered = [r for r in results[ours] if r.answerer]
    if answered:
        lines += ["## Answerers", "", f"Which answerer ({ours}) wrote each reply (`refusal`: none found, or out of scope before any search):", "",
                  "| answerer | items | answerable | fact recall | unanswerable |", "|---|---:|---:|---:|---:|"]
        for name in sorted({r.answerer for r in answered}):
            mine = [r for r in answered if r.answerer == name]
            recalls = [r.fact_recall for r in mine if r.answerable and r.fact_recall is not None]
            lines.append(f"| {name} | {len(mine)} | {len(recalls)} | {fmt(sum(recalls) / len(recalls) if recalls else None)} | {sum(not r.answerable for r in mine)} |")
        lines += [""]
    lines += refusal_paths(results[ours])
    lines += retrieval_losses(results, ours)
    lines += ["## By kind", ""]
    for kind in systems[ours]["summary"]["by_kind"]:
        per = {name: s["summary"]["by_kind"].get(kind, {}) for name, s in systems.items()}
        lines += [f"### {kind} (n={per[ours]['n']})", ""] + metric_table(per, kind) + [""]
    zvc = {name: s["summary"]["zalo_vs_clean"] for name, s in systems.items()}
    lines += [
        "## Zalo (chat paste) vs clean twin",
        "",
        f"Each zalo item against its clean twin: the bar is zalo fact recall ≥ {zvc[ours]['min_ratio']:.0%} of the twin's, per item.",
        "",
        "| system | items meeting the bar |",
        "|---|---|",
    ]
    lines += [f"| {name} | {z['items_meeting']}/{z['items_counted']} |" for name, z in zvc.items()] + [""]
    lines += ["Same metrics on the zalo items and on their clean twins (zalo / clean):", ""]
    lines += ["| metric | " + " | ".join(zvc) + " |", "|---|" + "---:|" * len(zvc)]
    for key, (label, kind) in METRICS.items():
        cells = [(z["zalo"].get(key), z["clean"].get(key)) for z in zvc.values()]
        if all(a is None and b is None for a, b in cells):
            continue
        lines.append(f"| {label} | " + " | ".join(f"{fmt(a, kind)} / {fmt(b, kind)}" for a, b in cells) + " |")
    lines += ["", f"Per item ({ours}):", "", "| zalo item | zalo recall | clean recall | ratio | meets | abstained zalo/clean |", "|---|---:|---:|---:|---|---|"]
    for p in zvc[ours]["pairs"]:
        meets = "n/a" if p["meets"] is None else ("yes" if p["meets"] else "**no**")
        lines.append(
            f"| {p['id']} | {fmt(p['zalo_fact_recall'])} | {fmt(p['clean_fact_recall'])} | {fmt(p['ratio'])} | {meets} "
            f"| {'yes' if p['zalo_abstained'] else 'no'}/{'yes' if p['clean_abstained'] else 'no'} |"
        )
    failing = [r for r in results[ours] if r.failed]
    lines += ["", f"## Failing items ({ours}): {len(failing)}", "",
              "Any missed must_include group, wrong abstention, non-verbatim quote, or no gold source in the top 5.", ""]
    lines += failing_items(results[ours])
    return "\n".join(lines).rstrip() + "\n"


def write_report(out_dir: Path, payload: dict[str, Any], results: dict[str, list[ItemResult]]) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    data = dict(payload)
    data["systems"] = {
        name: s | {"items": [r.to_dict() for r in results[name]]} for name, s in payload["systems"].items()
    }
    json_path, md_path = out_dir / "report.json", out_dir / "report.md"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    md_path.write_text(render_markdown(payload, results), encoding="utf-8")
    return json_path, md_path
