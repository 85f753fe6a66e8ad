"""Long lists of values in pieces, for `IN (…)` lists and multi-row statements.

Hand-written because `itertools.batched` comes with Python 3.12 and this project runs
on 3.11; slices also keep each piece a list, as the drivers want their parameters.
"""

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

#: Values per `IN (…)` list: far below either database's parameter limit, and short
#: enough that the query stays an index lookup per value.
IN_LIST_SIZE = 500


def chunked(items: Sequence[T], size: int = IN_LIST_SIZE) -> Iterator[Sequence[T]]:
    """`items` in consecutive pieces of at most `size`, in order."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
