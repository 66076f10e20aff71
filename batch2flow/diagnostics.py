"""Diagnostics: what the analysis could not read, resolve or translate.

Every stage reports problems as `Diagnostic` values instead of raising, so one bad
file never stops the run; only the CLI decides how they are printed and what the
exit code is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from batch2flow.terminal import quoted_line, visible


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    #: one line naming the problem, shown in the code table of the README
    summary: str


# The table of every diagnostic the tool can emit. Codes are stable: review bots
# and CI jobs filter on them.
UNREADABLE = Code("B2F001", Severity.ERROR, "file could not be read")
NOT_UTF8 = Code("B2F002", Severity.WARNING, "file is not UTF-8; undecodable bytes replaced")
BINARY = Code("B2F003", Severity.WARNING, "binary file skipped")
EMPTY = Code("B2F004", Severity.INFO, "empty file")
TOO_LARGE = Code("B2F005", Severity.WARNING, "file too large, skipped")
NOT_REGULAR = Code("B2F006", Severity.WARNING,
                   "not a regular file (a FIFO, device or socket) or a folder that cannot be listed, skipped")
LINK_OUTSIDE = Code("B2F007", Severity.WARNING,
                    "symbolic link that leads out of the scanned folders, not followed")
TOO_DEEP = Code("B2F008", Severity.WARNING, "Ruby nested too deeply to read, file skipped")
RULE_FAILED = Code("B2F009", Severity.WARNING,
                   "a lint rule failed on this tree (a bug of batch2flow): its findings are missing")
SYNTAX_ERROR = Code("B2F010", Severity.ERROR, "Ruby syntax error; the rest of the file is still read")
PARSER_GAP = Code("B2F011", Severity.WARNING,
                  "the parser cannot read a construct here that Ruby accepts (or Ruby was not there "
                  "to ask); the rest of the file is still read")
ESCAPED_NAME = Code("B2F012", Severity.INFO,
                    "file name not UTF-8 or holding control characters: shown with escapes")
UNKNOWN_EVENT = Code("B2F101", Severity.ERROR, "unknown batch event")
UNRESOLVED_CALLBACK = Code("B2F102", Severity.WARNING, "callback target class or method not found")
DYNAMIC_REFERENCE = Code("B2F103", Severity.WARNING, "reference that cannot be known statically")
UNKNOWN_WORKER = Code("B2F104", Severity.WARNING, "enqueued worker class not defined in the tree")
BATCH_OUTSIDE_BATCH = Code("B2F105", Severity.WARNING, "`batch` used by a job that runs in no batch")
CYCLE = Code("B2F106", Severity.INFO, "workflow restarts itself (drawn as a loop)")
UNKNOWN_BATCH = Code("B2F107", Severity.WARNING, "batch operation on a value not known to be a batch")
WORKFLOW_TOO_LARGE = Code("B2F108", Severity.WARNING,
                          "workflow too large or its calls nested too deeply; the rest was not followed")
UNREACHED_BATCH = Code("B2F109", Severity.WARNING, "a batch is built or reopened where no workflow reaches")
UNTRANSLATED_VALUE = Code("B2F201", Severity.WARNING, "Ruby value not translated: marked `ruby_value(...)`")
UNTRANSLATED_CONDITION = Code("B2F202", Severity.WARNING, "Ruby condition not translated: stub function")
UNTRANSLATED_ITEMS = Code("B2F203", Severity.WARNING, "fan-out items not translated: `ruby_items(...)`")
UNTRANSLATED_LOOP = Code("B2F204", Severity.WARNING, "callback loop not translated: the flow runs one round")
UNTRANSLATED_CALLBACK = Code("B2F205", Severity.WARNING, "dynamic callback not translated")
OTHER_WORK = Code("B2F206", Severity.WARNING,
                  "worker does more than orchestrate: its other Ruby is not run by the flow")
UNTRANSLATED_DESCRIPTION = Code("B2F208", Severity.WARNING,
                                "batch description not translated: the batch has none in the flow")
RUBY_RAISES = Code("B2F207", Severity.WARNING, "the Ruby raises here, so the flow raises there too")
STARTER_NOT_CALLABLE = Code("B2F209", Severity.WARNING,
                            "a starter the bridge cannot call: the app starts its flow "
                            "with `Batch2flow.start_flow`")
RETRY_ON_NOT_FOLLOWED = Code("B2F211", Severity.WARNING,
                             "an ActiveJob `retry_on` retry is a new job the flow does not follow")
PREFECT_TEMPLATE_TEXT = Code("B2F212", Severity.WARNING,
                             "text `prefect deploy` would expand as a template: written with a space "
                             "after its first brace")

# Lint rules (batch2flow lint); B2F3NN is rule NN of the lint list. Rules 1, 2, 3, 5, 17
# and 21 are the analysis codes B2F101, B2F102, B2F102, B2F104, B2F107, B2F103 (and B2F105
# reports a sign of rule 11 beside B2F311).
CALLBACK_NEEDS_ARGS = Code("B2F304", Severity.WARNING,
                           "callback class whose constructor needs arguments (Sidekiq calls `new` with none)")
NO_PERFORM = Code("B2F306", Severity.WARNING,
                  "worker without `perform`, or whose `perform` cannot take the arguments it is given")
UNKNOWN_BATCH_METHOD = Code("B2F307", Severity.WARNING, "unknown method called on a batch")
JOBS_NEVER_CALLED = Code("B2F308", Severity.WARNING,
                         "batch whose `jobs` is never called: its callbacks never fire")
EMPTY_JOBS = Code("B2F309", Severity.WARNING, "`jobs` block that can push no job")
CALLBACK_AFTER_JOBS = Code("B2F310", Severity.WARNING,
                           "callback registered after `jobs` was called on the batch")
OUTSIDE_JOBS = Code("B2F311", Severity.WARNING, "job meant for a batch enqueued outside its `jobs` block")
NOT_JSON_ARGS = Code("B2F312", Severity.WARNING,
                     "job argument that is not JSON-native (Sidekiq 7 rejects it)")
NON_STRING_KEYS = Code("B2F313", Severity.WARNING,
                       "hash key that is not a string in job arguments or options")
SYMBOL_OPTIONS_READ = Code("B2F314", Severity.WARNING,
                           "callback options read with a symbol key (they come back with string keys)")
OPTIONS_NOT_HASH = Code("B2F315", Severity.WARNING, "callback options that are not a Hash")
REOPEN_OUTSIDE = Code("B2F316", Severity.WARNING,
                      "batch reopened from code that is neither one of its jobs nor one of its callbacks")
SUCCESS_ONLY = Code("B2F318", Severity.INFO,
                    "workflow step with only a :success callback: a dead job stalls the workflow")
DEATH_UNSUPPORTED = Code("B2F319", Severity.WARNING,
                         "`:death` with the sidekiq-batch gem, where it never fires")
ENDLESS_LOOP = Code("B2F320", Severity.WARNING, "workflow loop with no exit condition")
CALLBACK_QUEUE_LOST = Code("B2F322", Severity.WARNING,
                           "`callback_queue` not set again when a batch is reopened")
STATUS_POLLING = Code("B2F323", Severity.WARNING, "batch status polled in a loop instead of a callback")
ENQUEUE_IN_TRANSACTION = Code("B2F324", Severity.WARNING, "job enqueued inside a database transaction")
PREFER_BULK = Code("B2F325", Severity.INFO,
                   "`perform_async` in a loop inside `jobs`: `perform_bulk` would do")
FAILURE_INFO = Code("B2F326", Severity.WARNING, "`status.failure_info` (removed in Sidekiq Pro 8)")
INLINE_IN_BATCH = Code("B2F327", Severity.WARNING, "`perform_inline` inside a batch runs outside it")

LINT_CODES = (
    CALLBACK_NEEDS_ARGS, NO_PERFORM, UNKNOWN_BATCH_METHOD, JOBS_NEVER_CALLED, EMPTY_JOBS,
    CALLBACK_AFTER_JOBS, OUTSIDE_JOBS, NOT_JSON_ARGS, NON_STRING_KEYS, SYMBOL_OPTIONS_READ, OPTIONS_NOT_HASH,
    REOPEN_OUTSIDE, SUCCESS_ONLY, DEATH_UNSUPPORTED, ENDLESS_LOOP, CALLBACK_QUEUE_LOST,
    STATUS_POLLING, ENQUEUE_IN_TRANSACTION, PREFER_BULK, FAILURE_INFO, INLINE_IN_BATCH,
)

ALL_CODES = (
    UNREADABLE, NOT_UTF8, BINARY, EMPTY, TOO_LARGE, NOT_REGULAR, LINK_OUTSIDE, TOO_DEEP, RULE_FAILED,
    SYNTAX_ERROR, PARSER_GAP, ESCAPED_NAME, UNKNOWN_EVENT,
    UNRESOLVED_CALLBACK, DYNAMIC_REFERENCE, UNKNOWN_WORKER, BATCH_OUTSIDE_BATCH, CYCLE,
    UNKNOWN_BATCH, WORKFLOW_TOO_LARGE, UNREACHED_BATCH, UNTRANSLATED_VALUE, UNTRANSLATED_CONDITION,
    UNTRANSLATED_ITEMS, UNTRANSLATED_LOOP, UNTRANSLATED_CALLBACK, OTHER_WORK,
    RUBY_RAISES, UNTRANSLATED_DESCRIPTION, STARTER_NOT_CALLABLE, RETRY_ON_NOT_FOLLOWED,
    *LINT_CODES,
)


@dataclass(frozen=True, order=True)
class Diagnostic:
    #: path as shown to the user (relative to the argument it was found under)
    file: str
    #: 1-based line and column
    line: int
    col: int
    code: str
    severity: Severity
    message: str
    #: an extra hint printed as `help:`; empty when there is none
    help: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "message": self.message,
        }

    def to_lint_json(self, fix: bool) -> dict[str, object]:
        """As `lint --format json` (and `review`) show one: the graph's fields, then `help`
        (null when there is none) and whether `--fix` can apply a fix."""
        return {**self.to_json(), "help": self.help or None, "fix": fix}

    def format(self, source_line: str | None = None) -> str:
        """`path:line:col: CODE message`, then the source line with a caret, then help;
        what came from the Ruby (names, messages, the line) is shown, never run by a terminal."""
        head = f"{self.file}:{self.line}:{self.col}: {self.code} [{self.severity.value}] {self.message}"
        lines = [visible(head)]
        if source_line is not None:
            lines += quoted_line(source_line, self.col)
        if self.help:
            lines.append(f"  help: {visible(self.help)}")
        return "\n".join(lines)


def make(code: Code, file: str, line: int, col: int, message: str, help: str = "") -> Diagnostic:
    return Diagnostic(file, line, col, code.code, code.severity, message, help)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)
