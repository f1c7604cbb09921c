"""`assistant matrix` and `assistant deadlines` over a real build of the bundled corpus (issue 18):
the JSON shapes of the issue, the files each format writes, a clear message for a bad date."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from icalendar import Calendar
from openpyxl import load_workbook

from assistant.config import PROJECT_ROOT, Settings
from assistant.index.library import LIBRARY_FILE, RESPONSIBILITIES_KEY
from assistant.index.store import IndexStore


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir),
                "ASSISTANT_DATA_DIR": str(settings.data_dir), "HF_HUB_OFFLINE": "1"})
    return subprocess.run([sys.executable, "-m", "assistant.present.cli", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300)


def test_the_build_stores_the_matrix(built_settings: Settings) -> None:
    store = IndexStore(built_settings)
    folder = store.build_dir(store.current_manifest().build_id)
    saved = json.loads((folder / LIBRARY_FILE).read_text(encoding="utf-8"))[RESPONSIBILITIES_KEY]
    assert any(a["agency"] == "Sở Y tế" for a in saved["assignments"])
    assert any(d["date"] == "2023-07-04" for d in saved["deadlines"])


def test_matrix_json_for_one_body_typed_without_accents(built_settings: Settings) -> None:
    done = run(built_settings, "matrix", "--agency", "so y te", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["assignments"]
    assert rows and {r["agency"] for r in rows} == {"Sở Y tế"}
    assert len({r["document"] for r in rows}) >= 2
    assert set(rows[0]) == {"document", "section", "agency", "role", "partners", "tasks"}
    assert all(t["text"] and t["section"] for r in rows for t in r["tasks"])


def test_matrix_files(built_settings: Settings, tmp_path: Path) -> None:
    xlsx = tmp_path / "m.xlsx"
    assert run(built_settings, "matrix", "--format", "xlsx", "--out", str(xlsx)).returncode == 0
    assert load_workbook(xlsx)["Ma trận"]["A1"].value == "Cơ quan"
    table = tmp_path / "m.csv"
    assert run(built_settings, "matrix", "--document", "tuyenquang", "--format", "csv", "--out", str(table)).returncode == 0
    assert table.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(table.read_text(encoding="utf-8-sig").splitlines()))
    assert any(r[0] == "Sở Công thương" and r[1] == "phối hợp" and "Công an tỉnh" in r[2] for r in rows)
    markdown = run(built_settings, "matrix", "--format", "md", "--agency", "Công an tỉnh")
    assert markdown.returncode == 0 and markdown.stdout.startswith("## Công an tỉnh")


def test_deadlines_between_two_days(built_settings: Settings, tmp_path: Path) -> None:
    done = run(built_settings, "deadlines", "--from", "2023-06-01", "--to", "30/06/2023", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["deadlines"]
    assert any(r["date"] == "2023-06-05" for r in rows)
    assert not any(r["date"] == "2023-07-04" for r in rows)
    assert set(rows[0]) == {"document", "section", "agency", "what", "when_text", "date", "start", "end", "recurrence"}
    ics = tmp_path / "h.ics"
    assert run(built_settings, "deadlines", "--format", "ics", "--out", str(ics)).returncode == 0
    assert list(Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))


def test_a_bad_date_is_explained_and_writes_nothing(built_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "h.ics"
    done = run(built_settings, "deadlines", "--from", "31/02/2023", "--format", "ics", "--out", str(out))
    assert done.returncode == 2 and "không hợp lệ" in done.stderr
    assert not out.exists()
