"""`with` for things held open: a server connection, a transaction.

Here, in the stdlib-only domain, because both sides of the house need it and may not
import each other (mail/ holds the IMAP and SMTP connections, storage/ the transactions).
`contextlib.closing` would do for callers, but the classes themselves are meant to be
used in `with`, typed as what they are.
"""

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class Closing(ABC):
    """`with x:` hands out `x` and calls `x.close()` on the way out, however the block
    ends; a subclass that opens something on entry overrides `__enter__` too."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None:
        """Let go of what is held; never raises."""
