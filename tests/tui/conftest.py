"""Fixtures for the queue tests: a private copy of the fixed data set per test."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from queuefixtures import Queue, queue_data


@pytest.fixture
def data(tmp_path: Path) -> Iterator[Queue]:
    """The queue data set (built once per session, copied for this test)."""
    with queue_data(tmp_path) as queue:
        yield queue
