"""Turning refusals into the CLI's contract: one `error:` line, exit 1 (rule) or 2 (usage)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Typer 0.29 ships its own copy of click and exports no ClickException: its parser raises
# these classes, not the ones of the `click` package (typer is pinned in pyproject.toml).
from typer._click import exceptions as click_errors

from helpdesk_tui.cli.output import REFUSED, USAGE, fail
from helpdesk_tui.domain.errors import DomainError, QueryError, ValidationError
from helpdesk_tui.storage.failures import explain
from helpdesk_tui.storage.location import DatabaseLocation


class UsageError(Exception):
    """A command-line value could not be understood (exit 2)."""


@contextmanager
def typed_values() -> Iterator[None]:
    """A value typed on the command line that the domain cannot read (a case number, a
    date, hours, a role …) is a usage error (exit 2), not a refusal of the rules."""
    try:
        yield
    except ValidationError as error:
        raise UsageError(error.message) from None


@contextmanager
def refusals() -> Iterator[None]:
    """Map domain and config errors to the one-line `error:` and the exit code."""
    try:
        yield
    except (UsageError, QueryError) as error:
        fail(str(error), USAGE)
    except DomainError as error:
        fail(error.message, REFUSED)


@contextmanager
def parser_errors() -> Iterator[None]:
    """Click's usage errors (unknown option, missing argument, bad value) as one `error:`
    line with click's exit code (2), instead of its usage block."""
    try:
        yield
    except click_errors.NoArgsIsHelpError:
        raise  # `helpdesk case` alone: the help text is the answer
    except click_errors.ClickException as error:
        fail(error.format_message(), error.exit_code)


@contextmanager
def storage_failures(location: Callable[[], DatabaseLocation | None]) -> Iterator[None]:
    """A database or disk that fails under any command (disk full, read-only mount, server
    unreachable …) as one `error:` line, exit 1; `location` says where, if known."""
    try:
        yield
    except DomainError as error:  # raised outside a command's own `refusals()`
        fail(error.message, REFUSED)
    except Exception as error:
        message = explain(error, location())
        if message is None:
            raise
        fail(message, REFUSED)
