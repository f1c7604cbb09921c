"""Bounds on what a chat session keeps: the last turns only, and nothing once it sits idle.

Every turn of a session used to stay in its state and be sent back with each message, so memory
grew and answers slowed (0.04 s → 0.72 s at 150 turns). A follow-up only ever needs the last
answered turn; the chat shows (and the sources panel reads) the most recent `session_turns`.
"""

from __future__ import annotations

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
