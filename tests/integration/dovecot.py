"""A private Dovecot IMAP server for integration tests (real server, no mocks).

Everything lives under one directory: config, base_dir (runtime sockets, master.pid),
state_dir, log and the Maildir. It listens on 127.0.0.1 only, user `agent` / password
`secret`, plaintext LOGIN, no TLS. It never touches the system's Dovecot service.

Started as root (CI, containers), Dovecot drops privileges: its login/auth processes
run as the `dovecot`/`dovenull` users and the mail processes as MAIL_UID (Dovecot
refuses to access mail as root). MAIL_UID need not exist in /etc/passwd; the
passwd-file userdb gives the number. So that those processes can reach the files,
every parent directory gets o+x (traverse only, no listing) and the mail home is
chowned to MAIL_UID. As root the instance must not live under pytest's basetemp:
every pytest session (and other engineers run theirs in parallel) re-secures
/tmp/pytest-of-root to 0700, which locks the mail processes out mid-test; see
`instance_dir`. Started as a normal user, Dovecot runs "rootless" as that user.
"""

import contextlib
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from helpdesk_tui.mail.imap import ImapEndpoint

USER = "agent"
PASSWORD = "secret"
MAIL_UID = int(os.environ.get("HELPDESK_TEST_MAIL_UID", "64123"))
MAIL_GID = int(os.environ.get("HELPDESK_TEST_MAIL_GID", str(MAIL_UID)))
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


def dovecot_binary() -> str | None:
    """The dovecot executable, or None when it is not installed."""
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)),
        None,
    )


def instance_dir(pytest_tmp: Path) -> tuple[Path, bool]:
    """Where to put a new instance, and whether `Dovecot.cleanup` should delete it.

    A normal user gets `pytest_tmp`. Root gets a fresh 0711 directory in the system
    temp dir instead (see the module docstring for why).
    """
    if os.geteuid() != 0:
        return pytest_tmp, False
    return Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-")), True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _live_members(pgid: int) -> bool:
    """True while a non-zombie process of group `pgid` exists (Linux /proc)."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        time.sleep(0.2)  # no /proc: give the processes a moment instead
        return False
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # after "(comm)": state ppid pgrp ...
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False


class DovecotError(RuntimeError):
    """The test server could not be started or stopped; the message has the log tail."""


class Dovecot:
    """A private Dovecot instance rooted at `root` (see the module docstring)."""

    def __init__(self, root: Path, binary: str | None = None, *, remove_root: bool = False) -> None:
        found = binary or dovecot_binary()
        if found is None:
            raise DovecotError("dovecot is not installed (apt-get install dovecot-imapd)")
        self.binary = found
        self.root = root.resolve()
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self._remove_root = remove_root
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping: list[subprocess.Popen[bytes]] = []
        self._etc = self.root / "etc"
        self._run = self.root / "run"
        self._state = self.root / "state"
        self._logs = self.root / "log"
        self.home = self.root / "mail" / USER
        self.maildir = self.home / "Maildir"
        """Maildir root; INBOX is this directory, folder "X" is `.X` inside it."""
        self._prepare()

    # -- setup -----------------------------------------------------------------------

    def _prepare(self) -> None:
        for path in (self._etc, self._run, self._state, self._logs, self.home):
            path.mkdir(parents=True, exist_ok=True)
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        if self.as_root:
            mail_uid, mail_gid = MAIL_UID, MAIL_GID
            internal_user, login_user, internal_group = "dovecot", "dovenull", "dovecot"
            for path in (self.root, self._etc, self._logs, self.root / "mail"):
                path.chmod(0o755)
            self._make_parents_traversable()
            for path in (self.home, *self.home.rglob("*")):
                os.chown(path, mail_uid, mail_gid)
        else:
            # Rootless: Dovecot cannot chown its sockets to anyone else.
            mail_uid, mail_gid = os.getuid(), os.getgid()
            internal_user = login_user = pwd.getpwuid(mail_uid).pw_name
            internal_group = grp.getgrgid(mail_gid).gr_name
        users = self._etc / "users"
        users.write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{mail_uid}:{mail_gid}::{self.home}::\n")
        users.chmod(0o644)
        self._mail_uid = mail_uid
        self._internal_user, self._login_user = internal_user, login_user
        self._internal_group = internal_group

    def _make_parents_traversable(self) -> None:
        # pytest's tmp dirs are 0700; without o+x on every parent Dovecot's auth
        # process fails with "Temporary authentication failure".
        for parent in self.root.parents:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                parent.chmod(mode | 0o001)

    @property
    def _rootless_config(self) -> str:
        # Without root there is no chroot(); Dovecot's rootless docs switch it off.
        if self.as_root:
            return ""
        return "service anvil {\n  chroot =\n}\nservice imap-login {\n  chroot =\n}\n"

    def _write_config(self) -> Path:
        config = self._etc / "dovecot.conf"
        log = self._logs / "dovecot.log"
        config.write_text(
            f"""# private test instance written by tests/integration/dovecot.py
