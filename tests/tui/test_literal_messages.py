"""Messages built from text are shown literally (issue 12, finding 11): `M` without
`[smtp]` said `No  in the config`, because Rich markup took `[smtp]` for a tag.

Two guards: the app shows that message as written (the app's `notify` never parses
markup, whoever calls it), and a scan of the TUI's source finds no widget text built from
data — an f-string, a concatenation, `.format`, an error's `.message` — handed to
something that parses markup (`Static`, `Label`, `Button`, `Option`, `.update`,
`border_title`) unless it goes through `Text`/`literal`/`literal_line` or `markup=False`.
"""

import ast
from pathlib import Path

from pilotkit import INVOICE, Data, notifications, open_case, running, screen_text, settle
from support import sync

import helpdesk_tui

PACKAGE = Path(helpdesk_tui.__file__).parent
TUI = ["app.py", "commands.py", "screens", "widgets", "dialogs"]
#: Callables that parse a str argument as markup.
MARKUP_TAKERS = {"Static", "Label", "Button", "Option", "update", "notify"}


@sync
async def test_reply_by_mail_without_smtp_names_the_section(case_data: Data) -> None:
    async with running(case_data, notifications=True) as (_, pilot):  # no mail_out: no [smtp]
        await open_case(pilot, INVOICE)
        await pilot.press("M")
        await settle(pilot)
        assert "No [smtp] in the config: mail cannot be sent" in notifications(pilot)
        assert "No [smtp] in the config" in " ".join(screen_text(pilot).split())


@sync
async def test_a_notification_with_brackets_is_shown_as_written(case_data: Data) -> None:
    """Whoever calls `notify` (a screen, a widget, a worker), markup is never parsed."""
    async with running(case_data, notifications=True) as (app, pilot):
        app.screen.notify("[b]bold[/b] and [link=https://evil.example]x[/link]", markup=True)
        await settle(pilot)
        assert notifications(pilot)[-1] == "[b]bold[/b] and [link=https://evil.example]x[/link]"


def _built_from_data(node: ast.expr) -> bool:
    """An expression that makes a str out of other text (not a constant, not `Text`)."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _built_from_data(node.left) or _built_from_data(node.right) or True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format"
    return isinstance(node, ast.Attribute) and node.attr == "message"


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _markup_text_from_data(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node) in MARKUP_TAKERS and node.args:
            literal = any(
                k.arg == "markup" and isinstance(k.value, ast.Constant) and k.value.value is False
                for k in node.keywords
            )
            if not literal and _built_from_data(node.args[0]):
                found.append((node.lineno, ast.unparse(node)[:90]))
        if isinstance(node, ast.Assign) and _built_from_data(node.value):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr in {
                    "border_title",
                    "border_subtitle",
                }:
                    found.append((node.lineno, ast.unparse(node)[:90]))
    return found


def _tui_files() -> list[Path]:
    files: list[Path] = []
    for part in TUI:
        path = PACKAGE / part
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def test_no_widget_text_is_markup_built_from_data() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line}: {code}"
        for path in _tui_files()
        for line, code in _markup_text_from_data(ast.parse(path.read_text(), str(path)))
    ]
    assert not offenders, "\n".join(offenders)


def test_the_scan_finds_what_it_looks_for() -> None:
    """The scan itself: each way of building markup from data is caught; the safe forms
    (Text, literal_line, markup=False, constants) are not."""
    caught = """
Static(f"Due {parent.due}")
self.notify(error.message)
label.update("No " + section)
Option("{} cases".format(n))
listing.border_title = f"Sub-cases ({n})"
"""
    safe = """
Static(Text(f"Due {parent.due}"))
self.notify(error.message, markup=False)
label.update(literal_line(name))
Static("Subject:")
listing.border_title = Text(f"Sub-cases ({n})")
"""
    assert len(_markup_text_from_data(ast.parse(caught))) == 5
    assert _markup_text_from_data(ast.parse(safe)) == []
