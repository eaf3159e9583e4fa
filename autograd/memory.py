"""The one process-wide setting graphgrad applies: glibc keeps freed memory instead of returning it at once.

Why: a training step allocates fresh 100 KB - 30 MB temporaries (activations, gradients) and frees them at
the end of the step. glibc serves blocks of that size with mmap and gives them back to the OS on free, so
every step page-faults its memory in again; on the CS231n case study that was most of numpy's time and of
ours (benchmarks/experiment_malloc.py: 85 and 261 page faults per iteration, none with this setting, and the
notes' own numpy iteration 1.9x faster). So, at `import autograd`, on Linux with glibc only, blocks up to
32 MiB come from the heap (M_MMAP_THRESHOLD) and up to 128 MiB of freed heap stays in the process
(M_TRIM_THRESHOLD). The cost: the process keeps up to that much memory it freed.

The rule: applied at import unless the environment variable GRAPHGRAD_MALLOC is 0/off/no/false, or the user
already tuned glibc with MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ or MALLOC_TOP_PAD_ (then theirs
stands). `malloc_tuned()` says whether it took effect. It speeds numpy code in the same process exactly as
much as it speeds graphgrad, which is why the benchmarks measure every reference under it.
"""
import ctypes
import os
import platform
import sys

MMAP_THRESHOLD = 32 * 2 ** 20
TRIM_THRESHOLD = 128 * 2 ** 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3      # glibc's mallopt parameter numbers (malloc.h)
_USER_KNOBS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
_tuned = False


def malloc_tuned():
    """True when graphgrad's glibc setting is in effect in this process."""
    return _tuned


def keep_freed_memory():
    """Apply the setting now (glibc only); True if glibc accepted it. `import autograd` calls this by the rule above."""
    global _tuned
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    ok = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    _tuned = _tuned or ok
    return ok


def _apply_by_rule():
    if os.environ.get("GRAPHGRAD_MALLOC", "").strip().lower() in ("0", "off", "no", "false"):
        return
    if any(knob in os.environ for knob in _USER_KNOBS):
        return
    keep_freed_memory()
