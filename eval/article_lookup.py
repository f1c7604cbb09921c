"""Article lookup accuracy: "Điều N của <văn bản> quy định gì?" for every article of every document
of a corpus. A lookup is right when it is answered from that article of that document alone.

    python -m eval.article_lookup --corpus ../shared/corpus-dev
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from assistant.config import Settings
from assistant.service import PolicyAssistant


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.article_lookup", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    args = parser.parse_args(argv)
    per_document: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    with tempfile.TemporaryDirectory(prefix="article-lookup-") as tmp:
        assistant = PolicyAssistant(Settings(corpus_dir=args.corpus.resolve(), index_dir=Path(tmp) / "index"))
        assistant.ingest(show_progress=False)
        engine = assistant.engine
        library = engine.library
        for source, entry in library.documents.items():
            articles = dict.fromkeys(
                str(n.metadata["section"]) for n in library.sections_of(source)
                if n.metadata.get("layout") == "normative" and re.fullmatch(r"Điều \d+[a-zđ]?", str(n.metadata.get("section")))
            )
            for article in articles:
                question = f"{article} của {entry.name} quy định gì?"
                meta = engine.ask(question).metadata
                cited = meta["citations"]
                right = bool(cited) and not meta["abstained"] and all(
                    c["source"] == source and (c["section"] == article or str(c["section"]).startswith(article + ",")) for c in cited
                )
                per_document[source][0] += right
                per_document[source][1] += 1
                if not right:
                    misses.append(f"{question} → {meta['answerer']}: {[(c['source'], c['section']) for c in cited][:3]}")
    total = [sum(v[0] for v in per_document.values()), sum(v[1] for v in per_document.values())]
    print("| document | articles | answered from that article |\n|---|---:|---:|")
    for source, (right, count) in sorted(per_document.items()):
        print(f"| {source} | {count} | {right}/{count} = {right / count:.3f} |")
    print(f"| all | {total[1]} | {total[0]}/{total[1]} = {total[0] / max(1, total[1]):.3f} |")
    for miss in misses[:20]:
        print("miss:", miss, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
