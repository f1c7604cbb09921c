#!/usr/bin/env bash
# Set up .venv on a fresh machine: torch 2.13.0 (the local CPU build) first, then the project.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
"$PYTHON" - <<'PY'
import sys
if sys.version_info[:2] != (3, 11):
    sys.exit(f"Python 3.11 is required, found {sys.version.split()[0]}")
PY

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
FIND_LINKS=()
[ -d /opt/wheels ] && FIND_LINKS=(--find-links /opt/wheels)
# Any other torch request pulls a multi-GB CUDA build: pin the local CPU wheel before anything asks for torch.
.venv/bin/pip install --quiet "${FIND_LINKS[@]}" torch==2.13.0
.venv/bin/pip install --quiet "${FIND_LINKS[@]}" -e '.[test]'
echo "Đã cài đặt xong vào .venv"
