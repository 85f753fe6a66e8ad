"""SEC-2 on the queue: subjects and names with markup and escapes show as harmless text."""

import io

from pilotkit import QUEUE_HOSTILE, QUEUE_HOSTILE_SUBJECT, Data, running, screen_text
from rich.console import Console
from support import sync

from helpdesk_tui.widgets.case_list import CaseList


@sync
async def test_markup_and_escape_sequences_in_a_subject_render_literally(queue_data: Data) -> None:
    assert queue_data.case(QUEUE_HOSTILE).subject == QUEUE_HOSTILE_SUBJECT  # stored as received
    async with running(queue_data, size=(200, 36)) as (app, pilot):  # wide: the whole subject shows
        cases = app.screen.query_one(CaseList)
        index = next(i for i, c in enumerate(cases.window.rows) if c.number == QUEUE_HOSTILE)
        strip = cases.render_line(index - cases.window.top + 1)
        line = strip.text
        assert "[bold red]PWNED[/] [link=http://x]y[/link]" in line
        assert "[i]Mallory[/i]" in line
        for segment in strip:
            assert "\x1b" not in segment.text
            assert "\x07" not in segment.text
            assert "52;c;" not in segment.text
            assert segment.style is None or segment.style.link is None
        assert "[bold red]PWNED[/]" in screen_text(pilot)

        # What would reach the terminal: colours, yes; a clear-screen, a clipboard write
        # (OSC 52) or a hyperlink (OSC 8), no.
        update = app.screen._compositor.render_update(full=True)
        console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor")
        output = update.render_segments(console)
        assert "PWNED" in output
        assert "\x1b[2J" not in output
        assert "\x1b]52" not in output
        assert "\x1b]8;" not in output
        assert "\x07" not in output
