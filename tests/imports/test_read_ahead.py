"""``import_files.read_ahead``: an import's rows read by a thread of their own, a few chunks
ahead of the batch being written."""

from __future__ import annotations

import threading

import pytest

from storefront.marketplace.import_files import Row, read_ahead


def rows(count: int, *, fail_at: int | None = None):
    for line in range(2, count + 2):
        if line == fail_at:
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        yield Row(line, {"sku": f"SKU-{line}"})


def readers() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name == "import-read-ahead")


def test_every_row_comes_in_order_across_chunks():
    got = [row.line for row in read_ahead(rows(1234), chunk=100, depth=2)]
    assert got == list(range(2, 1236))
    assert readers() == 0


def test_an_error_of_the_reader_is_raised_where_the_rows_are_used_after_the_rows_before_it():
    seen = []
    with pytest.raises(UnicodeDecodeError):
        for row in read_ahead(rows(1000, fail_at=250), chunk=100):
            seen.append(row.line)
    assert seen == list(range(2, 202))  # the whole chunks read before the bad line
    assert readers() == 0


def test_leaving_the_loop_early_stops_the_reader():
    for row in read_ahead(rows(100_000), chunk=10, depth=2):
        if row.line == 50:
            break
    assert readers() == 0
