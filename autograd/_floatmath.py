"""IEEE arithmetic on Python floats: numpy's answers (inf, nan, a RuntimeWarning) where Python raises."""
import math
import warnings


def _warn(op, x, result):
    warnings.warn(f"Value.{op}: input {x!r} gives {result}", RuntimeWarning, stacklevel=3)
    return result


def exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def log(x):
    if x > 0:
        return math.log(x)
    if x == 0:
        return _warn("log", x, -math.inf)
    return _warn("log", x, math.nan)


def div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:                                    # 0/0 and nan/0
            return _warn("__truediv__", b, math.nan)
        return _warn("__truediv__", b, math.copysign(math.inf, a) * math.copysign(1.0, b))


def pow(a, b):
    """a ** b on floats with numpy's answers where Python would raise or go complex."""
    if a < 0 and math.isfinite(b) and b != int(b):     # a real power of a negative base is complex
        return _warn("__pow__", a, math.nan)
    try:
        return float(a ** b)
    except ZeroDivisionError:        # 0.0 ** negative
        return _warn("__pow__", a, math.inf)
    except OverflowError:
        return math.inf if a > 0 or b % 2 == 0 else -math.inf


def sigmoid(x):
    # two branches so exp never sees a large positive argument
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)
