"""CI gate: compare a run's metrics with eval/thresholds.toml and list every breach.

A table per scope: `[overall]`, one per kind (`[zalo]`, `[comparison]`, ...) and
`[zalo_vs_clean]`. Values are minimums, except for metrics where lower is better (false
abstention, answer length, latency): there they are maximums. A threshold naming a metric the
run did not measure is a breach too, so a typo cannot pass silently.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from eval.metrics import Summary

LOWER_IS_BETTER = frozenset({
    "false_abstention", "answer_chars_median", "answer_chars_mean", "latency_ms_median", "latency_ms_p95",
})

Thresholds = dict[str, dict[str, float]]


def load_thresholds(path: Path) -> Thresholds:
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    for scope, table in data.items():
        if not isinstance(table, dict) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in table.values()):
            raise ValueError(f"{path}: [{scope}] must be a table of numbers")
    return data


def _scope(summary: Summary, scope: str) -> Summary | None:
    if scope in ("overall", "zalo_vs_clean", "held_out", "developed"):
        return summary.get(scope)
    return summary.get("by_kind", {}).get(scope)


def check(summary: Summary, thresholds: Thresholds, baselines: dict[str, Summary] | None = None) -> list[str]:
    """Every breached threshold, as a readable line; empty when the gate passes. The scope
    `[margin]` holds "<system>.<metric>" = how far above that baseline (same run) ours must be."""
    breaches = []
    for scope, table in thresholds.items():
        if scope == "margin":
            breaches.extend(_margins(summary, table, baselines or {}))
            continue
        measured = _scope(summary, scope)
        for metric, limit in table.items():
            value = measured.get(metric) if measured else None
            if not isinstance(value, (int, float)):
                breaches.append(f"[{scope}] {metric}: not measured (threshold {limit})")
            elif metric in LOWER_IS_BETTER and value > limit:
                breaches.append(f"[{scope}] {metric} = {value:.3f} > maximum {limit}")
            elif metric not in LOWER_IS_BETTER and value < limit:
                breaches.append(f"[{scope}] {metric} = {value:.3f} < minimum {limit}")
    return breaches


def _margins(summary: Summary, table: dict[str, float], baselines: dict[str, Summary]) -> list[str]:
    breaches = []
    for key, margin in table.items():
        system, _, metric = key.partition(".")
        ours = summary.get("overall", {}).get(metric)
        theirs = baselines.get(system, {}).get("overall", {}).get(metric)
        if not isinstance(ours, (int, float)) or not isinstance(theirs, (int, float)):
            breaches.append(f"[margin] {key}: not measured (run with --baselines)")
        elif ours - theirs < margin:
            breaches.append(f"[margin] {metric} = {ours:.3f}, only {ours - theirs:+.3f} over {system} ({theirs:.3f}); required +{margin}")
    return breaches
