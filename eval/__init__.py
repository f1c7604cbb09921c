"""Evaluation suite: run a gold set through the assistant (and baselines), score it, gate CI.

    python -m eval [--gold FILE] [--out DIR] [--baselines] [--check-thresholds] [--publish]

Modules: `gold` (load + validate), `metrics` (pure scoring), `runner` (ask every question),
`baselines` (llama-index quickstart, BM25-only, dense-only), `gate` (thresholds), `report`.
"""
