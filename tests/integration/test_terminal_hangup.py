"""A closed terminal ends the app, also when it is not the session leader (`make demo`).

Closing a tmux pane or an ssh session hangs the terminal up. The kernel's SIGHUP goes
to the session leader; under `make` that is make, so the app lived on and Textual's
input thread spun on the dead terminal at full CPU. This runs the real `helpdesk`
under make in a private tmux server, kills the server and waits for the app to go.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HELPDESK = Path(sys.executable).parent / "helpdesk"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1]
    return state != "Z"


def _wait(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_app_quits_when_its_terminal_hangs_up_under_make(tmp_path: Path) -> None:
    assert shutil.which("tmux"), "tmux is needed (.ci/run installs it)"
    assert shutil.which("make"), "make is needed"
    db = tmp_path / "demo.sqlite"
    env = {**os.environ, "HELPDESK_CONFIG": str(tmp_path / "demo-config.toml")}
    seed = [HELPDESK, "demo", "--no-tui", "--db", db]
    subprocess.run(seed, check=True, env=env, capture_output=True)
    (tmp_path / "Makefile").write_text(f"run:\n\t{HELPDESK} --db {db} --as alice\n")
    server = f"hangup-{os.getpid()}"

    def tmux(*args: str) -> str:
        done = subprocess.run(["tmux", "-L", server, *args], capture_output=True, text=True)
        return done.stdout

    subprocess.run(
        ["tmux", "-L", server, "new-session", "-d", "-s", "t", "-x", "80", "-y", "24",
         f"make -C {tmp_path} run"],
        check=True,
        env=env,
    )  # fmt: skip
    app_pid = None
    try:
        assert _wait(lambda: "My cases" in tmux("capture-pane", "-p", "-t", "t"), 30)
        make_pid = tmux("list-panes", "-t", "t", "-F", "#{pane_pid}").split()[0]
        children = subprocess.run(["pgrep", "-P", make_pid], capture_output=True, text=True)
        app_pid = int(children.stdout.split()[0])
        tmux("kill-server")
        assert _wait(lambda: not _alive(app_pid), 10), "the app outlived its terminal"
    finally:
        tmux("kill-server")
        if app_pid is not None and _alive(app_pid):
            os.kill(app_pid, 9)
