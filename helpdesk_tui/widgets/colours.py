"""The shipped theme and the colours of case states: their one home.

Every colour here is at least 4.5:1 (WCAG AA) against the backgrounds it is painted on
in the shipped theme (surface, panel, boost, a marked row), which
`tests/tui/test_contrast.py` checks on every screen. The states are told apart without
colour too: a word (`waiting`, `high`, `overdue 3 d`) or a mark (`!`, `◷`), so colour only
helps a reader who sees it. Waiting is violet, not the red of overdue and urgent/high.

Rich styles take truecolor hex here, not ANSI names: ANSI names go through the
terminal theme, where `magenta` and `red` came out as the same colour.
"""

from textual.theme import BUILTIN_THEMES, Theme

RED = "#FF7A7A"  # overdue, urgent and high priority
VIOLET = "#C39BFF"  # waiting
YELLOW = "#FFD75F"  # in progress, reminder due, internal comments
CYAN = "#5FD7FF"  # open, phone notes, incoming mail
GREEN = "#87D787"  # closed, external actions, outgoing mail
BLUE = "#6EA8FE"  # delegation, edits, sub-cases
GREY = "#A8A8A8"  # low priority, empty values

STATUS_STYLES = {
    "open": f"bold {CYAN}",
    "in_progress": f"bold {YELLOW}",
    "waiting": f"bold {VIOLET}",
    "closed": f"bold {GREEN}",
}
PRIORITY_STYLES = {"urgent": f"bold {RED}", "high": RED, "normal": "", "low": GREY}
OVERDUE_STYLE = f"bold {RED}"
REMINDER_STYLE = f"bold {YELLOW}"
#: `@name` of a known agent in a timeline text (ACT-3).
MENTION_STYLE = f"bold {BLUE}"
#: Text that says "nothing here" (a dash, no delegate): muted, yet readable.
EMPTY_STYLE = GREY

#: Timeline entry kinds: label colours.
KIND_STYLES = {
    "created": "bold",
    "comment": YELLOW,
    "external": GREEN,
    "phone": CYAN,
    "status": VIOLET,
    "delegation": BLUE,
    "edit": BLUE,
    "closed": f"bold {GREEN}",
    "reopened": f"bold {VIOLET}",
    "sub_case": BLUE,
    "mail_in": f"bold {CYAN}",
    "mail_out": f"bold {GREEN}",
}

_BASE = BUILTIN_THEMES["textual-dark"]
#: Textual's dark theme with a deeper blue: the cursor row and the primary buttons carry
#: light text on it (Textual's #0178D4 gives 3.8:1 there).
THEME = Theme(
    name="helpdesk-dark",
    primary="#105A9C",
    secondary=_BASE.secondary,
    warning=_BASE.warning,
    error=_BASE.error,
    success=_BASE.success,
    accent=_BASE.accent,
    foreground=_BASE.foreground,
    dark=True,
    luminosity_spread=_BASE.luminosity_spread,
    text_alpha=_BASE.text_alpha,
    variables={"text-primary": "#6EA8FE"},
)
