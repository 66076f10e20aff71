"""A second opinion on syntax errors before one is called an error.

tree-sitter-ruby rejects a few constructs that Ruby accepts (`:$'`, `alias_method :☠`,
some heredocs). A B2F010 stands only where Ruby itself rejects the file too: one `ruby`
process compiles (never runs) the text of every file the parser rejected, sent on its
stdin. Where Ruby accepts the file, or no Ruby is on PATH to ask, each of the parser's
complaints becomes a B2F011 warning instead; either way the rest of the file is read.
"""

from __future__ import annotations

import json
import shutil
import subprocess

from batch2flow import diagnostics as diag
from batch2flow.diagnostics import Diagnostic

#: compiles each file's text (RubyVM::InstructionSequence runs none of it) and prints the
#: paths Ruby rejects
_COMPILE = r"""
require "json"
rejected = JSON.parse($stdin.read).select do |path, text|
  RubyVM::InstructionSequence.compile(text, path)
  false
rescue SyntaxError
  true
end
$stdout.write(JSON.generate(rejected.keys))
"""
#: a generous bound: compiling is fast, but the files may be many and large
TIMEOUT_SECONDS = 120


def confirmed(errors: list[Diagnostic], texts: dict[str, str]) -> list[Diagnostic]:
    """`errors`, the parser's B2F010s; `texts`, each file's text by its shown path. The
    ones Ruby confirms stay; the others become B2F011."""
    if not errors:
        return []
    rejected = ruby_rejects({path: texts[path] for path in sorted({e.file for e in errors})})
    return [error if rejected is not None and error.file in rejected else _gap(error, rejected is None)
            for error in errors]


def ruby_rejects(texts: dict[str, str]) -> set[str] | None:
    """The paths whose text Ruby does not compile; None when Ruby cannot be asked."""
    ruby = shutil.which("ruby")
    if ruby is None:
        return None
    try:
        done = subprocess.run([ruby, "-e", _COMPILE], input=json.dumps(texts), capture_output=True,
                              text=True, timeout=TIMEOUT_SECONDS, check=False)
        found = json.loads(done.stdout) if done.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None
    return set(found) if isinstance(found, list) else None


def _gap(error: Diagnostic, unasked: bool) -> Diagnostic:
    why = ("no `ruby` on PATH could confirm it is one" if unasked
           else "Ruby accepts the file, so the construct is valid Ruby the parser cannot read")
    return diag.make(diag.PARSER_GAP, error.file, error.line, error.col,
                     f"the parser stops here ({error.message}), but {why}; what the construct holds "
                     "may be missing from the graph")
