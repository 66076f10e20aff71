"""Small Ruby building blocks for unit tests."""

from __future__ import annotations


def workers(*names: str) -> str:
    """Ruby source defining each named Sidekiq worker with an empty perform."""
    return "\n".join(
        f"class {name}\n  include Sidekiq::Job\n  def perform(*args); end\nend\n" for name in names
    )


def starter(body: str, callbacks: str = "") -> dict[str, str]:
    """A service whose `call` runs `body` (indented for you), plus worker A..F."""
    indented = "\n".join("    " + line for line in body.strip().splitlines())
    files = {
        "app/services/flow.rb": f"class Flow\n  def call\n{indented}\n  end\nend\n",
        "app/workers.rb": workers("A", "B", "C", "D", "E", "F"),
    }
    if callbacks:
        files["app/callbacks.rb"] = callbacks
    return files
