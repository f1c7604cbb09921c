"""Who may do what on the web server: administrators' sign-in, their tokens, the API key, exposure.

The chat is open to everyone who can reach the server; adding documents is for administrators.
Probing found sign-in open to 3.9 guesses/s with no lockout or log, admin rights bound to a
session id the client picks and that never expires, gradio's upload route open to anyone, and a
server on 0.0.0.0 with password "admin" starting without a word. This module holds the pieces the
web app wires in:

- `SignInGate`: constant-time check, a growing delay after each failure, a temporary lockout of
  the name and of the client address after `sign_in_max_failures`, every failure and lockout
  logged (name and address, never the password);
- `AdminTokens`: random tokens issued by the server at sign-in that expire after
  `admin_token_minutes`; the upload handler trusts a token, never a name from the client;
- `ApiKeyMiddleware`: when `api_key` is set, every gradio API route needs the header `X-API-Key`
  (or `Authorization: Bearer …`) or the per-page token the server set when it served the page
  (`PageTokens`); the programs' functions (/chat, /feedback) need the key even from a page;
- `UploadGate`: gradio's own upload route answers only while an administrator is signed in;
- `BodyLimit`: a request body over `max_request_bytes` is refused before gradio reads it;
- `BusyMessage`: the queue's "Queue is full" refusal in Vietnamese for programs (the page's own
  English text is put into Vietnamese by the page script, assistant/present/web/chat.js);
- `exposure_warnings`: what is risky about where and how the server listens;
- `listen_problem`: why the server cannot listen where it is told to, said before it tries.
"""

from __future__ import annotations

import errno
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from assistant.config import Settings

log = logging.getLogger(__name__)

Password = SecretStr | str  # Settings holds SecretStr; plain strings are accepted where a caller has one


def reveal(password: Password | None) -> str:
    """The password's text, for comparing it; never for printing or logging."""
    if isinstance(password, SecretStr):
        return password.get_secret_value()
    return password or ""

Clock = Callable[[], float]
Sleep = Callable[[float], None]


# ----------------------------------------------------------------------------- tokens


class AdminTokens:
    """Server-issued administrator tokens: random, unguessable, expiring. Thread-safe."""

    def __init__(self, minutes: float, clock: Clock = time.monotonic) -> None:
        self.lifetime = minutes * 60.0
        self._clock = clock
        self._tokens: dict[str, tuple[str, float]] = {}  # token → (name, expires at)
        self._lock = threading.Lock()

    def issue(self, name: str) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._drop_expired()
            self._tokens[token] = (name, self._clock() + self.lifetime)
        return token

    def holder(self, token: str | None) -> str | None:
        """The administrator a token was issued to, or None (unknown, revoked or expired)."""
        if not token or not isinstance(token, str):
            return None
        with self._lock:
            held = self._tokens.get(token)
            if held is None:
                return None
            if held[1] <= self._clock():
                del self._tokens[token]
                return None
            return held[0]

    def revoke(self, token: str | None) -> None:
        with self._lock:
            self._tokens.pop(token or "", None)

    def any_active(self) -> bool:
        with self._lock:
            self._drop_expired()
            return bool(self._tokens)

    def _drop_expired(self) -> None:
        now = self._clock()
        for token in [t for t, (_, expires) in self._tokens.items() if expires <= now]:
            del self._tokens[token]


# ----------------------------------------------------------------------------- sign-in


@dataclass(frozen=True)
class SignIn:
    """The outcome of one attempt: a token on success, else a message for the page."""

    name: str | None
    token: str | None
    message: str

    @property
    def ok(self) -> bool:
        return self.token is not None


