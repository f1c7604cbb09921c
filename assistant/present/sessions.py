"""Bounds on what a chat session keeps: the last turns only, and nothing once it sits idle.

Every turn of a session used to stay in its state and be sent back with each message, so memory
grew and answers slowed (0.04 s → 0.72 s at 150 turns). A follow-up only ever needs the last
answered turn; the chat shows (and the sources panel reads) the most recent `session_turns`.
Beyond its `gr.State` values, gradio keeps a record of every session it has seen (see
`forget_idle_sessions`); that goes too once the session sits idle.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Sequence
from typing import Any, TypeVar

from assistant.config import Settings

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
        holder.delete_state(session)  # runs the State components' delete callbacks
        with holder.lock:
            holder.session_data.pop(session, None)
            holder.time_last_used.pop(session, None)
    return len(idle)


def bound_gradio_sessions(demo: Any, settings: Settings) -> None:
    """After `demo.launch`: gradio's once-a-second sweep of expired state (run by the server
    itself while it is up) also forgets sessions idle for `session_idle_minutes`."""
    holder = demo.state_holder
    sweep_expired = holder.delete_all_expired_state
    idle_seconds = session_ttl_seconds(settings)

    def sweep() -> None:
        sweep_expired()
        forget_idle_sessions(holder, idle_seconds)

    holder.delete_all_expired_state = sweep
