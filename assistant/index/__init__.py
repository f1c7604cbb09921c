"""Index: sections → embeddings (cached per text), Chroma, BM25; atomic builds and the live library."""
