"""HTTP connections to an address checked beforehand (webhooks, offer feeds).

``http.client`` would resolve the host again when connecting, and a rebinding DNS could then
answer with a private address the check never saw; these connect to the very address that was
checked, while TLS still verifies the certificate against the host name."""

from __future__ import annotations

import http.client
import socket


class PinnedHTTPConnection(http.client.HTTPConnection):
    address: str

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    address: str

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # checks the name


def connection(scheme: str, host: str, port: int, address: str, timeout: float) -> http.client.HTTPConnection:
    """A connection to ``host`` (its Host header, its certificate) made to ``address``."""
    made = (PinnedHTTPSConnection if scheme == "https" else PinnedHTTPConnection)(host, port, timeout=timeout)
    made.address = address
    return made
