"""What makes a local web app that holds health data safe to run beside a web browser.

The server listens on the runner's own computer, and every page the runner opens in the
same browser can send requests to it. Three things keep those pages out:

* **Host check** (DNS rebinding): a hostile site can point its own name at 127.0.0.1 and
  then read our answers as "same origin". The browser still sends *its* name in ``Host``,
  so only the names the server was started on are answered (400 otherwise).
* **Same-origin writes** (cross-site request forgery): a hostile page can post a form or
  ``fetch`` with ``no-cors`` to us even though it cannot read the answer. Every
  state-changing request must come from our own pages: ``Sec-Fetch-Site`` is
  ``same-origin`` or ``none``, or (older browsers) ``Origin`` is our own (403 otherwise).
  A request with neither header is let through: every current browser sends ``Origin``
  on a cross-origin POST, PUT, PATCH or DELETE (and ``Sec-Fetch-Site`` on all requests),
  so such a request comes from a program the runner runs (curl, a script), which could
  read the data folder directly anyway. Cross-site sub-resource reads (``<script src>``,
  ``<img src>``) of our pages and API are refused too; following a link here is not.
* **Headers on every response**: a strict Content-Security-Policy (our own scripts and
  styles only, no inline code, no ``eval``), no framing, no sniffing, no referrer, and
  ``Cross-Origin-Resource-Policy: same-origin``. No CORS headers are ever sent, so other
  origins can never read an answer.

Beyond this computer (``serve --host 0.0.0.0``) an **access token** is required: it arrives
once as ``?token=`` (answered with a ``SameSite=Strict; HttpOnly`` cookie and a redirect
that drops it from the address bar), or as ``Authorization: Bearer`` from scripts.

A pure ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``: it never buffers
a streamed body (the data export, uploads) and adds its headers to every response start.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import re
import socket
from collections.abc import Collection, Iterable
from http.cookies import SimpleCookie
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, urlencode

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_PORT = 8765
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
WILDCARD = ("0.0.0.0", "::", "")  # noqa: S104 - names compared, nothing bound here
TOKEN_COOKIE = "hipcoach_token"  # noqa: S105 - the cookie's name, not a secret
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9._~-]{16,200}")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Sec-Fetch-Dest values that mean "shown as a page", not "read as a resource".
PAGE_DESTINATIONS = frozenset({"document", ""})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # No <style> element or style="" attribute anywhere (the charts' colours are SVG
        # attributes; scripts set styles through the CSSOM), so no 'unsafe-inline'.
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), usb=(), payment=()"),
)
_OURS = frozenset(name for name, _ in SECURITY_HEADERS) | {"access-control-allow-origin"}


def is_loopback(host: str) -> bool:
    """Whether listening on ``host`` keeps the server on this computer."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _with_port(name: str, port: int) -> set[str]:
    name = name.lower()
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"  # an IPv6 address, as it appears in a Host header
    return {f"{name}:{port}", name} if port == 80 else {f"{name}:{port}"}


def local_hosts(port: int = DEFAULT_PORT) -> frozenset[str]:
    """The ``Host`` values of this computer's own loopback names on ``port``."""
    return frozenset(h for name in LOOPBACK_NAMES for h in _with_port(name, port))


def hosts_for(bind: str, port: int) -> frozenset[str]:
    """The ``Host`` values a server listening on ``bind``:``port`` answers.

    Loopback: the loopback names. An explicit address or name: that one only. A wildcard
    (every interface): the loopback names, this computer's name (also as ``.local``) and
    its main address — found without sending anything (a UDP socket is only connected).
    """
    if is_loopback(bind):
        return local_hosts(port) | frozenset(_with_port(bind.strip("[]"), port))
    if bind not in WILDCARD:
        return frozenset(_with_port(bind.strip("[]"), port))
    names = set(local_hosts(port))
    for name in _machine_names():
        names |= _with_port(name, port)
    return frozenset(names)


