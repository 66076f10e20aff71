"""The `SidekiqBridge` Prefect block: where the bridge lives and how to authenticate.

Importing this module imports Prefect, so the package exposes the class lazily. Save one
per Prefect server (`save_from_environment`, as MIGRATION.md shows; saving registers the
block type too) and point `BATCH2FLOW_BRIDGE_BLOCK` at its name: the generated
deployments set it in their job variables.
"""

from __future__ import annotations

from prefect.blocks.core import Block
from pydantic import SecretStr

from batch2flow.runtime.config import config_from_environment


class SidekiqBridge(Block):
    """Connection settings for the REST bridge in front of the Sidekiq workers."""

    _block_type_name = "Sidekiq Bridge"
    _description = "The REST bridge that enqueues Sidekiq jobs for batch2flow flows."

    #: base URL, e.g. https://bridge.internal:8443 (no trailing /jobs)
    url: str
    #: sent as `Authorization: Bearer <token>` when set
    token: SecretStr | None = None
    #: how long one job may stay queued or running before the task gives up (6 h)
    timeout_seconds: float = 21600


def save_from_environment(name: str) -> None:
    """Save BATCH2FLOW_BRIDGE_URL (and _TOKEN, _TIMEOUT when set) as the block `name`,
    replacing one saved before: the token goes from the environment into the block, never
    onto a command line or into a deployment."""
    config = config_from_environment()
    token = SecretStr(config.token) if config.token is not None else None
    block = SidekiqBridge(url=config.url, token=token, timeout_seconds=config.timeout_seconds)
    block.save(name, overwrite=True)
