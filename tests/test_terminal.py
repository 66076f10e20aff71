"""`batch2flow.terminal`: Ruby text shown, never run, and carets under the right column."""

from __future__ import annotations

import pytest

from batch2flow import diagnostics as diag
from batch2flow.terminal import nothing_found, quoted_line, source_line, visible


@pytest.mark.parametrize(("text", "shown"), [
    pytest.param("Billing::ChargeWorker", "Billing::ChargeWorker", id="noop_plain"),
    pytest.param("naïve 日本 ⇶", "naïve 日本 ⇶", id="noop_unicode"),
    pytest.param("a\tb", "a\tb", id="noop_tab"),
    pytest.param("a\x1b[2Jb", "a\\x1b[2Jb", id="csi_clear_screen"),
    pytest.param("\x1b]8;;http://evil\x07x\x1b]8;;\x07", "\\x1b]8;;http://evil\\x07x\\x1b]8;;\\x07",
                 id="osc_hyperlink"),
    pytest.param("\x1b]52;c;aGk=\x1b\\", "\\x1b]52;c;aGk=\\x1b\\", id="osc_clipboard"),
    pytest.param("ok\rEVIL", "ok\\rEVIL", id="carriage_return"),
    pytest.param("a\x9b31mb\x85c", "a\\x9b31mb\\x85c", id="c1_controls"),
    pytest.param("x\x7fy\x00z", "x\\x7fy\\x00z", id="del_and_nul"),
    pytest.param("if admin\u202e\u2066 # \u2069\u2066", "if admin\\u202e\\u2066 # \\u2069\\u2066",
                 id="bidi_trojan_source"),
    pytest.param("a\u2028b\x0cc\nd", "a\\u2028b\\fc\\nd", id="line_breaks"),
])
def test_visible_escapes_what_a_terminal_would_act_on(text: str, shown: str) -> None:
    assert visible(text) == shown


def test_visible_keeps_what_it_is_told_to() -> None:
    assert visible("a\r\nb\x1b", keep="\r\n") == "a\r\nb\\x1b"


@pytest.mark.parametrize(("text", "line", "expected"), [
    pytest.param("a\nb\nc", 2, "b", id="noop_plain"),
    pytest.param("a\r\nb\r\nc", 2, "b", id="crlf"),
    # tree-sitter's rows end at \n only: these stay inside their line
    pytest.param("a\u2028x\nb\nc", 2, "b", id="line_separator"),
    pytest.param("a\x0cx\nb", 2, "b", id="form_feed"),
    pytest.param("a\x1c\x1d\x1e\x85\x0bx\nb", 2, "b", id="other_splitlines_breaks"),
    pytest.param("a\rx\nb", 1, "a\rx", id="lone_cr"),
    pytest.param("a\nb", 3, None, id="past_the_end"),
    pytest.param("a\nb", 0, None, id="line_zero"),
])
def test_source_line_counts_lines_as_tree_sitter_does(text: str, line: int, expected: str | None) -> None:
    assert source_line(text, line) == expected


def _caret_under(source: str, col: int) -> str:
    """The text the caret points at, read off the two lines as a terminal shows them."""
    shown, caret = quoted_line(source, col)
    screen = [_cells(shown), _cells(caret)]
    at = screen[1].index("^")
    return screen[0][at]


def _cells(line: str) -> list[str]:
    """One entry per terminal cell: tabs to the next stop of 8, wide characters take two,
    a combining mark none (it joins the character before it)."""
    import unicodedata

    cells: list[str] = []
    for char in line:
        if unicodedata.combining(char):
            continue
        if char == "\t":
            cells += [" "] * (8 - len(cells) % 8)
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            cells += [char, char]
        else:
            cells.append(char)
    return cells


@pytest.mark.parametrize(("source", "col", "target"), [
    pytest.param("    batch.on(:sucess)", 14, ":", id="noop_ascii"),
    pytest.param("  résumé = 1; batch.on(:sucess)", 24, ":", id="accents_before"),
    pytest.param("  s = '日本語'; batch.on(:sucess)", 23, ":", id="wide_before"),
    pytest.param("\t\tbatch.on(:sucess)", 12, ":", id="tabs_before"),
    pytest.param("  x = \"\x1b[2J\"; batch.on(:sucess)", 24, ":", id="escape_before"),
    pytest.param("  x = \"e\u0301\"; batch.on(:sucess)", 22, ":", id="combining_before"),
])
def test_the_caret_sits_under_the_column(source: str, col: int, target: str) -> None:
    assert source[col - 1] == target  # the column is right; the caret must find it on screen
    assert _caret_under(source, col) == target


def test_a_diagnostic_shows_no_escape_sequence_from_the_ruby() -> None:
    problem = diag.make(diag.UNKNOWN_EVENT, "app/\x1b[31mx.rb", 3, 8, "unknown :\x1b]0;pwned\x07",
                        help="see \x9b1m")
    text = problem.format('  on(:\x1b[2J")')  # column 8 is the `[` after the escape
    assert not {"\x1b", "\x07", "\x9b"} & set(text)
    assert text.splitlines() == [
        "app/\\x1b[31mx.rb:3:8: B2F101 [error] unknown :\\x1b]0;pwned\\x07",
        '      on(:\\x1b[2J")',
        "              ^",
        "  help: see \\x9b1m",
    ]


@pytest.mark.parametrize(("paths", "read", "said"), [
    pytest.param(["app"], 0, "no Ruby files found under app", id="no_ruby"),
    pytest.param(["app"], 1, "no Sidekiq batch workflows found under app (1 Ruby file read)", id="one"),
    pytest.param(["a", "b"], 12, "no Sidekiq batch workflows found under a, b (12 Ruby files read)",
                 id="several"),
    pytest.param(["\x1b[2Japp"], 0, "no Ruby files found under \\x1b[2Japp", id="escape_in_path"),
])
def test_nothing_found_says_where_and_how_much_was_read(paths: list[str], read: int, said: str) -> None:
    assert nothing_found(paths, read) == said
