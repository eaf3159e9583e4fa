"""Central differences with their own error estimate: the judge behind `gradcheck`, `gradgradcheck` and
`check_adjoint` (numpy and the engine only). The error model is explained in `autograd.gradcheck`.

    seed = make_seed(v, vjp_of_v, nodes)                # the cotangent and the analytic v^T J per node
    failure = compare(f, inputs, directions, seed, Tolerance(eps, atol, rtol, machine_eps(out, nodes), who))
    if failure is not None: raise AssertionError(head + failure.describe())
"""
import collections

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor
from ..value import Value

NOISE_ULPS = 16         # c: one evaluation of f is off by at most c ulps of its size
SETTLED = 0.01          # the t^4 term left by extrapolation: at most 1% of the t^2 correction it made
HIGHER_ORDER = 12       # an error growing 12x or more from step t to 2t is truncation of order t^4 or higher
STEP_SLACK = 0.5        # a step rounding to under half or over 1.5x its intended length is refused
JITTER, JITTER_POINTS = 2.0 ** -12, 6   # noise measured at x + t (1 + k JITTER) u, k < JITTER_POINTS, and at -t
JITTER_SIGMAS = 10      # measured noise allowed: 10 standard deviations (the estimate has 8 degrees of freedom)

Seed = collections.namedtuple("Seed", "v grads")                    # a cotangent v and v^T J per node
Direction = collections.namedtuple("Direction", "index nodes names ks us")   # move nodes (seed slots ks) along us
Tolerance = collections.namedtuple("Tolerance", "eps atol rtol eps_mach tiny who size_f", defaults=(0.0,))


def machine_eps(out, nodes):
    """(eps, tiny): the largest machine epsilon and smallest subnormal among f's output and inputs' dtypes."""
    info = [np.finfo(d if d.kind == "f" else np.float64)
            for d in [np.asarray(out.data).dtype] + [np.asarray(x.data).dtype for x in nodes]]
    return max(float(i.eps) for i in info), max(float(i.smallest_subnormal) for i in info)


def require_finite(data, who):
    """An AssertionError if f's output `data` has a nan or inf element: there is no gradient to check there."""
    if not np.all(np.isfinite(data)):
        at = tuple(int(i) for i in np.argwhere(~np.isfinite(data))[0])
        raise AssertionError(f"{who} failed: f returned {data[at]} at output index {at} for the given inputs, "
                             "so its gradient cannot be checked there; move the inputs into f's domain")


def make_seed(v, grads, nodes):
    """A Seed: cotangent v and v^T J per node as float64 arrays (zeros where f ignores the node)."""
    arrays = [np.zeros(np.shape(x.data)) if g is None else
              np.array(g.data if isinstance(g, (Tensor, Value)) else g, dtype=np.float64) for g, x in zip(grads, nodes)]
    return Seed(np.asarray(v, dtype=np.float64), arrays)


def evaluate(f, inputs, nodes, us, ts):
    """[(f(x + t u), [fl(x + t u) per node]) for t in ts], all as float64; the nodes' data is restored."""
    saved = [x.data for x in nodes]
    base = [np.array(d, dtype=np.float64) for d in saved]
    try:
        with no_grad(), np.errstate(all="ignore"):
            return [_shifted(f, inputs, nodes, base, us, t) for t in ts]
    finally:
        for x, d in zip(nodes, saved):
            x.data = d


def _shifted(f, inputs, nodes, base, us, t):
    taken = []
    for x, b, u in zip(nodes, base, us):
        moved = b + t * u                          # rounded to the node's dtype: the point actually taken
        x.data = float(moved) if isinstance(x, Value) else moved.astype(x.dtype)
        taken.append(np.array(x.data, dtype=np.float64))
    return np.array(f(*inputs).data, dtype=np.float64), taken


def probe(f, inputs, nodes, us, t):
    """(f(x + t u), f(x - t u), [fl(x + t u) - fl(x - t u) per node])."""
    (plus, at_plus), (minus, at_minus) = evaluate(f, inputs, nodes, us, [t, -t])
    return plus, minus, [p - m for p, m in zip(at_plus, at_minus)]


