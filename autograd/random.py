"""The global random generator: one numpy Generator that every draw without an explicit `rng=` uses.

`manual_seed(s)` reseeds it (PyTorch's name), after which it draws exactly what `np.random.default_rng(s)`
would. The factories (`randn`, `rand`, `randint`), `nn.init`, `nn.Dropout`, the layers' default
initialisation, the toy data sets, `nn.data.batches`, `train_test_split` and `nn.fit`'s shuffling all ask
`default_rng(rng)`: the global Generator when `rng` is None, else `np.random.default_rng(rng)` exactly as
before (a seed gives a fresh Generator, a Generator is used as is and its stream continues).

Unlike PyTorch, which starts from a fixed seed, the generator starts from fresh OS entropy (as numpy's
`default_rng()` does): call `manual_seed` for a reproducible run.

Threads: the generator is shared by all threads (not one per thread). numpy's Generator takes a lock around
each draw and these functions take the same lock, so concurrent use never corrupts the state, but which
thread gets which numbers depends on scheduling: for reproducible threaded work give each thread its own
`rng=` (e.g. from `np.random.SeedSequence(s).spawn(n)`).
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .hints import Seed

_generator = np.random.Generator(np.random.PCG64())      # reseeded in place, so holders of it follow


def default_rng(rng: Seed = None) -> np.random.Generator:
    """The Generator to draw from: the global one for None, else `np.random.default_rng(rng)`."""
    return _generator if rng is None else np.random.default_rng(rng)


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the global generator with the int `seed` >= 0; returns that Generator."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"manual_seed: seed must be an int >= 0, got {seed!r}")
    _set(np.random.PCG64(int(seed)).state)
    return _generator


def get_rng_state() -> Mapping[str, Any]:
    """The global generator's state: a JSON-serialisable dict (numpy's bit generator state).

    Its 128-bit counters are Python ints: Python's json round-trips them exactly (readers in other languages
    may not)."""
    with _generator.bit_generator.lock:
        return _generator.bit_generator.state


def set_rng_state(state: Any) -> None:
    """Restore a state returned by `get_rng_state` (also after a JSON round trip)."""
    if isinstance(state, (str, bytes)):
        raise TypeError("set_rng_state: got text; pass the dict get_rng_state() returned (json.loads the text first)")
    probe = np.random.PCG64()
    try:
        probe.state = state                              # validates everything before the real state changes
    except (TypeError, ValueError, KeyError) as e:
        kind = state.get("bit_generator") if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"set_rng_state: not a state from get_rng_state() (a PCG64 state dict), got {kind!r}: "
                         f"{e}") from None
    _set(probe.state)


def _set(state):
    with _generator.bit_generator.lock:
        _generator.bit_generator.state = state