class SignInGate:
    """Checks administrators' names and passwords, slowing and then locking out guessers."""

    def __init__(self, admins: Mapping[str, Password], settings: Settings, tokens: AdminTokens,
                 clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self._admins = {name: reveal(password) for name, password in admins.items()}
        self._settings = settings
        self.tokens = tokens
        self._clock = clock
        self._sleep = sleep
        self._failures: dict[str, deque[float]] = {}  # "name:…" / "client:…" → failure times
        self._lock = threading.Lock()

    @property
    def _window(self) -> float:
        return self._settings.sign_in_lockout_minutes * 60.0

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self._window:
            times.popleft()
        return times

    def locked_for(self, name: str, client: str) -> float:
        """Seconds until this name or client may try again (0 when not locked out)."""
        now = self._clock()
        with self._lock:
            waits = []
            for key in (f"name:{name}", f"client:{client}"):
                times = self._recent(key, now)
                if len(times) >= self._settings.sign_in_max_failures:
                    waits.append(times[-1] + self._window - now)
            return max([0.0, *waits])

    def sign_in(self, name: str | None, secret: str | None, client: str) -> SignIn:
        name = (name or "").strip()[:100]
        wait = self.locked_for(name, client)
        if wait > 0:
            log.warning("Admin sign-in refused (locked out): name=%r client=%s", name, client)
            minutes = max(1, round(wait / 60))
            return SignIn(None, None, f"Đăng nhập bị tạm khóa do nhập sai nhiều lần. Hãy thử lại sau khoảng {minutes} phút.")
        expected = self._admins.get(name)
        # Compare even for unknown names so the time taken does not reveal which names exist.
        matches = hmac.compare_digest((secret or "").encode(), (expected or "\0" * 32).encode())
        if matches and expected is not None:
            with self._lock:
                self._failures.pop(f"name:{name}", None)
                self._failures.pop(f"client:{client}", None)
            log.info("Admin signed in: name=%r client=%s", name, client)
            return SignIn(name, self.tokens.issue(name), f"Đã đăng nhập: {name}")
        now = self._clock()
        with self._lock:
            counts = []
            for key in (f"name:{name}", f"client:{client}"):
                times = self._recent(key, now)
                times.append(now)
                counts.append(len(times))
            if len(self._failures) > 10_000:  # forget keys with no recent failure
                self._failures = {k: v for k, v in self._failures.items() if v and now - v[-1] <= self._window}
        failures = max(counts)
        log.warning("Admin sign-in failed: name=%r client=%s recent_failures=%d", name, client, failures)
        delay = min(self._settings.sign_in_max_delay_seconds, self._settings.sign_in_delay_seconds * 2 ** (failures - 1))
        self._sleep(delay)  # every guess costs the guesser time
        if failures >= self._settings.sign_in_max_failures:
            minutes = self._settings.sign_in_lockout_minutes
            log.warning("Admin sign-in locked out for %g min: name=%r client=%s", minutes, name, client)
            return SignIn(None, None, f"Sai tên đăng nhập hoặc mật khẩu. Đăng nhập bị tạm khóa {minutes:g} phút.")
        return SignIn(None, None, "Sai tên đăng nhập hoặc mật khẩu.")


# ----------------------------------------------------------------------------- HTTP gates

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

GRADIO_API = "/gradio_api/"  # every route that runs a function, streams its results or describes the API
STARTUP = "/gradio_api/startup-events"  # gradio's launch calls it (once; it runs nothing of ours)
# gradio 6 routes that only programs use (the page itself never calls them)
API_ROUTES = ("/gradio_api/call/", "/gradio_api/api/", "/gradio_api/info", "/gradio_api/openapi.json", "/gradio_api/mcp")
# Shared: the page sends its events here too (queued ones to queue/join, the others to run/predict).
RUN_ROUTE = "/gradio_api/run/"
QUEUE_JOIN = "/gradio_api/queue/join"
BUSY = "Hệ thống đang bận, vui lòng thử lại sau ít phút."
UPLOAD_ROUTES = ("/gradio_api/upload", "/upload")
RECORDING_ROUTE = "/process_recording"  # gradio's audio/video upload: the page has no such component
PAGE_COOKIE = "tro_ly_trang"  # the per-page token the server sets when it serves the page
NEEDS_KEY = "Cần khóa API hợp lệ (header X-API-Key)."


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookies(headers: Mapping[str, str]) -> dict[str, str]:
    pairs = (part.strip().split("=", 1) for part in headers.get("cookie", "").split(";") if "=" in part)
    return {name: value for name, value in pairs}


def api_key_matches(headers: Mapping[str, str], expected: str) -> bool:
    """`X-API-Key: <key>` or `Authorization: Bearer <key>`, compared in constant time."""
    given = headers.get("x-api-key") or ""
    auth = headers.get("authorization") or ""
    if not given and auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


class PageTokens:
    """Tokens the server gives each page it serves (an HttpOnly cookie), so the page's own calls
    need no API key while a program's do. The client picks nothing: a token is a random nonce
    signed with a key derived from the API key (no state to keep, valid across restarts, void
    when the key changes). A program that loads the page gets what anyone who opens the chat
    gets, and no more: the programs' functions still need the key."""

    def __init__(self, api_key: str) -> None:
        self._key = hmac.new(api_key.encode(), b"tro-ly-chinh-sach/page-token", "sha256").digest()

    def issue(self) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._sign(nonce)}"

    def valid(self, token: str | None) -> bool:
        nonce, _, signature = (token or "").partition(".")
        return bool(nonce) and hmac.compare_digest(signature.encode(), self._sign(nonce).encode())

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), "sha256").hexdigest()[:43]


