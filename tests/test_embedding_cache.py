"""The machine's embedding cache: the real model behind it, several processes writing at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.index.embedding import build_embedding
from assistant.index.embedding_cache import EmbeddingCache

TEXTS = ["Sở Y tế chủ trì, phối hợp với Công an tỉnh.", "Điều 3. Giải thích từ ngữ", "Hạn báo cáo trước ngày 15/12."]


def test_each_text_is_embedded_once_and_queries_are_kept_apart(tmp_path: Path) -> None:
    model = build_embedding(Settings(embedding_cache=tmp_path / "cache.sqlite3"))
    first = model.get_text_embedding_batch(TEXTS)
    assert model.computed == 3
    again = build_embedding(Settings(embedding_cache=tmp_path / "cache.sqlite3"))  # another process, same machine
    assert again.get_text_embedding_batch(TEXTS) == first and again.computed == 0
    # A query is embedded with e5's "query: " prefix: the same words are another vector.
    query = again.get_query_embedding(TEXTS[0])
    assert again.computed == 1 and query != first[0]
    assert again.get_query_embedding(TEXTS[0]) == query and again.computed == 1
    count, size = again.cache.stats()
    assert count == 4 and size > 0
    assert again.cache.clear() == 4 and again.cached(TEXTS) == [None, None, None]


def test_another_model_identity_never_shares_vectors(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "cache.sqlite3")
    cache.put([(EmbeddingCache.key("model-a", "passage", "x"), [1.0, 0.0])])
    assert cache.get([EmbeddingCache.key("model-b", "passage", "x")]) == {}
    assert cache.get([EmbeddingCache.key("model-a", "passage", "x")]) == {EmbeddingCache.key("model-a", "passage", "x"): [1.0, 0.0]}


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from assistant.index.embedding_cache import EmbeddingCache\n"
        "cache = EmbeddingCache(Path(sys.argv[1]))\n"
        "for i in range(300):\n"
        "    cache.put([(EmbeddingCache.key('m', 'passage', f'{sys.argv[2]}-{i % 200}'), [float(i)] * 8)])\n"
    )
    writers = [subprocess.Popen([sys.executable, "-c", code, str(path), name]) for name in ("a", "b", "c", "a")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    assert EmbeddingCache(path).stats()[0] == 600
