"""Where the bridge is: a saved `SidekiqBridge` block, or environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass

from batch2flow.runtime.errors import BridgeError

DEFAULT_TIMEOUT_SECONDS = 6 * 3600.0

HOW_TO_CONFIGURE = (
    "no Sidekiq bridge configured: set BATCH2FLOW_BRIDGE_BLOCK to the name of a saved "
    "'Sidekiq Bridge' Prefect block, or set BATCH2FLOW_BRIDGE_URL (and optionally "
    "BATCH2FLOW_BRIDGE_TOKEN and BATCH2FLOW_BRIDGE_TIMEOUT in seconds)"
)


@dataclass(frozen=True)
class BridgeConfig:
    #: base URL without a trailing slash
    url: str
    #: bearer token, or None to send no Authorization header
    token: str | None
    #: seconds one job may take, enqueue to finish
    timeout_seconds: float


def load_config() -> BridgeConfig:
    """Read the configuration now: env and blocks may change between deployments."""
    block_name = os.environ.get("BATCH2FLOW_BRIDGE_BLOCK")
    if block_name:
        return _from_block(block_name)
    url = os.environ.get("BATCH2FLOW_BRIDGE_URL", "").strip()
    if not url:
        raise BridgeError(HOW_TO_CONFIGURE)
    token = os.environ.get("BATCH2FLOW_BRIDGE_TOKEN") or None
    raw_timeout = os.environ.get("BATCH2FLOW_BRIDGE_TIMEOUT")
    timeout = DEFAULT_TIMEOUT_SECONDS
    if raw_timeout:
        try:
            timeout = float(raw_timeout)
        except ValueError:
            raise BridgeError(
                f"BATCH2FLOW_BRIDGE_TIMEOUT must be a number of seconds, not {raw_timeout!r}"
            ) from None
    return BridgeConfig(url.rstrip("/"), token, timeout)


def _from_block(name: str) -> BridgeConfig:
    from batch2flow.runtime.block import SidekiqBridge

    try:
        block = SidekiqBridge.load(name)
    except ValueError as exc:  # Prefect's "Unable to find block document named ..."
        raise BridgeError(f"BATCH2FLOW_BRIDGE_BLOCK={name!r}: {exc}") from exc
    token = block.token.get_secret_value() if block.token is not None else None
    return BridgeConfig(block.url.rstrip("/"), token or None, block.timeout_seconds)