async def buffered_body(receive: Receive) -> tuple[bytes, Receive]:
    """A request's whole body (`BodyLimit`, outside, bounds it) and a `receive` that replays it."""
    kept: list[MutableMapping[str, Any]] = []
    while True:
        message = await receive()
        kept.append(message)
        if message["type"] != "http.request" or not message.get("more_body"):
            break
    replay = iter(kept)

    async def replayed() -> MutableMapping[str, Any]:
        return next(replay, None) or await receive()

    return b"".join(m.get("body", b"") for m in kept), replayed


def _called_function(path: str, body: bytes) -> int | str | None:
    """Which function a run/ or queue/join request runs: its `fn_index`, as gradio reads it first,
    else the api name in the path (run/<name>); None when the body is no JSON object."""
    try:
        payload = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        return None
    if not isinstance(payload, dict):
        return None
    index = payload.get("fn_index")
    if index is not None:
        try:
            return int(index)
        except (TypeError, ValueError):
            return None
    return path[len(RUN_ROUTE):].strip("/") if path.startswith(RUN_ROUTE) else None


async def _refuse(send: Send, status: int, message: str, as_json: bool = False) -> None:
    """A refusal in Vietnamese: plain text, or gradio's own shape `{"detail": …}`."""
    body = (json.dumps({"detail": message}, ensure_ascii=False) if as_json else message).encode("utf-8")
    kind = b"application/json" if as_json else b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class ApiKeyMiddleware:
    """Plain ASGI, when an API key is set: every gradio API route (anything under /gradio_api/)
    needs the key (header `X-API-Key` or `Authorization: Bearer`), or the token the server set
    when it served the page (`PageTokens`); the programs' own functions (`program_functions`:
    fn indices and api names, e.g. /chat and /feedback) need the key even from a page. A header
    the client chooses (`x-gradio-user: app`) proves nothing and is not looked at."""

    def __init__(self, app: ASGIApp, api_key: str, program_functions: frozenset[int | str] = frozenset(),
                 secure_cookie: bool = False) -> None:
        self.app = app
        self.api_key = api_key
        self.pages = PageTokens(api_key)
        self.program_functions = program_functions
        self.secure_cookie = secure_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.api_key:
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path in ("", "/") and scope.get("method") in ("GET", "HEAD"):
            await self.app(scope, receive, self._with_page_token(send))
            return
        if not path.startswith(GRADIO_API) or path.rstrip("/") == STARTUP:
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if api_key_matches(headers, self.api_key):
            await self.app(scope, receive, send)
            return
        if path.startswith(API_ROUTES) or not self.pages.valid(_cookies(headers).get(PAGE_COOKIE)):
            await self._refuse(scope, send)
            return
        if scope.get("method") == "POST" and (path.startswith(RUN_ROUTE) or path.rstrip("/").endswith(QUEUE_JOIN)):
            body, replayed = await buffered_body(receive)
            if _called_function(path, body) in self.program_functions:
                await self._refuse(scope, send)
                return
            await self.app(scope, replayed, send)
            return
        await self.app(scope, receive, send)

    def _with_page_token(self, send: Send) -> Send:
        cookie = f"{PAGE_COOKIE}={self.pages.issue()}; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if self.secure_cookie else "")

        async def with_cookie(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode("latin-1"))]}
            await send(message)

        return with_cookie

    async def _refuse(self, scope: Scope, send: Send) -> None:
        log.warning("API request without a valid key: %s from %s", scope.get("path"), (scope.get("client") or ("?",))[0])
        await _refuse(send, 401, NEEDS_KEY)


