"""Bounds on what a chat session keeps: the last turns only, and nothing once it sits idle.

Every turn of a session used to stay in its state and be sent back with each message, so memory
grew and answers slowed (0.04 s → 0.72 s at 150 turns). A follow-up only ever needs the last
answered turn; the chat shows (and the sources panel reads) the most recent `session_turns`.
Beyond its `gr.State` values, gradio keeps a record of every session it has seen (see
`forget_idle_sessions`); that goes too once the session sits idle. And because a session costs
memory (~0.5 MB) from its first call, the number of sessions is bounded as well: `max_sessions`
in all (gradio forgets the least recently used beyond it) and `max_sessions_per_client` per
client address (`SessionBounds`), so cheap calls with a new session each time (835 → 2,075 MB
in 90 s) neither grow the server nor push other users' sessions out.
"""

from __future__ import annotations

import datetime
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, TypeVar

from assistant.config import Settings
from assistant.present.access import GRADIO_API, ASGIApp, Receive, Scope, Send, buffered_body

T = TypeVar("T")


def kept_turns(turns: Sequence[T] | None, limit: int) -> list[T]:
    """The most recent `limit` turns (all of them when there are fewer)."""
    items = list(turns or [])
    return items[-limit:] if limit > 0 else []


def kept_messages(history: Sequence[dict[str, Any]] | None, limit: int) -> list[dict[str, Any]]:
    """Chat messages of the most recent `limit` turns; a turn starts at a user message."""
    messages = list(history or [])
    starts = [i for i, message in enumerate(messages) if message.get("role") == "user"]
    if limit <= 0:
        return []
    if len(starts) <= limit:
        return messages
    return messages[starts[-limit]:]


def session_ttl_seconds(settings: Settings) -> float:
    """How long an idle session's state lives (for `gr.State(time_to_live=…)`); gradio sweeps
    expired state once a second, so less than a second would mean nothing."""
    return max(1.0, settings.session_idle_minutes * 60)


def idle_expired(last_active: float | None, settings: Settings, now: float | None = None) -> bool:
    """Has a session been idle (no message, no feedback) for longer than `session_idle_minutes`?"""
    if last_active is None:
        return False
    now = time.time() if now is None else now
    return now - last_active > settings.session_idle_minutes * 60


def forget_idle_sessions(holder: Any, idle_seconds: float, now: datetime.datetime | None = None) -> int:
    """Drop gradio's whole record of sessions unused for `idle_seconds`; returns how many.

    gradio keeps, per session id (every page load, every API client), its own copy of the page's
    components and their per-session values, about 200 kB, until 10,000 sessions have been seen
    (2 GB), long after the session's `gr.State` values expired. A session that comes back after
    this starts from the page's defaults, as one whose state expired does (the browser keeps its
    own copy of the conversation). `holder` is gradio's StateHolder (`demo.state_holder`)."""
    now = now or datetime.datetime.now()
    with holder.lock:
        idle = [session for session, used in holder.time_last_used.items() if (now - used).total_seconds() > idle_seconds]
    for session in idle:
        forget_session(holder, session)
    return len(idle)


def forget_session(holder: Any, session: str) -> None:
    """gradio's whole record of one session, its State values' delete callbacks run. A request of
    that session still running keeps what it holds; its next one starts from the page's defaults."""
    holder.delete_state(session)
    with holder.lock:
        holder.session_data.pop(session, None)
        holder.time_last_used.pop(session, None)


class SessionBounds:
    """At most `per_client` sessions per client address: a client's new session beyond that
    pushes out its own least recently used one, never another client's. (gradio's own capacity,
    set to `max_sessions`, bounds them all.) Thread-safe; the book holds only live sessions."""

    def __init__(self, per_client: int) -> None:
        self.per_client = max(1, per_client)
        self._by_client: dict[str, OrderedDict[str, None]] = {}
        self._client_of: dict[str, str] = {}
        self._lock = threading.Lock()
        self.holder: Any = None  # gradio's StateHolder, once the app is launched

    def seen(self, session: str, client: str) -> list[str]:
        """Note a call of `session` from `client`; returns the sessions pushed out (already forgotten)."""
        with self._lock:
            owner = self._client_of.get(session)
            if owner is not None:
                self._by_client[owner].move_to_end(session)
                return []
            sessions = self._by_client.setdefault(client, OrderedDict())
            sessions[session] = None
            self._client_of[session] = client
            evicted = []
            while len(sessions) > self.per_client:
                oldest, _ = sessions.popitem(last=False)
                del self._client_of[oldest]
                evicted.append(oldest)
        if self.holder is not None:
            for session in evicted:
                forget_session(self.holder, session)
        return evicted

    def prune(self, live: set[str] | Any) -> None:
        """Forget the book's sessions gradio no longer holds (idle, or beyond `max_sessions`)."""
        with self._lock:
            for session in [s for s in self._client_of if s not in live]:
                client = self._client_of.pop(session)
                self._by_client[client].pop(session, None)
                if not self._by_client[client]:
                    del self._by_client[client]

    def count(self, client: str | None = None) -> int:
        with self._lock:
            return len(self._client_of) if client is None else len(self._by_client.get(client, ()))


class SessionGate:
    """Plain ASGI: notes which client address each session's calls come from (the session id is in
    the body of gradio's run/call/queue routes) for `SessionBounds`, before gradio creates the
    session. The address is the connection's own, never a header the client writes."""

    def __init__(self, app: ASGIApp, bounds: SessionBounds) -> None:
        self.app = app
        self.bounds = bounds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "POST" or not path.startswith(GRADIO_API):
            await self.app(scope, receive, send)
            return
        body, replayed = await buffered_body(receive)
        try:
            payload = json.loads(body or b"{}")
        except (ValueError, RecursionError):
            payload = None
        session = payload.get("session_hash") if isinstance(payload, dict) else None
        if isinstance(session, str) and session:
            self.bounds.seen(session, str((scope.get("client") or ("?",))[0]))
        await self.app(scope, replayed, send)


def session_gate(bounds: SessionBounds) -> Any:
    """`SessionGate` as launch middleware, to go after `http_gates` (a refused call is no session)."""
    from starlette.middleware import Middleware

    return Middleware(SessionGate, bounds=bounds)


def bound_gradio_sessions(demo: Any, settings: Settings, bounds: SessionBounds | None = None) -> None:
    """After `demo.launch`: at most `max_sessions` sessions (gradio forgets the least recently
    used beyond it), at most `max_sessions_per_client` per client (`bounds`, fed by `SessionGate`),
    and gradio's once-a-second sweep of expired state (run by the server itself while it is up)
    also forgets sessions idle for `session_idle_minutes`."""
    holder = demo.state_holder
    holder.capacity = max(1, settings.max_sessions)
    if bounds is not None:
        bounds.holder = holder
    sweep_expired = holder.delete_all_expired_state
    idle_seconds = session_ttl_seconds(settings)

    def sweep() -> None:
        sweep_expired()
        forget_idle_sessions(holder, idle_seconds)
        if bounds is not None:
            bounds.prune(holder.session_data)

    holder.delete_all_expired_state = sweep