HOST_NAME = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.?"  # a name or an IPv4 address
    r"|\[[0-9A-Fa-f:.]{2,45}\]"  # an IPv6 address, in brackets as in a Host header
)


def allowed_names(names: Iterable[str], port: int) -> frozenset[str]:
    """``Host`` values for names the runner says the server is also reached by (a DNS name
    on the clinic's network, a reverse proxy's name). Raises ValueError naming a value that
    is not a host name or an address, so a typo cannot open the check to everything."""
    out: set[str] = set()
    for name in names:
        bare = name.strip()
        if ":" in bare and not bare.startswith("["):
            bare = f"[{bare}]"
        if not HOST_NAME.fullmatch(bare):
            raise ValueError(
                f"{bare[:60]!r} is not a host name or an address (letters, digits, dots and "
                "hyphens, e.g. hipcoach.clinic.lan or 192.168.1.20)"
            )
        out |= _with_port(bare.rstrip("."), port)
    return frozenset(out)


def _machine_names() -> Iterable[str]:
    hostname = socket.gethostname()
    if hostname:
        yield hostname
        yield f"{hostname}.local"
    address = primary_address()
    if address:
        yield address


def primary_address() -> str | None:
    """This computer's address on its main network, or None when it has none."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.connect(("192.0.2.1", 9))  # TEST-NET-1: picks the route, sends no packet
        address: str = sock.getsockname()[0]
    except OSError:
        return None
    finally:
        sock.close()
    return None if address.startswith("0.") else address


def secure_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with ours set (replacing any of the same name) and CORS removed."""
    kept = [(k, v) for k, v in headers if k.decode("latin-1").lower() not in _OURS]
    return kept + [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS]


class Refusal(NamedTuple):
    """A short plain-text answer instead of the app's."""

    status: int
    text: str
    headers: tuple[tuple[str, str], ...] = ()


MAX_BODY_BYTES = 1_048_576  # a form or a JSON body; uploads have their own, larger cap
UPLOAD_PATHS = ("/api/uploads/", "/training/upload")
TOO_LARGE = (
    "Refused: the request is larger than 1 MB. Forms and settings are far smaller; to add "
    "activity files, upload them on the Training page."
)

FOREIGN = (
    "Refused: this request came from another website. hipcoach accepts changes only from "
    "its own pages."
)
ASK_FOR_ACCESS = (
    "hipcoach needs its access token: open the address it printed when it started (the one "
    "ending in ?token=...), or send the header 'Authorization: Bearer TOKEN'."
)


def add_headers(response: Response) -> Response:
    """Our headers on a response built outside the middleware (the crash handler's, which
    Starlette sends from its outermost layer, past every middleware)."""
    for name, value in SECURITY_HEADERS:
        response.headers[name] = value
    return response