class UploadGate:
    """Plain ASGI: gradio's upload route (any file, any type, kept in its temp folder) is closed
    unless an administrator is signed in. The upload handler still checks the token itself.
    gradio's recording route (audio and video into its temp folder) is closed for good."""

    def __init__(self, app: ASGIApp, tokens: AdminTokens | None) -> None:
        self.app = app
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "POST" and scope.get("path", "").rstrip("/").endswith(RECORDING_ROUTE):
            log.warning("Recording upload refused from %s", (scope.get("client") or ("?",))[0])
            await _refuse(send, 403, "Máy chủ không nhận tệp ghi âm hay ghi hình.")
            return
        if scope["type"] == "http" and scope.get("method") == "POST" and scope.get("path", "").rstrip("/").endswith(UPLOAD_ROUTES):
            if self.tokens is None or not self.tokens.any_active():
                log.warning("Upload refused (no administrator signed in) from %s", (scope.get("client") or ("?",))[0])
                await _refuse(send, 403, "Chỉ quản trị viên đã đăng nhập mới được tải tệp lên.")
                return
        await self.app(scope, receive, send)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Plain ASGI: a POST body over `max_bytes` gets 413 and a Vietnamese line, and is read only
    to be thrown away. gradio would parse a 100 MB "question" into memory (and spend seconds of
    CPU on it) before the length check refuses it; this refuses it unparsed. The upload route is
    left to gradio's `max_file_size` (and to `UploadGate`)."""

    def __init__(self, app: ASGIApp, max_bytes: int, message: str) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.message = message

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "POST" or path.rstrip("/").endswith(UPLOAD_ROUTES):
            await self.app(scope, receive, send)
            return
        declared = _headers(scope).get("content-length", "")
        if declared.isdigit():
            if int(declared) <= self.max_bytes:  # the server holds the client to its declared length
                await self.app(scope, receive, send)
            else:
                await self._refuse(scope, receive, send)
            return
        kept: list[MutableMapping[str, Any]] = []  # no length said (chunked): read up to the limit, then replay
        size = 0
        while True:
            message = await receive()
            kept.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._refuse(scope, receive, send, finished=not message.get("more_body"))
                return
            if not message.get("more_body"):
                break
        replay = iter(kept)

        async def replayed() -> MutableMapping[str, Any]:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, finished: bool = False) -> None:
        log.warning("Request body over %d bytes refused: %s from %s", self.max_bytes, scope.get("path"), (scope.get("client") or ("?",))[0])
        while not finished:  # read to the end, keeping nothing, so the client hears the answer
            message = await receive()
            finished = message["type"] != "http.request" or not message.get("more_body")
        await _refuse(send, 413, self.message, as_json=True)


