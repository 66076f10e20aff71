"""SARIF 2.1.0, as GitHub code scanning reads it: one run, a rule per code, a result each."""

from __future__ import annotations

import json
from collections.abc import Callable

from batch2flow import __version__
from batch2flow import diagnostics as diag
from batch2flow.lint.model import Finding, Rule

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def to_sarif(findings: list[Finding], rules: dict[str, Rule], location: Callable[[str], str]) -> str:
    codes = sorted({f.diagnostic.code for f in findings} | set(rules))
    driver = {
        "name": "batch2flow",
        "version": __version__,
        "informationUri": "https://pypi.org/project/batch2flow/",
        "rules": [_descriptor(code, rules.get(code)) for code in codes],
    }
    results = [_result(f, codes.index(f.diagnostic.code), location) for f in findings]
    document = {"$schema": SCHEMA, "version": "2.1.0",
                "runs": [{"tool": {"driver": driver}, "results": results}]}
    return json.dumps(document, indent=2) + "\n"


def _descriptor(code: str, rule: Rule | None) -> dict[str, object]:
    if rule is None:  # file-level findings (unreadable, syntax error) have no rule module
        summary = next((c.summary for c in diag.ALL_CODES if c.code == code), code)
        return {"id": code, "shortDescription": {"text": summary}}
    return {
        "id": code,
        "shortDescription": {"text": rule.code.summary},
        "fullDescription": {"text": rule.doc.splitlines()[0] if rule.doc else rule.code.summary},
        "help": {"text": rule.doc or rule.code.summary},
        "defaultConfiguration": {"level": _LEVEL[rule.code.severity.value]},
    }


def _result(found: Finding, rule_index: int, location: Callable[[str], str]) -> dict[str, object]:
    d = found.diagnostic
    message = d.message + (f" (help: {d.help})" if d.help else "")
    return {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": _LEVEL[d.severity.value],
        "message": {"text": message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": location(d.file)},
            "region": {"startLine": d.line, "startColumn": d.col},
        }}],
    }
