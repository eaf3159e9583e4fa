"""Grad mode: whether operations record themselves in the graph (thread-local)."""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    enabled = True          # class attributes: every new thread starts with recording on
    in_backward = False     # and with no backward pass running (engine.py refuses to nest them)
    grad_depth = 0          # autograd.grad calls running in this thread (functional.py)


_state = _State()


def is_grad_enabled() -> bool:
    """True when operations on nodes that require grad are being recorded."""
    return _state.enabled


class _GradMode:
    """Context manager and decorator that sets grad mode for its block, then restores it."""

    _enabled = True

    def __enter__(self) -> _GradMode:
        self._saved = _state.enabled
        _state.enabled = self._enabled
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        _state.enabled = self._saved
        return False

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)
        return cast(F, wrapper)


class no_grad(_GradMode):
    """Stop recording: results of operations inside the block do not require grad."""

    _enabled = False


class enable_grad(_GradMode):
    """Record operations again, even inside a `no_grad` block."""

    _enabled = True


class set_grad_enabled(_GradMode):
    """Set grad mode to `mode` for the block (`with set_grad_enabled(False): ...`)."""

    def __init__(self, mode: bool) -> None:
        self._enabled = bool(mode)

    def __call__(self, fn: F) -> F:
        mode = self._enabled

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return cast(F, wrapper)
