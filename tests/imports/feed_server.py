"""A real HTTP server on the loopback interface for the feed tests, in a thread: it serves what
the test puts in ``files`` and a few misbehaving paths (slow, endless redirects, 500, too big)."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FeedServer:
    url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)  # path → body
    etags: set[str] = field(default_factory=set)  # paths answered with an ETag (and 304 to it)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (path, headers)
    slow_seconds: float = 2.0

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


def _handler(state: FeedServer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):  # noqa: N802 (http.server's name)
            state.requests.append((self.path, dict(self.headers)))
            if self.path == "/slow":
                time.sleep(state.slow_seconds)
                return self._send(200, b"sku;price\r\n")
            if self.path.startswith("/loop"):  # redirects for ever
                number = int(self.path.removeprefix("/loop") or 0)
                self.send_response(302)
                self.send_header("Location", f"/loop{number + 1}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if self.path.startswith("/redirect-to/"):
                self.send_response(301)
                self.send_header("Location", "/" + self.path.removeprefix("/redirect-to/"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if self.path == "/error":
                return self._send(500, b"oops")
            if self.path == "/big":  # no Content-Length: the reader must stop on its own
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.end_headers()
                self.wfile.write(b"sku;price;stock\r\n")
                try:
                    for _ in range(200):
                        self.wfile.write(b"X;1;1\r\n" * 100)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return None
            if self.path == "/big-declared":
                self.send_response(200)
                self.send_header("Content-Length", str(10**9))
                self.end_headers()
                return None
            body = state.files.get(self.path)
            if body is None:
                return self._send(404, b"not found")
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.path in state.etags and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return None
            return self._send(200, body, {"ETag": etag} if self.path in state.etags else {})

        def _send(self, status: int, body: bytes, headers: dict | None = None):
            self.send_response(status)
            self.send_header("Content-Type", "text/csv; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True


def serve():
    """Start a server on 127.0.0.1 (a free port); returns (state, stop)."""
    state = FeedServer()
    server = _Server(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(5)

    return state, stop
