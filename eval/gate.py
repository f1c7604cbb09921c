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
    if scope in ("overall", "zalo_vs_clean"):
        return summary.get(scope)
    return summary.get("by_kind", {}).get(scope)


def check(summary: Summary, thresholds: Thresholds) -> list[str]:
    """Every breached threshold, as a readable line; empty when the gate passes."""
    breaches = []
    for scope, table in thresholds.items():
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
