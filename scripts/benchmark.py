"""Speed and memory at the scale of a province's archive, printed (never asserted).

    .venv/bin/python scripts/benchmark.py              # bundled corpus, then archives of 50, 200, 500 documents
    .venv/bin/python scripts/benchmark.py --quick      # bundled corpus only (CI)
    .venv/bin/assistant bench --n 50 --no-quickstart   # the same, from the CLI

See assistant/bench/run.py for what is measured and eval/bench.md for the latest table.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.bench.run import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
