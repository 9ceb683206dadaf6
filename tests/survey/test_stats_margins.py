"""The margin products' one-BLAS-thread limit, shared by threads that overlap."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from ipec.survey.stats_margins import SharedBlasLimit


def _blas_threads() -> list[int]:
    return [int(i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"]


def test_overlapping_users_restore_the_original_limit_once_all_are_out() -> None:
    """Two users that overlap (A in, B in, A out, B out): one thread while either is inside,
    the original count after both, whatever the order they leave in."""
    if not _blas_threads():
        pytest.skip("no BLAS library that threadpoolctl can limit is loaded")
    with threadpool_limits(limits=2, user_api="blas"):  # a known count to come back to
        original = _blas_threads()
        shared = SharedBlasLimit()
        shared.__enter__()  # A
        shared.__enter__()  # B
        assert _blas_threads() == [1] * len(original)
        shared.__exit__(None, None, None)  # A leaves while B works
        assert _blas_threads() == [1] * len(original)
        shared.__exit__(None, None, None)  # B leaves
        assert _blas_threads() == original
