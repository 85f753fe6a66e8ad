"""Small helpers shared by the test suites (on pytest's pythonpath: `from support import …`)."""

import asyncio
import functools
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any, ParamSpec

P = ParamSpec("P")


class Clock:
    """A clock the test moves by hand: `clock()` is `clock.now`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        """Move forward by `timedelta(**kwargs)` and return the new time."""
        self.now += timedelta(**kwargs)
        return self.now


def sync(test: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
    """Run an async Pilot test on its own event loop (no asyncio plugin needed)."""

    @functools.wraps(test)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        asyncio.run(test(*args, **kwargs))

    return wrapper
