"""Trợ lý chính sách: answers about drug-prevention policy documents, with verbatim citations.

The question flows through the modules in this order:
load → structure → index (embedding, store, bm25) → retrieve → answer → present (cli, app.py).
"""

from assistant.config import disable_telemetry

disable_telemetry()  # first thing on any import path: before chromadb or gradio can be imported
