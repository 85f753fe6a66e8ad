"""Batches are cut by count and by bytes (issue 10, found 8): memory follows bytes."""

from helpdesk_tui.sync.poller import STUB_BYTES, cut_batches

MB = 1024 * 1024


def test_batches_are_cut_by_count_and_by_bytes_in_uid_order() -> None:
    sizes = {1: 10, 2: 10, 3: 10, 4: 10, 5: 10}
    assert list(cut_batches(sizes, 2, 100, 25 * MB)) == [[1, 2], [3, 4], [5]]
    big = {1: 30 * MB, 2: 1 * MB, 3: 20 * MB, 4: 20 * MB, 5: 1}
    assert list(cut_batches(big, 500, 32 * MB, 64 * MB)) == [[1, 2], [3], [4, 5]]


def test_a_mail_above_the_limit_counts_as_its_stub() -> None:
    sizes = {1: 30 * MB, 2: 30 * MB, 3: 30 * MB}
    assert list(cut_batches(sizes, 500, 3 * STUB_BYTES, 25 * MB)) == [[1, 2, 3]]
