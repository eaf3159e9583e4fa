"""How many threads numpy's BLAS uses, for a block (the CLI's --blas-threads); numpy's own choice otherwise.

graphgrad leaves BLAS threads alone: on a quiet 2-core machine two OpenBLAS threads make a 64x784 @ 784x512
matmul 1.8x faster than one, but with the other core busy they made it 1.9-29x slower
(benchmarks/experiment_threads.py). Which wins depends on the machine's load, which only the user knows:
on a shared or busy machine, ask for one thread. Needs threadpoolctl (`pip install 'graphgrad[threads]'`).
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext
from typing import Iterator


def available() -> bool:
    """True when threadpoolctl is installed."""
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def blas_threads(n: int | None) -> Iterator[None]:
    """Limit numpy's BLAS to `n` threads inside the block (None: leave it as it is)."""
    if n is None:
        with nullcontext():
            yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        raise ImportError("limiting BLAS threads needs threadpoolctl: pip install 'graphgrad[threads]'") from None
    with threadpool_limits(limits=n, user_api="blas"):
        yield
