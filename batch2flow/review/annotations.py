"""`review --format github`: the diagnostics a change introduces, as workflow commands.

GitHub Actions turns `::error file=...,line=...,col=...::message` lines on stdout into
annotations on the pull request's diff. Its escaping: `%`, CR and LF in the message;
those and `:` and `,` in property values, which would otherwise end the property.
"""

from __future__ import annotations

from batch2flow.diagnostics import Diagnostic
from batch2flow.review.compare import Review
from batch2flow.terminal import visible

#: GitHub has no `info` level; a notice is its nearest
_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def render_annotations(review: Review) -> str:
    return "".join(_command(d) + "\n" for d in review.diagnostics_added)


def _command(diagnostic: Diagnostic) -> str:
    level = _LEVELS.get(diagnostic.severity.value, "warning")
    properties = ",".join(f"{name}={escape_property(value)}" for name, value in (
        ("file", diagnostic.file), ("line", str(diagnostic.line)), ("col", str(diagnostic.col)),
        ("title", f"{diagnostic.code} ({diagnostic.severity.value})"),
    ))
    message = diagnostic.message + (f"\nhelp: {diagnostic.help}" if diagnostic.help else "")
    return f"::{level} {properties}::{escape_data(message)}"


def escape_data(text: str) -> str:
    # the Actions log runs ANSI escape sequences: every other control character is shown
    return visible(text, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
