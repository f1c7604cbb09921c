"""Load check: N concurrent chat users (gradio_client sessions) against a running web app on this
machine, for a fixed time. Prints throughput, latency p50/p95, errors, wrong answers and the
server's memory.

    python scripts/load.py --users 8 --seconds 60                  # app already on 127.0.0.1:7860
    python scripts/load.py --start --users 32 --seconds 60         # starts `python app.py` on a free port first
    python scripts/load.py --start --users 8 --seconds 600 --every 60   # soak, memory each minute
    python scripts/load.py --start --flood-sessions --users 16 --seconds 90   # cheap calls, a new session each

The fresh-session flood (issue 21's probe family) sends cheap calls (/feedback with nothing to
rate) each under a session id never seen before: the server's memory must stay bounded
(ASSISTANT_MAX_SESSIONS, ASSISTANT_MAX_SESSIONS_PER_CLIENT) instead of keeping every session.

A "wrong answer" is one that differs from the answer the same question got when asked alone
before the load started (its text and cited sources): under load every session must still get
its own question's answer. Memory is the server process's resident set (VmRSS) from /proc.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Sở Y tế phải làm gì?",
    "Công an tỉnh có nhiệm vụ gì trong Tháng hành động phòng, chống ma túy?",
    "so y te tuyen quang phai lam gi",
    "Mục tiêu xây dựng tỉnh Sơn La không ma túy vào năm nào?",
    "Khi nào các đơn vị phải gửi báo cáo kết quả về Công an tỉnh?",
    "Sở Ngoại vụ phải làm gì?",
    "Đoàn Thanh niên tham gia phòng, chống ma túy thế nào?",
    "Ai ký kế hoạch của Văn phòng UBND tỉnh Sơn La năm 2024?",
]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def answer_key(result: Any) -> tuple[str, tuple[str, ...]]:
    """What must not change under load: the reply's text and the sources it cites."""
    messages, citations = result[0], result[1]
    text = "\n".join(str(m.get("content", "")) for m in messages) if isinstance(messages, list) else str(messages)
    sources = tuple(sorted({str(c.get("source")) for c in citations or []}))
    return text, sources


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def listening_pid(port: int) -> int | None:
    """The process listening on 127.0.0.1:`port`, from /proc (no psutil needed)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            parts = row.split()
            if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(parts[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd).removeprefix("socket:[").rstrip("]") in inodes:
                    return int(proc.name)
        except OSError:
            continue
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_app(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ASSISTANT_PORT": str(port), "ASSISTANT_HOST": "127.0.0.1", "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"app.py exited with code {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(1)
    server.kill()
    raise SystemExit("app.py did not start listening within 10 minutes")


def user(url: str, offset: int, deadline: float, reference: dict[str, tuple[str, tuple[str, ...]]], tally: Tally,
         headers: dict[str, str] | None = None) -> None:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False, headers=headers)
    except Exception as err:  # noqa: BLE001 - counted, not fatal
        with tally.lock:
            tally.errors.append(f"connect: {type(err).__name__}: {err}")
        return
    i = offset
    while time.time() < deadline:
        question = QUESTIONS[i % len(QUESTIONS)]
        i += 1
        started = time.perf_counter()
        try:
            result = client.predict(question, api_name="/chat")
        except Exception as err:  # noqa: BLE001
            with tally.lock:
                tally.errors.append(f"{type(err).__name__}: {str(err)[:200]}")
            continue
        elapsed = time.perf_counter() - started
        with tally.lock:
            tally.latencies.append(elapsed)
            if answer_key(result) != reference[question]:
                tally.wrong.append(question)


def flooder(url: str, deadline: float, tally: Tally, api_key: str | None) -> None:
    """Cheap calls, each under a new session id: what a careless script or a hostile one sends."""
    import uuid

    import httpx

    headers = {"X-API-Key": api_key} if api_key else {}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        while time.time() < deadline:
            started = time.perf_counter()
            try:
                done = http.post("gradio_api/run/feedback", json={"data": ["up", "", 0], "session_hash": uuid.uuid4().hex})
            except httpx.HTTPError as err:
                with tally.lock:
                    tally.errors.append(f"{type(err).__name__}: {str(err)[:200]}")
                continue
            with tally.lock:
                tally.latencies.append(time.perf_counter() - started)
                # "nothing to rate yet" is the expected answer: gradio's 500 with the message hidden (show_error=False)
                if done.status_code != 200 and done.text.strip() != '{"error":null}':
                    tally.errors.append(f"HTTP {done.status_code}: {done.text[:200]}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--start", action="store_true", help="start python app.py on a free port and stop it afterwards")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--pid", type=int, help="server process for memory (default: whoever listens on the URL's port)")
    parser.add_argument("--every", type=float, default=0, help="also print memory every this many seconds")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object too")
    parser.add_argument("--flood-sessions", action="store_true", help="cheap calls, each under a new session id, instead of chat users")
    parser.add_argument("--api-key", default=os.environ.get("ASSISTANT_API_KEY"), help="sent as X-API-Key (default: ASSISTANT_API_KEY)")
    args = parser.parse_args(argv)

    from gradio_client import Client

    server = None
    url = args.url
    if args.start:
        port = free_port()
        server = start_app(port)
        url = f"http://127.0.0.1:{port}/"
    try:
        port = int(url.rstrip("/").rsplit(":", 1)[1].split("/")[0])
        pid = args.pid or (server.pid if server else None) or listening_pid(port)
        headers = {"X-API-Key": args.api_key} if args.api_key else None
        reference: dict[str, tuple[str, tuple[str, ...]]] = {}
        if not args.flood_sessions:
            probe = Client(url, verbose=False, headers=headers)
            reference = {q: answer_key(probe.predict(q, api_name="/chat")) for q in QUESTIONS}  # asked alone, once
        memory_start = rss_mb(pid) if pid else float("nan")
        samples: list[tuple[float, float]] = []
        tally = Tally()
        started = time.time()
        deadline = started + args.seconds
        threads = [
            threading.Thread(target=flooder, args=(url, deadline, tally, args.api_key), daemon=True) if args.flood_sessions
            else threading.Thread(target=user, args=(url, n, deadline, reference, tally, headers), daemon=True)
            for n in range(args.users)
        ]
        for thread in threads:
            thread.start()
        next_print = started + args.every if args.every else float("inf")
        while any(t.is_alive() for t in threads):
            time.sleep(1)
            if pid:
                samples.append((time.time() - started, rss_mb(pid)))
            if time.time() >= next_print and samples:
                print(f"  {samples[-1][0]:6.0f} s  server {samples[-1][1]:7.1f} MB  answers {len(tally.latencies)}", flush=True)
                next_print += args.every
        elapsed = time.time() - started
        memory_end = rss_mb(pid) if pid else float("nan")
        peak = max((m for _, m in samples), default=float("nan"))
        figures = {
            "family": "fresh-session flood" if args.flood_sessions else "chat users",
            "users": args.users, "seconds": round(elapsed, 1), "answers": len(tally.latencies),
            "throughput_per_s": round(len(tally.latencies) / elapsed, 2),
            "p50_s": round(percentile(tally.latencies, 0.5), 2), "p95_s": round(percentile(tally.latencies, 0.95), 2),
            "mean_s": round(statistics.fmean(tally.latencies), 2) if tally.latencies else None,
            "errors": len(tally.errors), "wrong_answers": len(tally.wrong),
            "server_rss_mb": {"start": round(memory_start, 1), "peak": round(peak, 1), "end": round(memory_end, 1)},
            "rss_growth_pct": round(100 * (memory_end - memory_start) / memory_start, 1) if memory_start == memory_start else None,
            "cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2),
        }
        print(
            f"{figures['family']}: {args.users} users, {elapsed:.0f} s: {figures['answers']} answers, {figures['throughput_per_s']}/s, "
            f"p50 {figures['p50_s']} s, p95 {figures['p95_s']} s, errors {figures['errors']}, wrong {figures['wrong_answers']}, "
            f"server RSS {memory_start:.0f} → {memory_end:.0f} MB (peak {peak:.0f}, {figures['rss_growth_pct']}%), "
            f"load average {figures['load_avg_1m']} on {figures['cpus']} CPUs"
        )
        for error in sorted(set(tally.errors))[:5]:
            print(f"  error: {error}")
        for question in sorted(set(tally.wrong))[:5]:
            print(f"  wrong answer for: {question}")
        if args.json:
            print(json.dumps(figures, ensure_ascii=False))
        return 1 if tally.errors or tally.wrong else 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    sys.exit(main())
