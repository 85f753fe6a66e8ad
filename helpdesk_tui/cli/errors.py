"""Turning refusals into the CLI's contract: one `error:` line, exit 1 (rule) or 2 (usage)."""

from collections.abc import Iterator
from contextlib import contextmanager

from helpdesk_tui.cli.output import REFUSED, USAGE, fail
from helpdesk_tui.domain.errors import DomainError, QueryError


class UsageError(Exception):
    """A command-line value could not be understood (exit 2)."""


@contextmanager
def refusals() -> Iterator[None]:
    """Map domain and config errors to the one-line `error:` and the exit code."""
    try:
        yield
    except (UsageError, QueryError) as error:
        fail(str(error), USAGE)
    except DomainError as error:
        fail(error.message, REFUSED)
