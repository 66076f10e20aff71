"""Safe Mermaid ids and labels, and the node shapes of `render_mermaid`.

Labels carry Ruby source (worker names, conditions) that may hold any character.
Mermaid decodes `#name;` / `#123;` entities inside labels, so every character that
could end a label or start new syntax is written as an entity instead.
"""

from __future__ import annotations

import re

from batch2flow.ir import Callback, Job, Raise, Span, Start
from batch2flow.terminal import visible

#: characters that end a quoted label, open a shape or an edge text, or turn on
#: Markdown / HTML; `;` too, so no raw `#word;` in the source can be read as an entity
_ENTITIES = {
    '"': "#quot;", "&": "#amp;", "<": "#lt;", ">": "#gt;", "|": "#124;",
    "[": "#91;", "]": "#93;", "{": "#123;", "}": "#125;", "`": "#96;", ";": "#59;",
}
#: Mermaid strips the last `;` of any line matching `style.*:\S*#.*;` (and the same for
#: classDef) before parsing; spelling one letter as an entity keeps labels out of that rule
_KEYWORDS = {"style": "#115;tyle", "classDef": "#99;lassDef"}
#: longest Ruby snippet shown in a label; the JSON output keeps the full text
MAX_SNIPPET = 60
#: ids Mermaid could read as a keyword (e.g. `end_j1` after a node) get a prefix
_RISKY_STARTS = ("end", "subgraph", "graph", "flowchart", "style", "class", "click",
                 "linkstyle", "direction", "default")
BR = "<br/>"


def escape(text: str) -> str:
    """Label text safe inside `"..."`: one line, every special character an entity."""
    # a control character shows as its escape (`\x1b`): the chart is printed to a terminal
    # before a browser draws it, and a browser would show nothing for it
    flat = visible(" ".join(text.split()))
    out = "".join(_ENTITIES.get(ch, ch) for ch in flat)
    for word, spelled in _KEYWORDS.items():
        out = out.replace(word, spelled)
    return out


def snippet(source: str) -> str:
    """Ruby source shortened for a label (escape it afterwards)."""
    flat = " ".join(source.split())
    return flat if len(flat) <= MAX_SNIPPET else flat[: MAX_SNIPPET - 1] + "…"


def slug(name: str) -> str:
    """A node-id prefix from a workflow name: ASCII word characters, never a keyword."""
    out = re.sub(r"\W", "_", name, flags=re.ASCII) or "wf"
    if out[0].isdigit() or out.lower().startswith(_RISKY_STARTS):
        out = "w_" + out
    return out


def node_id(prefix: str, ident: str) -> str:
    return prefix + "_" + re.sub(r"\W", "_", ident, flags=re.ASCII)


def _lines(*parts: str | None) -> str:
    return BR.join(escape(part) for part in parts if part)


def strike(text: str) -> str:
    """Text struck through by a combining long stroke after each character.

    Labels carry no HTML (every `<` becomes an entity), and a class's `text-decoration`
    does not reach the label text in every Mermaid version, so the stroke is part of
    the text itself, which every renderer draws.
    """
    return "".join(ch + "\u0336" for ch in text)


def _where(span: Span) -> str:
    return f"{span.file}:{span.line}"


def _if(condition: str | None) -> str | None:
    return None if condition is None else "if " + snippet(condition)


def job_node(ident: str, job: Job, struck: bool = False) -> str:
    # placeholders show their Ruby source (there is no class name to shorten)
    name = "? " + snippet(job.worker) if job.placeholder else job.worker.rsplit("::", 1)[-1]
    name = strike(name) if struck else name
    label = _lines(name, _where(job.span), _if(job.condition))
    # one node stands for many jobs: a parallelogram, the only shape used for that
    return f'{ident}[/"{label}"/]' if job.fan_out else f'{ident}["{label}"]'


def callback_node(ident: str, cb: Callback, struck: bool = False) -> str:
    target = "? " + snippet(cb.target) if cb.placeholder else cb.target
    title = f"on {cb.event}: {target}"
    label = _lines(strike(title) if struck else title, _where(cb.span), _if(cb.condition))
    return f'{ident}{{{{"{label}"}}}}'


def start_node(ident: str, start: Start) -> str:
    verb = "restart" if start.restart else "start"
    label = _lines(f"{verb} workflow {start.workflow}", _where(start.span), _if(start.condition))
    return f'{ident}[["{label}"]]'


def raise_node(ident: str, raised: Raise) -> str:
    label = _lines(f"raises {raised.error}", _where(raised.span), _if(raised.condition))
    # an asymmetric flag, a shape no other node uses: the workflow stops here
    return f'{ident}>"{label}"]'
