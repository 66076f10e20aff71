"""The bridge's address as the client uses it: the connection to open, and how to name
it in a message without the token or any credentials the URL holds."""

from __future__ import annotations

import http.client
import urllib.parse
from dataclasses import dataclass, field

from batch2flow.runtime.errors import BridgeError


@dataclass(frozen=True)
class Endpoint:
    #: http or https
    scheme: str
    host: str
    port: int | None
    #: the URL's path without a trailing slash ("" for the root)
    base_path: str
    #: bearer token, or None; never shown
    token: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str, token: str | None) -> Endpoint:
        parts = urllib.parse.urlsplit(url.strip())
        # a bridge is only ever HTTP(S); credentials go in the token, not the URL
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BridgeError(
                f"the Sidekiq bridge URL must start with http:// or https://, not {_bare(url)!r}"
            )
        if parts.username is not None or parts.password is not None:
            raise BridgeError(
                f"the Sidekiq bridge URL {_bare(url)!r} holds credentials: put the token in "
                "BATCH2FLOW_BRIDGE_TOKEN or the block's token instead"
            )
        if parts.query or parts.fragment:
            raise BridgeError(f"the Sidekiq bridge URL {_bare(url)!r} must have no ?query or #fragment")
        try:
            port = parts.port
        except ValueError:
            raise BridgeError(f"the Sidekiq bridge URL {_bare(url)!r} has a bad port") from None
        return cls(parts.scheme, parts.hostname, port, parts.path.rstrip("/"), token or None)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = f":{self.port}" if self.port is not None else ""
        return f"{self.scheme}://{host}{port}{self.base_path}"

    def path(self, path: str) -> str:
        return self.base_path + path

    def shown(self, path: str) -> str:
        """The full URL of `path`, fit for a message."""
        return self.url + path

    def redact(self, text: str | bytes) -> str:
        """`text` (from the bridge, say) with the token blanked, should it echo it."""
        found = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        return found.replace(self.token, "[token]") if self.token else found

    def connection(self, timeout: float) -> http.client.HTTPConnection:
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)


def _bare(url: str) -> str:
    # shown in a message about a bad URL: never with what stands before an @
    parts = urllib.parse.urlsplit(url.strip())
    netloc = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))
