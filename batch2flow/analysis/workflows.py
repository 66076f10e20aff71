"""Find the workflow starters and read each one into a `Workflow`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from batch2flow import diagnostics as diag
from batch2flow.analysis.builder import MAX_NODES, DiagnosticSink, TooLarge, WorkflowBuilder
from batch2flow.analysis.calls import Calls
from batch2flow.analysis.context import Context, Frame
from batch2flow.analysis.entries import mark_entry_points
from batch2flow.analysis.entry_points import find_starters
from batch2flow.analysis.lexical import creates_outermost_batch, workflow_name
from batch2flow.analysis.ordering import happens_before
from batch2flow.analysis.raising import stops_here
from batch2flow.analysis.registration import run_pending_callbacks
from batch2flow.ir import Span, Workflow
from batch2flow.ruby.index import CodeIndex, MethodDef
from batch2flow.ruby.literals import NoLiteral, literal_default


def unique_names(starters: list[MethodDef]) -> dict[str, str]:
    names: dict[str, str] = {}
    taken: set[str] = set()
    for method in starters:
        base = name = workflow_name(method)
        suffix = 2
        while name in taken:
            name, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(name)
        names[method.label] = name
    return names


def analyse_workflows(index: CodeIndex, sink: DiagnosticSink,
                      progress: Callable[[int, int], None] | None = None) -> list[Workflow]:
    """Every workflow; `progress` hears (starters read, starters) after each."""
    starters = find_starters(index)
    names = unique_names(starters)
    built: list[tuple[MethodDef, WorkflowBuilder]] = []
    nested: set[str] = set()
    for method in starters:
        builder = WorkflowBuilder(names[method.label])
        interp = Calls(index, sink, names, builder, method)
        frame = Frame(method, method.owner, method.cref)
        start = Context(stack=((method.label, None),))
        try:
            with stops_here():  # the starter raised: what it set in motion before still runs
                interp.bind_batch_defaults(frame, start, set())
                _construct(interp, method, start, frame)
                interp.run_body(method.body(), start, frame)
            run_pending_callbacks(interp)
        except TooLarge:
            _cut_short(sink, method, f"workflow {builder.name} grew past {MAX_NODES} nodes")
        except RecursionError:  # what the bounds on nesting and calls did not foresee
            _cut_short(sink, method, f"workflow {builder.name} nests calls and expressions too "
                                     "deeply to follow")
        nested |= interp.nested_starters
        built.append((method, builder))
        if progress is not None:
            progress(len(built), len(starters))
    frozen = [_freeze(index, method, builder) for method, builder in built if method.label not in nested]
    return mark_entry_points(frozen, index)


def _cut_short(sink: DiagnosticSink, method: MethodDef, why: str) -> None:
    """What was read of the workflow stays; the diagnostic says the rest is missing."""
    line, col = method.file.line_col(method.node)
    sink.add(diag.make(diag.WORKFLOW_TOO_LARGE, method.file.path, line, col,
                       f"{why}; the rest of it was not followed"))


def _construct(interp: Calls, method: MethodDef, ctx: Context, frame: Frame) -> None:
    """An instance method runs on an object `new` made: its `initialize` (that may build
    the batch into `@batch`) runs first, on the same instance variables."""
    if method.singleton or not method.owner or method.name == "initialize":
        return
    init = interp.index.find_method(method.owner, "initialize", False)
    if init is not None and creates_outermost_batch(init) is not None:
        constructor = Frame(init, init.owner, init.cref, ivars=frame.ivars)
        interp.bind_batch_defaults(constructor, ctx, set())
        interp.run_body(init.body(), ctx, constructor)


def _freeze(index: CodeIndex, method: MethodDef, builder: WorkflowBuilder) -> Workflow:
    line, col = method.file.line_col(method.node)
    entry = builder.entry or Span(method.file.path, line, col)
    return Workflow(
        name=builder.name,
        starter=method.label,
        params=method.params,
        entry=entry,
        batches=tuple(builder.batches.values()),
        jobs=tuple(builder.jobs.values()),
        callbacks=tuple(builder.callbacks.values()),
        starts=tuple(builder.starts.values()),
        edges=tuple(happens_before(builder)),
        raises=tuple(builder.raises.values()),
        defaults=_literal_defaults(method),
        param_kinds=method.param_kinds,
        constructor_args=_constructor_args(index, method),
    )


def _constructor_args(index: CodeIndex, method: MethodDef) -> bool:
    if method.singleton or not method.owner:
        return False
    init = index.find_method(method.owner, "initialize", False)
    return init is not None and any(kind in ("req", "keyreq") for kind in init.param_kinds)


def _literal_defaults(method: MethodDef) -> tuple[tuple[str, object], ...]:
    found: list[tuple[str, object]] = []
    for name, node in zip(method.params, method.param_defaults, strict=False):
        if node is not None:
            with contextlib.suppress(NoLiteral):
                found.append((name, literal_default(node)))
    return tuple(found)
