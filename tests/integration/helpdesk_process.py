"""The real `helpdesk` process on a test database and config, and looks into what it wrote.

Mail tests drive the product through its CLI in a process of its own (SIGKILL, restarts
and `--watch` need one); `HelpdeskProcess` runs it and reads the database afterwards.
"""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.tables import CaseRow, MailRow


class HelpdeskProcess:
    """`helpdesk --db … --config … --as alice`, with the config written by the caller."""

    def __init__(self, root: Path, config: str) -> None:
        self.db = root / "hd.sqlite"
        self.config = root / "config.toml"
        self.config.write_text(config)

    def command(self, *args: str) -> list[str]:
        return [
            sys.executable, "-m", "helpdesk_tui.cli", "--db", str(self.db),
            "--config", str(self.config), "--as", "alice", *args,
        ]  # fmt: skip

    def run(self, *args: str, now: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a command; `now` sets HELPDESK_NOW for it (time moves without sleeping)."""
        env = {**os.environ, "HELPDESK_NOW": now} if now else None
        return subprocess.run(
            self.command(*args), capture_output=True, text=True, timeout=120, check=False, env=env
        )

    def ok(self, *args: str, now: str | None = None) -> str:
        """Run a command that must succeed; its stdout."""
        done = self.run(*args, now=now)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def context(self) -> Context:
        return Context(locate(str(self.db)))

    def count(self, table: type, *where: object) -> int:
        ctx = self.context()
        try:
            with ctx.uow(write=False) as uow:
                query = select(func.count()).select_from(table).where(*where)  # type: ignore[arg-type]
                return int(uow.session.exec(query).one())
        finally:
            ctx.dispose()

    def case_of(self, message_id: str) -> CaseNumber | None:
        """The case the mail with this Message-ID was filed on (None: unfiled or absent)."""
        ctx = self.context()
        try:
            with ctx.uow(write=False) as uow:
                row = uow.session.exec(
                    select(MailRow).where(MailRow.message_id == message_id)
                ).first()
                if row is None or row.case_id is None:
                    return None
                case = uow.session.get(CaseRow, row.case_id)
                assert case is not None
                return CaseNumber(case.number, case.sub_number)
        finally:
            ctx.dispose()

    def wait_for(self, check: Callable[[], bool], timeout: float, what: str) -> float:
        """Seconds until `check()` holds (the database may still be being created)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            try:
                if self.db.exists() and check():
                    return time.monotonic() - start
            except OperationalError:  # the process is still creating the schema
                pass
            time.sleep(0.05)
        raise AssertionError(f"not within {timeout} s: {what}")