def check_steps(direction, ds, t, who):
    """ValueError where the step taken is far from the intended 2 t u (x too large for eps, or low precision)."""
    for x, name, u, d in zip(direction.nodes, direction.names, direction.us, ds):
        want = 2 * t * np.asarray(u, dtype=np.float64)
        matters = np.abs(want) >= 0.1 * np.max(np.abs(want), initial=0.0)       # coordinates that carry the step
        off = matters & (np.abs(d - want) > STEP_SLACK * np.abs(want))
        if np.any(off):
            i = tuple(int(k) for k in np.argwhere(off)[0])
            xi, dtype = np.asarray(x.data)[i], np.asarray(x.data).dtype
            hint = "" if dtype == np.float64 else " or float64 inputs"
            raise ValueError(f"{who}: cannot step {name} at index {i} by eps={t:g}: at its value {xi:.6g} ({dtype}) "
                             f"x +- eps rounds to a step of {d[i] / 2:.3g}; use eps of at least "
                             f"{100 * np.spacing(np.abs(xi)):.1g}{hint}")


def measure(f, inputs, direction, seed, t, tol):
    """(analytic, numeric, rounding noise) of the derivative along the direction, per unit step along u."""
    plus, minus, ds = probe(f, inputs, direction.nodes, direction.us, t)
    check_steps(direction, ds, t, tol.who)
    us = direction.us
    w = sum(float(np.sum(d * u)) for d, u in zip(ds, us)) / sum(float(np.sum(np.square(u))) for u in us)
    ana = sum(float(np.sum(seed.grads[k] * d)) for k, d in zip(direction.ks, ds)) / w
    num = float(np.sum(seed.v * (plus - minus))) / w                  # unchanged outputs cancel exactly
    size = max(float(np.sum(np.abs(seed.v * plus))), float(np.sum(np.abs(seed.v * minus)))) + tol.size_f
    floor = tol.tiny * float(np.sum(np.abs(seed.v)))               # rounding never finer than a subnormal
    return ana, num, 2 * NOISE_ULPS * (tol.eps_mach * size + floor) / abs(w)


def compare(f, inputs, directions, seed, tol):
    """The worst direction where backward and central differences disagree beyond tolerance, or None."""
    if not directions:
        return None
    ana, num, noise = np.array([measure(f, inputs, d, seed, tol.eps, tol) for d in directions]).T
    num_t, num_2t, extra = num.copy(), np.full(num.shape, np.nan), np.zeros(num.shape)
    for i in np.flatnonzero(~(np.abs(ana - num) <= _allowed(ana, num, noise, tol))):   # rounding does not explain it
        num[i], num_2t[i], noise[i], extra[i] = refine(f, inputs, directions[i], seed, tol, ana[i], num[i], noise[i])
    allowed = _allowed(ana, num, noise, tol) + extra
    finite = np.isfinite(ana) & np.isfinite(num) & np.isfinite(allowed)
    bad = ~(np.abs(ana - num) <= allowed) | ~finite
    if not bad.any():
        return None
    ratio = np.divide(np.abs(ana - num), allowed, out=np.full(num.shape, np.inf), where=finite & (allowed > 0))
    i = int(np.argmax(np.where(bad, ratio, -1.0)))
    parts = dict(rtol=tol.rtol * max(abs(ana[i]), abs(num[i])), noise=noise[i], extra=extra[i], atol=tol.atol,
                 num_t=num_t[i], num_2t=num_2t[i])
    return Failure(directions[i].index, ana[i], num[i], allowed[i], parts, int(bad.sum()), len(directions))


