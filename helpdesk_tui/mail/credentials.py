"""Where mail passwords come from (SEC-1): a password command or the system keyring.

Never from the config file itself. Every failure becomes a `ConfigError` whose one line
names the account (`what`) and the reason, so `helpdesk config check` and the sync
status line can show it as is.
"""

import shlex
import subprocess

from helpdesk_tui.domain.errors import ConfigError

PASSWORD_COMMAND_TIMEOUT = 30.0
"""Seconds a password command may take (a pinentry prompt needs a human)."""


def resolve_password(
    *,
    password_command: str | None,
    keyring_service: str | None,
    username: str,
    what: str,
) -> str:
    """Return the password for `username`, from `password_command` or the keyring.

    `what` names the account in error messages, e.g. "mail account 'support'".
    The command is split like a shell would (no shell runs it); the first line of its
    standard output is the password. Raises `ConfigError` with one line on any failure.
    """
    if password_command:
        return _from_command(password_command, what)
    if keyring_service:
        return _from_keyring(keyring_service, username, what)
    raise ConfigError(
        f"{what}: no password source; set password_command or keyring_service "
        "(a plain password in the config is not supported)"
    )


def _from_command(command: str, what: str) -> str:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"{what}: password_command cannot be parsed: {exc}") from None
    if not argv:
        raise ConfigError(f"{what}: password_command is empty")
    try:
        done = subprocess.run(  # noqa: S603 - the user's own command, no shell
            argv,
            capture_output=True,
            timeout=PASSWORD_COMMAND_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise ConfigError(f"{what}: password_command not found: {argv[0]}") from None
    except PermissionError:
        raise ConfigError(f"{what}: password_command is not executable: {argv[0]}") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"{what}: password_command did not finish within {PASSWORD_COMMAND_TIMEOUT:.0f} s"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{what}: password_command failed: {exc.strerror or exc}") from None
    if done.returncode != 0:
        detail = _first_line(done.stderr)
        suffix = f": {detail}" if detail else ""
        raise ConfigError(f"{what}: password_command exited {done.returncode}{suffix}")
    out = done.stdout.decode("utf-8", errors="replace")
    password = out.split("\n", 1)[0].removesuffix("\r")
    if not password:
        raise ConfigError(f"{what}: password_command printed no password")
    return password


def _from_keyring(service: str, username: str, what: str) -> str:
    try:
        import keyring
    except ImportError:  # pragma: no cover - keyring is a dependency
        raise ConfigError(f"{what}: keyring_service is set but keyring is not installed") from None
    try:
        password = keyring.get_password(service, username)
    except Exception as exc:  # backends raise anything (D-Bus, locked keychain, ...)
        reason = _first_line(str(exc).encode()) or type(exc).__name__
        raise ConfigError(f"{what}: keyring lookup failed: {reason}") from None
    if password is None:
        raise ConfigError(
            f"{what}: no password in the keyring for service {service!r}, user {username!r}"
        )
    return password


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace").strip()
    return text.splitlines()[0].strip() if text else ""
