"""Where the bridge is: a saved `SidekiqBridge` block, or environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from batch2flow.runtime.errors import BridgeError
from batch2flow.runtime.where import Endpoint

DEFAULT_TIMEOUT_SECONDS = 6 * 3600.0

HOW_TO_CONFIGURE = (
    "no Sidekiq bridge configured: set BATCH2FLOW_BRIDGE_BLOCK to the name of a saved "
    "'Sidekiq Bridge' Prefect block, or set BATCH2FLOW_BRIDGE_URL (and optionally "
    "BATCH2FLOW_BRIDGE_TOKEN and BATCH2FLOW_BRIDGE_TIMEOUT, the longest wait for one job, "
    "in seconds)"
)


@dataclass(frozen=True)
class BridgeConfig:
    #: base URL without a trailing slash
    url: str
    #: bearer token, or None to send no Authorization header; never shown
    token: str | None = field(repr=False)
    #: the longest wait for one job, enqueue to success or death, its Sidekiq retries included
    timeout_seconds: float

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint.parse(self.url, self.token)


def load_config() -> BridgeConfig:
    """Read the configuration now: env and blocks may change between deployments."""
    block_name = os.environ.get("BATCH2FLOW_BRIDGE_BLOCK")
    if block_name:
        return _from_block(block_name)
    return config_from_environment()


def config_from_environment() -> BridgeConfig:
    """BATCH2FLOW_BRIDGE_URL, _TOKEN and _TIMEOUT, whatever BATCH2FLOW_BRIDGE_BLOCK says."""
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
    return _checked(BridgeConfig(url.rstrip("/"), token, timeout))


def _from_block(name: str) -> BridgeConfig:
    from batch2flow.runtime.block import SidekiqBridge

    # `prefect block ls` shows "sidekiq-bridge/<name>"; the subclass' load wants <name> only.
    slug = SidekiqBridge.get_block_type_slug() + "/"
    try:
        block = SidekiqBridge.load(name.removeprefix(slug))
    except ValueError as exc:  # Prefect's "Unable to find block document named ..."
        raise BridgeError(f"BATCH2FLOW_BRIDGE_BLOCK={name!r}: {exc}") from exc
    if not isinstance(block, SidekiqBridge):
        # Prefect hands back a coroutine when called inside an event loop; run_job
        # blocks for the whole job, so it belongs in a sync task anyway.
        block.close()
        raise BridgeError("the Sidekiq bridge is called from sync tasks only, not inside an event loop")
    token = block.token.get_secret_value() if block.token is not None else None
    return _checked(BridgeConfig(block.url.rstrip("/"), token or None, block.timeout_seconds))


def _checked(config: BridgeConfig) -> BridgeConfig:
    Endpoint.parse(config.url, config.token)  # raises BridgeError for a URL that is no bridge's
    if not config.timeout_seconds > 0:
        raise BridgeError(f"the bridge timeout must be a positive number of seconds, "
                          f"not {config.timeout_seconds!r}")
    return config