instance_name = helpdesk-test-{self.port}
base_dir = {self._run}
state_dir = {self._state}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
log_path = {log}
info_log_path = {log}
default_internal_user = {self._internal_user}
default_login_user = {self._login_user}
default_internal_group = {self._internal_group}
first_valid_uid = {self._mail_uid}
last_valid_uid = 0
mail_location = maildir:~/Maildir
mail_privileged_group =
mail_fsync = never
mailbox_idle_check_interval = 1 secs
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self._etc / "users"}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self._etc / "users"}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service imap {{
  process_limit = 64
}}
{self._rootless_config}protocol imap {{
  mail_max_userip_connections = 64
}}
"""
        )
        config.chmod(0o644)
        return config

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Start the server; returns once LOGIN + SELECT INBOX work (or raises)."""
        if self.running:
            return
        for attempt in range(3):
            try:
                self._start_once()
                return
            except DovecotError:
                # Another process may have grabbed the free port we picked.
                if attempt == 2 or "in use" not in self.log():
                    raise
                self.port = _free_port()

    def _start_once(self) -> None:
        config = self._write_config()
        startup_log = (self._logs / "startup.log").open("ab")
        try:
            # -F: stay in the foreground, so the master is our child and gets reaped.
            self._process = subprocess.Popen(
                [self.binary, "-F", "-c", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=startup_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            startup_log.close()
        deadline = time.monotonic() + START_TIMEOUT
        last_error = "no answer"
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                last_error = f"dovecot exited with {self._process.returncode}"
                break
            try:
                self._login_and_select()
                return
            except (OSError, imaplib.IMAP4.error) as exc:
                last_error = str(exc) or type(exc).__name__
            time.sleep(0.05)
        self._kill()
        raise DovecotError(
            f"dovecot did not accept LOGIN/SELECT on 127.0.0.1:{self.port} within "
            f"{START_TIMEOUT:.0f} s ({last_error}); log tail:\n{self.log_tail()}"
        )

    def _login_and_select(self) -> int:
        with imaplib.IMAP4("127.0.0.1", self.port, timeout=2) as conn:
            conn.login(USER, PASSWORD)
            typ, _ = conn.select("INBOX")
            if typ != "OK":
                raise imaplib.IMAP4.error(f"SELECT INBOX answered {typ}")
            _, data = conn.response("UIDVALIDITY")
            return int(data[0]) if data and data[0] else 0

    def _master_pid(self, process: "subprocess.Popen[bytes]") -> int:
        """The pid in base_dir/master.pid; with -F that is the process we started."""
        try:
            pid = int((self._run / "master.pid").read_text().strip())
        except (OSError, ValueError):
            return process.pid
        # Never signal a stranger: a stale file must not point the kill elsewhere.
        return pid if pid == process.pid else process.pid

    @property
    def running(self) -> bool:
        """True while the master process is alive."""
        return self._process is not None and self._process.poll() is None

    def stop(self, *, wait: bool = True) -> None:
        """Stop the server like an outage: open sessions end too.

        SIGTERM to the master (pid from base_dir/master.pid), wait until it has exited
        and the port is closed, then end the IMAP sessions it leaves behind (Dovecot
        2.3 keeps logged-in imap processes running after the master is gone; SIGTERM
        makes them say BYE). Takes about 1.5 s. `wait=False` only signals the master:
        enough at teardown, where nobody reuses the port (subprocess reaps it later).
        """
        process, self._process = self._process, None
        if process is None:
            return
        pid = self._master_pid(process)
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        if not wait:
            self._stopping.append(process)
            return
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)
        self._end_sessions(process.pid)
        deadline = time.monotonic() + STOP_TIMEOUT
        while _port_open(self.port):
            if time.monotonic() > deadline:
                raise DovecotError(f"port {self.port} still open after stopping dovecot")
            time.sleep(0.05)

    @staticmethod
    def _end_sessions(pgid: int) -> None:
        """SIGTERM, then SIGKILL, what is left of the master's process group."""
        # The group id cannot be reused while any member (even a zombie) exists.
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(pgid, sig)
            except (ProcessLookupError, PermissionError):
                return
            deadline = time.monotonic() + 2.0
            while _live_members(pgid) and time.monotonic() < deadline:
                time.sleep(0.02)
            if not _live_members(pgid):
                return

    def cleanup(self) -> None:
        """Wait for masters stopped with `wait=False`, end their sessions, and delete
        the instance directory if `instance_dir` made it."""
        self.stop(wait=False)
        for process in self._stopping:
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT)
            self._end_sessions(process.pid)
        self._stopping.clear()
        if self._remove_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def _kill(self) -> None:
        if self._process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait(timeout=STOP_TIMEOUT)
        self._process = None

    def restart(self) -> None:
        """Stop and start again on the same port, keeping all mail."""
        self.stop()
        self.start()

    # -- helpers for tests -----------------------------------------------------------

    def endpoint(self, password: str = PASSWORD) -> ImapEndpoint:
        """Connection settings for ImapMailbox (loopback, tls = "none")."""
        return ImapEndpoint(
            host="127.0.0.1", port=self.port, tls="none", username=USER, password=password
        )

    def append(self, folder: str, raw: bytes, flags: Sequence[str] = ()) -> None:
        """APPEND through a fresh connection, creating `folder` if needed."""
        with imaplib.IMAP4("127.0.0.1", self.port, timeout=10) as conn:
            conn.login(USER, PASSWORD)
            if folder.upper() != "INBOX":
                conn.create(_quote(folder))  # NO [ALREADYEXISTS] is fine
            flag_list = f"({' '.join(flags)})" if flags else None
            typ, data = conn.append(_quote(folder), flag_list, None, raw)
            if typ != "OK":
                raise DovecotError(f"APPEND to {folder} failed: {data!r}")

    def folder_path(self, folder: str) -> Path:
        """The Maildir++ directory of `folder` ("INBOX" is the Maildir root)."""
        if folder.upper() == "INBOX":
            return self.maildir
        return self.maildir / ("." + folder.replace("/", "."))

    def uidvalidity(self, folder: str = "INBOX") -> int:
        """UIDVALIDITY of `folder` as the server reports it now (fresh connection)."""
        with imaplib.IMAP4("127.0.0.1", self.port, timeout=10) as conn:
            conn.login(USER, PASSWORD)
            typ, data = conn.status(_quote(folder), "(UIDVALIDITY)")
            if typ != "OK":
                raise DovecotError(f"STATUS {folder} failed: {data!r}")
            text = data[0].decode() if isinstance(data[0], bytes) else str(data[0])
            return int(text.rsplit("UIDVALIDITY", 1)[1].strip(" )"))

    def reset_uidvalidity(self, folder: str = "INBOX") -> int:
        """Make Dovecot assign `folder` a new UIDVALIDITY, keeping its messages.

        Stops the server, removes the folder's uidlist and index files (the message
        files stay), and starts again. Returns the new value; raises if it did not change.
        """
        before = self.uidvalidity(folder)
        self.stop()
        path = self.folder_path(folder)
        doomed = [path / "dovecot-uidlist", *path.glob("dovecot.index*")]
        # The mailbox list index caches each folder's UIDVALIDITY too.
        doomed += list(self.maildir.glob("dovecot.list.index*"))
        for file in doomed:
            file.unlink(missing_ok=True)
        self.start()
        after = self.uidvalidity(folder)
        if after == before:
            raise DovecotError(f"UIDVALIDITY of {folder} stayed {before} after the reset")
        return after

    def log(self) -> str:
        """The server log (and the master's own startup output), for failure messages."""
        parts = []
        for name in ("startup.log", "dovecot.log"):
            with contextlib.suppress(OSError):
                parts.append((self._logs / name).read_text(errors="replace"))
        return "".join(parts)

    def log_tail(self, lines: int = 30) -> str:
        """The last `lines` lines of `log()`."""
        return "\n".join(self.log().splitlines()[-lines:])


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
