"""batch2flow: read Sidekiq Batch workflows from a Rails tree and turn them into Prefect flows."""

__version__ = "0.1.0"
