"""The `SidekiqBridge` Prefect block: where the bridge lives and how to authenticate.

Importing this module imports Prefect, so the package exposes the class lazily. Register
the block type once per Prefect server with `prefect block register -m batch2flow.runtime.block`,
then save one and point `BATCH2FLOW_BRIDGE_BLOCK` at its name.
"""

from __future__ import annotations

from prefect.blocks.core import Block
from pydantic import SecretStr


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
