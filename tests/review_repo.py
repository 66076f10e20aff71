"""A small Rails app in a real git repository, and the edits the review tests commit.

`NightlyReport.start` builds a report, then (on success) delivers it by mail and fax
in a second batch, then (on that batch's success) archives it. `StaleExports.start`
is a second workflow the edits never touch.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

#: no user or system git configuration leaks into the tests
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Review Test", "GIT_AUTHOR_EMAIL": "review@example.com",
           "GIT_COMMITTER_NAME": "Review Test", "GIT_COMMITTER_EMAIL": "review@example.com"}

STARTER = """\
# frozen_string_literal: true

# Builds the nightly report, then delivers it, then archives it.
class NightlyReport
  def self.start(day)
    batch = Sidekiq::Batch.new
    batch.description = 'nightly report'
    batch.on(:success, 'NightlyReport::Steps#built', 'day' => day)
    batch.jobs do
      Reports::BuildWorker.perform_async(day)
    end
  end
end
"""

STEPS = """\
# frozen_string_literal: true

class NightlyReport
  # Callbacks chaining the report's steps.
  class Steps
    def built(_status, options)
      delivery = Sidekiq::Batch.new
      delivery.description = 'deliver the report'
      delivery.on(:success, 'NightlyReport::Steps#delivered', options)
      delivery.jobs do
        Reports::MailWorker.perform_async(options['day'])
        Reports::FaxWorker.perform_async(options['day'])
      end
    end

    def delivered(_status, options)
      Reports::ArchiveWorker.perform_async(options['day'])
    end
  end
end
"""

STEPS_FILE = "app/services/nightly_report/steps.rb"
#: an unknown event (B2F101, an error): Ruby raises there, so the delivery batch is never pushed
TYPO = STEPS.replace(":success, 'NightlyReport::Steps#delivered'",
                     ":sucess, 'NightlyReport::Steps#delivered'")

EXPORTS = """\
# frozen_string_literal: true

# Purges exports nobody downloaded within a week.
class StaleExports
  def self.start
    purge = Sidekiq::Batch.new
    purge.jobs do
      Exports::PurgeWorker.perform_async(7)
    end
  end
end
"""


def worker(module: str, name: str) -> str:
    return f"""\
# frozen_string_literal: true

module {module}
  class {name}
    include Sidekiq::Job

    def perform(arg, *rest)
      Rails.logger.info("{name} #{{arg}} #{{rest.inspect}}")
    end
  end
end
"""


def worker_files(*names: str, module: str = "Reports") -> dict[str, str]:
    folder = module.lower()
    return {f"app/workers/{folder}/{_snake(n)}.rb": worker(module, n) for n in names}


def _snake(name: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name).lstrip("_")


def base_files() -> dict[str, str]:
    return {
        "app/services/nightly_report.rb": STARTER,
        "app/services/nightly_report/steps.rb": STEPS,
        "app/services/stale_exports.rb": EXPORTS,
        **worker_files("BuildWorker", "MailWorker", "FaxWorker", "ArchiveWorker", "NotifyWorker"),
        **worker_files("PurgeWorker", module="Exports"),
    }


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True,
                          env={**os.environ, **GIT_ENV, **(env or {})})
    return done.stdout


def write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def commit(repo: Path, files: dict[str, str], message: str, remove: tuple[str, ...] = ()) -> str:
    """Write `files`, delete `remove`, commit everything; the new commit's sha."""
    write(repo, files)
    for name in remove:
        git(repo, "rm", "-q", name)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def new_repo(root: Path) -> tuple[Path, str]:
    """A repository holding the base app; its path and the base commit."""
    repo = root / "shop"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    return repo, commit(repo, base_files(), "the nightly report")
