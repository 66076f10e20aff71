"""Every fixture file is valid Ruby (except those that exist to be broken)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import FIXTURES

#: files written broken on purpose, to test diagnostics
BROKEN_ON_PURPOSE = {"bad_input"}

CHECK_EACH = """
bad = ARGV.select do |f|
  RubyVM::InstructionSequence.compile_file(f)
  false
rescue SyntaxError => e
  warn e.message
  true
end
exit(bad.empty? ? 0 : 1)
"""

RUBY_FILES = sorted(
    p for p in FIXTURES.rglob("*.rb") if p.relative_to(FIXTURES).parts[0] not in BROKEN_ON_PURPOSE
)


@pytest.mark.skipif(shutil.which("ruby") is None, reason="ruby is installed by .ci/run")
def test_fixtures_are_valid_ruby() -> None:
    assert RUBY_FILES, "no fixture files found"
    # `ruby -c a b` would check only `a` (the rest become ARGV), so compile each file
    result = subprocess.run(
        ["ruby", "-e", CHECK_EACH, *map(str, RUBY_FILES)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_fixture_has_facts() -> None:
    folders = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
    assert folders
    assert [f.name for f in folders if not (f / "expected_facts.json").is_file()] == []
