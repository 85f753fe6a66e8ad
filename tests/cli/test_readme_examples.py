"""README's command-line walkthrough works on the demo (issue 12, finding 15): its example
cases are open there, and every `helpdesk` line of the two demo blocks runs, in order,
with exit code 0 — the reply it mails lands in the demo's Maildir.

The lines are read from README.md itself, so an example that drifts from the demo (or
from the CLI) fails here. Only `sync --watch`, which never ends, is left out.
"""

import json
import mailbox
import os
import re
import shlex
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpdesk_tui.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
_START = "The same data from the command line"
_END = "Each mail is stored once"


def _commands() -> list[str]:
    """The indented lines of the demo blocks, continuation lines joined, comments kept."""
    part = README.split(_START, 1)[1].split(_END, 1)[0]
    lines: list[str] = []
    pending = ""
    for raw in part.splitlines():
        if not raw.startswith("    "):
            continue
        line = pending + raw.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        lines.append(line)
    return lines


def test_the_readme_walkthrough_runs_on_the_demo(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(isolated)
    (isolated / "sample_data").symlink_to(ROOT / "sample_data")
    (isolated / "plan.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    env: dict[str, str] = {}
    names: dict[str, str] = {}
    ran: list[str] = []
    for line in _commands():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[0] == "export":
            for word in words[1:]:
                key, _, value = word.partition("=")
                if key != "PATH":
                    env[key] = value
            continue
        if re.fullmatch(r"[A-Z]+=\S+", words[0]) and len(words) == 1:
            key, _, value = words[0].partition("=")
            names[key] = value
            continue
        assert words[0] == "helpdesk", line
        if "--watch" in words:
            continue
        args = [names.get(w[1:], w) if w.startswith("$") else w for w in words[1:]]
        extra = {}
        if args[:2] == ["sync", "--once"]:  # after the reply's undo time
            extra["HELPDESK_NOW"] = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
        result = CliRunner().invoke(app, args, env={**env, **extra})
        assert result.exit_code == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        ran.append(args[0] if args[0] != "case" else f"case {args[1]}")
        if args[0] == "demo":
            _check_the_demo_claims(env, names_in_readme())
    assert ran.count("demo") == 1
    assert {"case reply", "case close", "case reopen", "sync", "outbox"} <= set(ran)
    box = mailbox.Maildir(isolated / ".demo" / "demo-sent", create=False)
    mails = [m for m in box if m["Auto-Submitted"] != "auto-generated"]  # not the digests
    # the reply to M, and the closing mail of N asking for a rating (the demo has [csat])
    [sent] = [m for m in mails if f"[#{names['M']}]" in m["Subject"]]
    [closing] = [m for m in mails if f"[#{names['N']}]" in m["Subject"]]
    assert "Reply with a number from 1" in closing.get_payload(decode=True).decode()
    assert len(mails) == 2
    assert os.path.basename(sent.get_payload()[1].get_filename()) == "plan.pdf"


def names_in_readme() -> dict[str, str]:
    """`N=0000101   # … "subject"` lines: the number and the subject the comment quotes."""
    found = {}
    for number, subject in re.findall(r"[A-Z]=(\d{7})\s+#[^\n\"]*\"([^\"]+)\"", README):
        found[number] = subject.rstrip(" …")
    return found


def _check_the_demo_claims(env: dict[str, str], examples: dict[str, str]) -> None:
    """The cases the README names are open and what it says they are; the inbox count."""
    assert len(examples) == 2
    for number, subject in examples.items():
        shown = CliRunner().invoke(app, ["case", "show", number, "--json"], env=env)
        case = json.loads(shown.stdout)
        assert case["status"] != "closed", number
        assert case["subject"].startswith(subject), number
    threads = {"0000478": "Rechnung RE-2026-0815", "0000479": "Cannot log in"}
    for number, subject in threads.items():  # the two mail threads the tour names
        assert f"`{number}`" in README
        shown = CliRunner().invoke(app, ["case", "show", number, "--json"], env=env)
        case = json.loads(shown.stdout)
        assert case["status"] != "closed"
        assert case["subject"].startswith(subject)
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.storage.location import locate

    context = Context(locate(env["HELPDESK_DB"]))
    try:
        unfiled = len(Desk(context, "alice").unfiled())
    finally:
        context.dispose()
    assert f"`i` shows {unfiled} unfiled mails" in " ".join(README.split())
