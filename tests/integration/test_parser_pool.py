"""The parser pool leaves nothing behind when `helpdesk sync` is killed (sync/parsing.py).

A worker waits on its task queue forever and holds the fork server's pipes open, so a
kill -9 of the sync used to leave its fork server, workers and resource tracker running.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

CHILD = textwrap.dedent(
    """
    import sys, time
    from helpdesk_tui.sync.parsing import ParserPool

    if __name__ == "__main__":
        pool = ParserPool(workers=2)
        raw = b"From: a@b.example\\r\\nSubject: x\\r\\n\\r\\nhello\\r\\n"
        assert len(ParserPool.result(pool.submit([raw] * 200))) == 200
        print("ready", flush=True)
        time.sleep(600)
    """
)


def _children(pid: int) -> set[int]:
    """Every process below `pid` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_killing_the_owner_ends_its_workers_fork_server_and_tracker(tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    script.write_text(CHILD)
    owner = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        assert owner.stdout.readline().strip() == "ready"
        helpers = _children(owner.pid)
        assert len(helpers) >= 3  # fork server and two workers (and a resource tracker)
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in helpers):
            time.sleep(0.1)
        assert [p for p in helpers if _alive(p)] == []
    finally:
        if owner.poll() is None:
            owner.kill()
