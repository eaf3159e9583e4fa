"""Benchmarks in fresh processes: run a child, read its JSON result; a busy heap; GC and page-fault meters.

A child process is `python <script> --child <json args>`; it prints one line `RESULT <json>` last.
Children import autograd before anything else they measure, so every process-wide setting graphgrad
applies (allocator, GC, threads) is in force for every engine a child runs, references included.
"""
import gc
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_child(script, args, env=None, unset=(), timeout=900):
    """Run `script --child <json args>` in a fresh interpreter; return its RESULT dict.

    The child gets this process's environment without the variables in `unset`, plus `env`. A child
    that fails raises RuntimeError with its last output lines (a silent missing row would mislead)."""
    full_env = {k: v for k, v in os.environ.items() if k not in unset}
    full_env["PYTHONPATH"] = os.pathsep.join([ROOT, HERE, os.environ.get("PYTHONPATH", "")])
    full_env.update(env or {})
    done = subprocess.run([sys.executable, os.path.join(HERE, script), "--child", json.dumps(args)],
                          env=full_env, capture_output=True, text=True, timeout=timeout, check=False)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    tail = "\n".join((done.stdout + done.stderr).splitlines()[-15:])
    raise RuntimeError(f"{script} {args}: child exited with code {done.returncode} and no RESULT line:\n{tail}")


def child_args(argv):
    """The JSON arguments of a `--child` invocation, or None when this is not a child."""
    if "--child" in argv:
        return json.loads(argv[argv.index("--child") + 1])
    return None


def report(result):
    """Send a child's result to its parent (the last line of stdout)."""
    print("RESULT " + json.dumps(result), flush=True)


# --- a busy heap ---------------------------------------------------------------------------------
class Record:
    """A small user object, as a notebook holds many of (rows, parsed records, cached results)."""

    def __init__(self, i):
        self.key = i
        self.tags = [i]


def busy_heap(n=1_000_000):
    """Create and return n live GC-tracked objects (Record instances and the small lists they hold).

    Every one is tracked by the cyclic GC (lists and instances are; a dict or tuple of only atoms may
    be untracked), so each full collection traverses them all, as it would in a long notebook session."""
    held = [Record(i) for i in range(n // 2)]          # n/2 instances + n/2 lists
    if not (gc.is_tracked(held[-1]) and gc.is_tracked(held[-1].tags)):
        raise RuntimeError("busy_heap: its objects are not tracked by the GC in this Python; use containers")
    return held


# --- meters --------------------------------------------------------------------------------------
class GcMeter:
    """Counts the cyclic GC's collections per generation, the seconds they take and what they free,
    through gc.callbacks (installed while the meter is open: `with GcMeter() as m:`)."""

    def __init__(self):
        self.count = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self.collected = 0
        self._t = None

    def _callback(self, phase, info):
        if phase == "start":
            self._t = time.perf_counter()
        elif self._t is not None:
            gen = info["generation"]
            self.count[gen] += 1
            self.seconds[gen] += time.perf_counter() - self._t
            self.collected += info["collected"]
            self._t = None

    def __enter__(self):
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self._callback)

    @property
    def total_seconds(self):
        return sum(self.seconds)


def minor_faults():
    """Minor page faults of this process so far (a fresh page touched after mmap or a heap trim)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def faults_per_call(fn, calls):
    """Minor page faults per call of fn over `calls` calls (after one warm-up call)."""
    fn()
    before = minor_faults()
    for _ in range(calls):
        fn()
    return (minor_faults() - before) / calls