class BusyMessage:
    """Plain ASGI: gradio refuses a request beyond the queue's `max_size` with 503 "Queue is full…";
    programs calling the HTTP API read this Vietnamese line instead. (The page shows its own text
    for a 503, which the page script puts into Vietnamese.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "POST" or not (path.endswith(QUEUE_JOIN) or path.startswith(API_ROUTES[0])):
            await self.app(scope, receive, send)
            return
        refused = False

        async def reword(message: MutableMapping[str, Any]) -> None:
            nonlocal refused
            if message["type"] == "http.response.start" and message.get("status") == 503:
                refused = True
                return
            if refused and message["type"] == "http.response.body":
                if not message.get("more_body"):
                    await _refuse(send, 503, BUSY, as_json=True)
                return
            await send(message)

        await self.app(scope, receive, reword)


def http_gates(settings: Settings, tokens: AdminTokens | None, program_functions: frozenset[int | str] = frozenset()) -> list[Any]:
    """The middleware for `demo.launch(app_kwargs={"middleware": http_gates(settings, tokens, …)})`:
    the busy message in Vietnamese, the body size limit and the upload gate always (closed for
    good when no administrator is configured), the API key check when `api_key` is set (with the
    functions only programs call: their fn indices and api names)."""
    from starlette.middleware import Middleware

    def number(n: float) -> str:  # Vietnamese digit grouping: 2.000
        return f"{n:,.0f}".replace(",", ".")

    too_large = (f"Yêu cầu quá lớn (tối đa {settings.max_request_bytes / 2**20:.3g} MB): câu hỏi tối đa "
                 f"{number(settings.max_question_chars)} ký tự, góp ý tối đa {number(settings.feedback_comment_chars)} ký tự.")
    gates = [
        Middleware(BusyMessage),
        Middleware(BodyLimit, max_bytes=settings.max_request_bytes, message=too_large),
        Middleware(UploadGate, tokens=tokens if settings.admins else None),
    ]
    if settings.api_key is not None and settings.api_key.get_secret_value():
        gates.append(Middleware(ApiKeyMiddleware, api_key=settings.api_key.get_secret_value(),
                                program_functions=program_functions, secure_cookie=settings.tls))
    return gates


# ----------------------------------------------------------------------------- exposure

_COMMON_PASSWORDS = {
    "admin", "administrator", "password", "passw0rd", "123456", "12345678", "123456789", "1234567890", "qwerty",
    "abc123", "111111", "000000", "matkhau", "mat khau", "quantri", "root", "changeme", "letmein", "welcome", "admin123",
}
MIN_PASSWORD_CHARS = 12


def is_loopback(host: str) -> bool:
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: assume it resolves beyond this machine


def weak_password(name: str, password: str) -> bool:
    lowered = password.lower()
    return len(password) < MIN_PASSWORD_CHARS or lowered in _COMMON_PASSWORDS or lowered == name.lower() or len(set(password)) < 4


def exposure_warnings(settings: Settings) -> list[str]:
    """What an operator must hear at start (Vietnamese; names, never passwords or keys)."""
    if is_loopback(settings.host):
        return []
    warnings = []
    if not settings.tls:
        warnings.append(
            f"Máy chủ nghe trên {settings.host} (ra ngoài máy này) mà không có TLS: mật khẩu quản trị và câu hỏi đi qua "
            "mạng ở dạng rõ. Hãy đặt sau một reverse proxy HTTPS (rồi đặt ASSISTANT_TLS=true) hoặc nghe trên 127.0.0.1."
        )
    weak = sorted(name for name, password in settings.admins.items() if weak_password(name, reveal(password)))
    if weak:
        warnings.append(
            f"Mật khẩu quản trị yếu cho: {', '.join(weak)} (cần ít nhất {MIN_PASSWORD_CHARS} ký tự, không phải mật khẩu phổ biến "
            "hay trùng tên đăng nhập). Hãy đổi trong ASSISTANT_ADMINS."
        )
    return warnings


_LISTEN_ERRORS = {  # errno → what it means to an operator
    errno.EADDRINUSE: "cổng đã có chương trình khác dùng",
    errno.EADDRNOTAVAIL: "máy này không có địa chỉ đó",
    errno.EACCES: "không có quyền mở cổng này (cổng dưới 1024 cần quyền quản trị)",
}


def listen_problem(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on (Vietnamese, naming the settings to change), or None.

    gradio would otherwise print uvicorn's English error and then an "empty port" message that
    is not the cause. Binding a socket for a moment sends nothing anywhere."""
    where = f"{host}:{port}"
    if not 0 < port < 65536:
        return f"cổng {port} không hợp lệ (ASSISTANT_PORT: 1–65535)"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError):
        return f"không tìm được địa chỉ của “{host}” (ASSISTANT_HOST)"
    try:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
    except OSError as err:
        reason = _LISTEN_ERRORS.get(err.errno or 0, err.strerror or type(err).__name__)
        return f"không mở được {where}: {reason} (ASSISTANT_HOST, ASSISTANT_PORT)"
    return None