class SecurityMiddleware:
    """Host check, same-origin writes, optional access token, security headers."""

    def __init__(
        self, app: ASGIApp, *, allowed_hosts: Collection[str], token: str | None = None
    ) -> None:
        self.app = app
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self.token = token
        # The address to suggest in the 400 message: the first loopback one we answer.
        self.home = min(self.allowed_hosts, key=lambda h: (not h.startswith("127."), h), default="")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": secure_headers(message.get("headers", []))}
            await send(message)

        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await _answer(send_secured, refusal, scope)
            return
        if scope["method"].upper() not in SAFE_METHODS and not _streams_to_disk(scope["path"]):
            body = await _read_capped(receive, headers)
            if body is None:
                await _answer(send_secured, Refusal(413, TOO_LARGE), scope)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send_secured)

    def _refusal(self, scope: Scope, headers: Headers) -> Refusal | None:
        host = headers.get("host", "").lower()
        if host not in self.allowed_hosts:
            where = f" Open http://{self.home}/ instead." if self.home else ""
            return Refusal(400, f"This server only answers under its own address.{where}")
        method = str(scope["method"]).upper()
        if not self._same_origin(scope, headers, host, method):
            return Refusal(403, FOREIGN)
        if self.token is not None:
            return self._token_refusal(scope, headers, method)
        return None

    def _same_origin(self, scope: Scope, headers: Headers, host: str, method: str) -> bool:
        site = headers.get("sec-fetch-site")
        origin = headers.get("origin")
        if method in SAFE_METHODS:
            if site not in ("cross-site", "same-site"):
                return True
            # Following a link from elsewhere is fine; embedding or reading us is not.
            return (
                method == "GET"
                and headers.get("sec-fetch-mode") == "navigate"
                and headers.get("sec-fetch-dest", "") in PAGE_DESTINATIONS
            )
        own = f"{scope.get('scheme', 'http')}://{host}"
        if site is not None:
            # Sec-Fetch-Site is set by the browser alone and pages cannot forge it. Under
            # "Referrer-Policy: no-referrer" a browser sends "Origin: null" with our own
            # form posts, so "null" is no sign of a foreign page when the site says ours.
            return site in ("same-origin", "none") and origin in (None, "null", own)
        # An older browser without Sec-Fetch-Site: its Origin must be ours ("null" is a
        # sandboxed frame or a local file). Neither header: a program (see the docstring).
        return origin is None or origin == own

    def _token_refusal(self, scope: Scope, headers: Headers, method: str) -> Refusal | None:
        assert self.token is not None
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = [v for k, v in query if k == "token"]
        if given and _same(given[-1], self.token):
            if method not in ("GET", "HEAD"):
                return None
            # Keep it in a cookie and take it out of the address bar and the history.
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            location = quote(scope.get("root_path", "") + scope["path"])
            cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
            return Refusal(
                303,
                "Signed in; continue to the page.",
                (
                    ("location", location + (f"?{rest}" if rest else "")),
                    ("set-cookie", cookie),
                    ("cache-control", "no-store"),
                ),
            )
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer " and _same(auth[7:].strip(), self.token):
            return None
        jar = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is simply no token
            jar = SimpleCookie()
        if TOKEN_COOKIE in jar and _same(jar[TOKEN_COOKIE].value, self.token):
            return None
        unauthorised = (
            ("www-authenticate", 'Bearer realm="hipcoach"'),
            ("cache-control", "no-store"),
        )
        return Refusal(401, ASK_FOR_ACCESS, unauthorised)


def _streams_to_disk(path: str) -> bool:
    """Uploads stream to disk under their own size cap; every other body is small."""
    return path.startswith(UPLOAD_PATHS)


async def _read_capped(receive: Receive, headers: Headers) -> bytes | None:
    """The whole request body, or None once it passes :data:`MAX_BODY_BYTES`.

    Forms and JSON are parsed in memory (Starlette reads a whole form before any field
    can be checked), so a size cap has to come before them. The declared length is
    refused at once; a chunked body is counted as it arrives.
    """
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; the app sees an empty body and stops there
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then waits as the server's
    would (for a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _same(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8"))


async def _answer(send: Send, refusal: Refusal, scope: Scope) -> None:
    """The refusal as the API's ``{"error": ...}`` under /api/, as plain text elsewhere."""
    if str(scope["path"]).startswith("/api/"):
        body = json.dumps({"error": refusal.text}).encode("utf-8")
        kind = b"application/json"
    else:
        body = (refusal.text + "\n").encode("utf-8")
        kind = b"text/plain; charset=utf-8"
    headers = [
        (b"content-type", kind),
        (b"content-length", str(len(body)).encode()),
        *[(k.encode("latin-1"), v.encode("latin-1")) for k, v in refusal.headers],
    ]
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def check_token(token: str) -> None:
    """Raise ValueError with what to do when ``token`` is too weak or cannot be a cookie."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise ValueError(
            "the access token must be 16 to 200 characters of letters, digits and . _ ~ -"
        )
