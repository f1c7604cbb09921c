"""Trợ lý chính sách: answers about drug-prevention policy documents, with verbatim citations.

The packages follow the flow: documents (load, kinds, metadata, structure, agencies) → index
(embedding, store, bm25, ingest, library) → query (read, understand, retrieve) → answering
(router, answerers, refusal, engine) → present (cli, chat, views; app.py is the web chat).
"""

from assistant.config import disable_telemetry

disable_telemetry()  # first thing on any import path: before chromadb or gradio can be imported