def refine(f, inputs, direction, seed, tol, ana, num, noise):
    """(numeric without its truncation error, numeric at step 2t, noise, truncation allowance) for one direction.

    The error e = n - a at steps t and 2t is T t^2 and 4 T t^2 (+ noise), so Richardson's (4 e_t - e_2t) / 3 has
    no t^2 term; its noise is (4 N_t + N_2t) / 3, N measured as well as modelled (`jitter`). An error growing by
    HIGHER_ORDER or more with the step is truncation of order t^4 or higher (x^9 at 0), and allowed as it is."""
    a2, n2, noise2 = measure(f, inputs, direction, seed, 2 * tol.eps, tol)
    e_t, e_2t = num - ana, n2 - a2
    if np.sign(e_t) == np.sign(e_2t) != 0 and abs(e_2t) >= HIGHER_ORDER * abs(e_t):
        return num, n2, noise, abs(e_t)
    e_rich = (4 * e_t - e_2t) / 3
    scatter = jitter(f, inputs, direction, seed, tol.eps)
    measured = JITTER_SIGMAS * np.sqrt(2) * scatter / (2 * tol.eps)        # noise of (phi(t) - phi(-t)) / 2t
    noise, noise2 = max(noise, measured), max(noise2, measured / 2)
    return ana + e_rich, n2, (4 * noise + noise2) / 3, SETTLED * abs(e_t - e_rich)


def jitter(f, inputs, direction, seed, t):
    """The measured rounding noise of one evaluation of <v, f>: its scatter about lines through points near x +- t u."""
    resid = []
    for side in (t, -t):
        offsets = side * (1 + JITTER * np.arange(JITTER_POINTS))
        outs = [out for out, _ in evaluate(f, inputs, direction.nodes, direction.us, offsets)]
        phi = np.array([float(np.sum(seed.v * (o - outs[0]))) for o in outs])      # unchanged outputs cancel
        if not np.all(np.isfinite(phi)):
            return np.inf
        resid.append(phi - np.polyval(np.polyfit(offsets - side, phi, 1), offsets - side))
    resid = np.concatenate(resid)
    top = float(np.max(np.abs(resid), initial=0.0))
    return top * float(np.sqrt(np.sum(np.square(resid / top)) / (2 * JITTER_POINTS - 4))) if top > 0 else 0.0


def _allowed(ana, num, noise, tol):
    return tol.atol + tol.rtol * np.maximum(np.abs(ana), np.abs(num)) + noise


class Failure(collections.namedtuple("Failure", "index ana num tol parts count total")):
    """The worst disagreement found by `compare`, able to say how its tolerance was made up."""

    def tolerance(self):
        """'error E > tolerance T = rtol*|grad| R + noise N [+ truncation X] [+ atol A]'."""
        p = self.parts
        terms = f"rtol*|grad| {p['rtol']:.3g} + noise {p['noise']:.3g}"
        terms += f" + truncation {p['extra']:.3g}" if p["extra"] > 0 else ""
        terms += f" + atol {p['atol']:.3g}" if p["atol"] > 0 else ""
        return f"error {abs(self.ana - self.num):.3g} > tolerance {self.tol:.3g} = {terms}"

    def notes(self):
        """What else the reader needs: nan/inf, and the two steps behind a refined value."""
        p, out = self.parts, []
        if not np.isfinite(self.num):
            out.append("f is not finite at x +- eps (or its differences overflow)")
        if not np.isfinite(self.ana):
            out.append("the gradient from backward is not finite")
        if np.isfinite(p["num_2t"]):
            settled = abs(p["num_t"] - p["num_2t"]) <= SETTLED * max(abs(p["num_t"]), abs(p["num_2t"]))
            out.append(f"steps eps and 2*eps give {p['num_t']:.10g} and {p['num_2t']:.10g}"
                       + ("" if settled else ": they do not settle (a kink or a feature narrower than eps within "
                                             "2*eps of x, or f noisier than its rounding: move x or change eps)"))
        return "".join(f"; {n}" for n in out)

    def describe(self):
        """The report's tail: where, both values, the error against its tolerance, how many elements differ."""
        return (f"at index {self.index} backward gives {self.ana:.10g} but the numerical derivative is "
                f"{self.num:.10g} ({self.tolerance()}; {self.count} of {self.total} elements differ){self.notes()}")
