"""The TUI tests' data: a private copy of a fixed data set per test (see pilotkit.py)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from pilotkit import CASE_SET, QUEUE_SET, Data


@pytest.fixture
def case_data(tmp_path: Path) -> Iterator[Data]:
    """The case set: a few named cases (built once per session, copied for this test)."""
    with CASE_SET.copy(tmp_path) as data:
        yield data


@pytest.fixture
def queue_data(tmp_path: Path) -> Iterator[Data]:
    """The queue set: about 70 cases (built once per session, copied for this test)."""
    with QUEUE_SET.copy(tmp_path) as data:
        yield data
