"""Password sources (SEC-1): real commands and a real in-process keyring backend."""

import sys
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError

from helpdesk_tui.domain.errors import ConfigError
from helpdesk_tui.mail.credentials import resolve_password

WHAT = "mail account 'support'"


def _resolve(
    command: str | None = None, service: str | None = None, username: str = "support@example.com"
) -> str:
    return resolve_password(
        password_command=command, keyring_service=service, username=username, what=WHAT
    )


class MemoryKeyring(KeyringBackend):
    """A small, real keyring backend that keeps passwords in a dict."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("the keychain is locked\nsecond line")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_command_first_line_without_newline() -> None:
    assert _resolve("printf 's3cret pass\\nsecond line\\n'") == "s3cret pass"


def test_command_output_without_trailing_newline() -> None:
    assert _resolve("printf hunter2") == "hunter2"


def test_command_keeps_inner_spaces_and_quotes_are_shell_like() -> None:
    assert _resolve("printf '%s\\n' '  spaced  '") == "  spaced  "


def test_command_crlf_is_stripped() -> None:
    assert _resolve("printf 'pw\\r\\n'") == "pw"


def test_command_runs_without_a_shell() -> None:
    # With a shell, `;` would run a second command; here it is just an argument.
    assert _resolve("printf '%s\\n' 'a;b' ; echo nope") == "a;b"


def test_command_failure_names_account_exit_code_and_stderr() -> None:
    script = "import sys; sys.stderr.write('gpg: decryption failed\\nmore\\n'); sys.exit(3)"
    command = f'{sys.executable} -c "{script}"'
    with pytest.raises(ConfigError) as err:
        _resolve(command)
    assert str(err.value) == (
        "mail account 'support': password_command exited 3: gpg: decryption failed"
    )


def test_false_exits_1() -> None:
    with pytest.raises(ConfigError, match=r"^mail account 'support': password_command exited 1$"):
        _resolve("false")


def test_missing_command() -> None:
    with pytest.raises(ConfigError, match="password_command not found: /nonexistent/pass-helper"):
        _resolve("/nonexistent/pass-helper show x")


def test_unparsable_command() -> None:
    with pytest.raises(ConfigError, match="password_command cannot be parsed"):
        _resolve("pass show 'unterminated")


def test_empty_output_is_an_error() -> None:
    with pytest.raises(ConfigError, match="printed no password"):
        _resolve("true")


def test_command_wins_over_keyring(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("helpdesk-imap", "support@example.com", "from-keyring")
    assert _resolve("printf from-command", service="helpdesk-imap") == "from-command"


def test_keyring_password(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("helpdesk-imap", "support@example.com", "from-keyring")
    assert _resolve(service="helpdesk-imap") == "from-keyring"


def test_keyring_missing_entry(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(ConfigError) as err:
        _resolve(service="helpdesk-imap", username="nobody@example.com")
    assert str(err.value) == (
        "mail account 'support': no password in the keyring for service 'helpdesk-imap', "
        "user 'nobody@example.com'"
    )


def test_keyring_backend_error_is_one_line() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        with pytest.raises(ConfigError) as err:
            _resolve(service="helpdesk-imap")
    finally:
        keyring.set_keyring(previous)
    assert str(err.value) == (
        "mail account 'support': keyring lookup failed: the keychain is locked"
    )


def test_neither_configured() -> None:
    with pytest.raises(ConfigError) as err:
        _resolve()
    message = str(err.value)
    assert message.startswith("mail account 'support': ")
    assert "password_command" in message
    assert "keyring_service" in message
    assert "\n" not in message
