"""Adversarial in-place tests: random sequences of in-place ops on a buffer, through random views, with random
operand kinds, in and out of grad mode, against the same sequence written out of place (float64), once with
graphgrad's own out-of-place ops and once in torch (where installed).

The rule checked: every step (and the final backward) either matches the reference or raises one of the
documented errors (RuntimeError / ValueError / TypeError) naming the op; a failed step changes nothing.
"""
import operator

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import autograd as ag
import nn
from autograd import Tensor

try:
    import torch
except ImportError:                         # the torch reference is skipped; the graphgrad one still runs
    torch = None

SHAPE = (3, 4)
POS = np.arange(12).reshape(SHAPE)          # flat position of each element: a view of POS says what a view reads

# Views of the buffer, written once: applied to a Tensor they make the view, applied to POS they name its elements.
VIEWS = {
    "self": lambda b: b,
    "row": lambda b: b[1],
    "cols": lambda b: b[:, 1:3],
    "T": lambda b: b.T,
    "flat-slice": lambda b: b.reshape(12)[2:9],
    "T-of-slice": lambda b: b[0:2].T,
    "unsqueeze": lambda b: b.unsqueeze(0) if isinstance(b, Tensor) else np.expand_dims(b, 0),
    "element": lambda b: b[1, 2],
    "reversed": lambda b: b[::2, ::-1],
    "squeeze-of-slice": lambda b: b[2:3].squeeze(0),
}

# In-place op -> (apply to a Tensor, out-of-place math on torch tensors, names its error may use)
OPS = {
    "+=": (lambda t, o: t.__iadd__(o), lambda x, o: x + o, ("+=",)),
    "-=": (lambda t, o: t.__isub__(o), lambda x, o: x - o, ("-=",)),
    "*=": (lambda t, o: t.__imul__(o), lambda x, o: x * o, ("*=",)),
    "/=": (lambda t, o: t.__itruediv__(o), lambda x, o: x / o, ("/=",)),
    "add_": (lambda t, o: t.add_(o, alpha=-0.5), lambda x, o: x - 0.5 * o, ("add_", "mul")),
    "sub_": (lambda t, o: t.sub_(o), lambda x, o: x - o, ("sub_",)),
    "mul_": (lambda t, o: t.mul_(o), lambda x, o: x * o, ("mul_",)),
    "div_": (lambda t, o: t.div_(o), lambda x, o: x / o, ("div_",)),
    "copy_": (lambda t, o: t.copy_(o), lambda x, o: o + 0 * x, ("copy_",)),
    "fill_": (lambda t, o: t.fill_(o), lambda x, o: o + 0 * x, ("fill_", "copy_")),
    "zero_": (lambda t, o: t.zero_(), lambda x, o: 0 * x, ("fill_", "zero_")),
}

# Indices for item assignment, applied to the view's position array (numpy semantics: the last write wins).
INDICES = [Ellipsis, 0, slice(None, None, 2), [0], "mask", [0, 0]]


@st.composite
def programs(draw):
    """A buffer kind, a dtype, a long-lived view, and up to 6 steps (view, op or item assignment, operand kind,
    grad mode of the op and of the view's creation)."""
    steps = []
    for _ in range(draw(st.integers(1, 6))):
        view = draw(st.sampled_from(sorted(VIEWS) + ["V"]))    # "V": the long-lived view made before the steps
        op = draw(st.sampled_from(sorted(OPS) + ["setitem"]))
        index = draw(st.integers(0, len(INDICES) - 1)) if op == "setitem" else None
        kinds = ["number", "array", "scalar-param", "param-view", "constant", "self-view", "tensor-0d"]
        if op in ("/=", "div_"):
            kinds = kinds[:5]                   # keep divisors away from zero
        if op == "fill_":
            kinds = ["number", "scalar-param", "tensor-0d"]
        kind = draw(st.sampled_from(kinds))
        grad, alt, view_grad = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
        steps.append((view, op, index, kind, grad, alt, view_grad))
    return (draw(st.sampled_from(["constant", "non-leaf", "leaf"])), draw(st.sampled_from(["float64", "float32"])),
            draw(st.sampled_from(sorted(VIEWS))), steps, draw(st.integers(0, 2 ** 31)))


def _sign_mag(rng, shape=()):
    """Numbers in ±[0.5, 2]: safe divisors, and products that stay well inside float32's precision."""
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


class Reference:
    """The out-of-place twin of a program, in float64, on torch or on graphgrad's own out-of-place ops."""

    def __init__(self, backend):
        self.torch = backend == "torch"

    def tensor(self, x, requires_grad=False):
        x = np.array(x, dtype=np.float64)
        return torch.tensor(x, requires_grad=requires_grad) if self.torch else Tensor(x, requires_grad=requires_grad)

    def numpy(self, t):
        return None if t is None else t.detach().numpy() if self.torch else np.asarray(t, dtype=np.float64)

    def _index(self, idx):
        return torch.as_tensor(idx) if self.torch else idx

    def gather(self, t, pos):
        """The elements of t at flat positions pos (an array of any shape)."""
        return t.reshape(-1)[self._index(np.array(pos))]

    def flip(self, t):
        return t[..., self._index(np.arange(t.shape[-1])[::-1].copy())]

    def scatter(self, t, pos, values):
        """t with the elements at flat positions pos replaced by values (broadcast); the last write wins."""
        pos = np.array(pos)
        flat = pos.reshape(-1)
        _, last = np.unique(flat[::-1], return_index=True)
        wins = flat.size - 1 - last                                 # the write that lands at each position
        move = np.zeros((12, flat.size))
        move[flat[wins], wins] = 1.0
        untouched = np.ones(12)
        untouched[flat] = 0.0
        values = values if isinstance(values, (Tensor, getattr(torch, "Tensor", Tensor))) else self.tensor(values)
        moved = self.tensor(move) @ values.broadcast_to(pos.shape).reshape(-1)
        return (t.reshape(-1) * self.tensor(untouched) + moved).reshape(SHAPE)


class World:
    """The library's tensors and their out-of-place twins (separate float64 leaves), for one program."""

    def __init__(self, kind, dtype, rng, ref):
        self.kind, self.rng, self.ref = kind, rng, ref
        W0, s0, B0 = _sign_mag(rng, SHAPE), _sign_mag(rng), _sign_mag(rng, SHAPE).astype(dtype)
        self.W, self.Wt = Tensor(W0, requires_grad=True), ref.tensor(W0, requires_grad=True)
        self.s, self.st = Tensor(s0, requires_grad=True), ref.tensor(s0, requires_grad=True)
        self.Bsrc, self.Bsrct = Tensor(B0, requires_grad=True), ref.tensor(B0, requires_grad=True)
        if kind == "constant":
            self.B, self.Bt = Tensor(B0), ref.tensor(B0)
        elif kind == "non-leaf":
            self.B, self.Bt = self.Bsrc * 1.0, self.Bsrct * 1.0
        else:
            self.B, self.Bt = self.Bsrc, self.Bsrct

    def operand(self, kind, select, alt):
        """(library operand, reference operand, array to scribble on after the step), shaped like select(POS)."""
        shape, ref = np.shape(select(POS)), self.ref
        if kind in ("number", "tensor-0d"):
            x = float(_sign_mag(self.rng))
            return (x if kind == "number" else Tensor(x)), x, None
        if kind == "scalar-param":
            return self.s, self.st, None
        if kind == "param-view":
            return select(self.W), ref.gather(self.Wt, select(POS)), None
        if kind == "self-view":
            lib, twin = select(self.B), ref.gather(self.Bt, select(POS))
            if alt and lib.ndim:                                  # overlapping, reversed
                return lib[..., ::-1], ref.flip(twin), None
            return lib, twin, None
        x = np.array(_sign_mag(self.rng, shape[-1:] if alt else shape))     # a broadcast row, or the full shape
        return (x if kind == "array" else Tensor(x)), ref.tensor(x), (x if kind == "array" else None)


def _index(view, index):
    """The index object of an item assignment into view (a 0-d view takes only t[...] = x)."""
    fn = VIEWS[view]
    idx = INDICES[index]
    if np.ndim(fn(POS)) == 0:
        return Ellipsis
    return fn(POS) % 2 == 0 if isinstance(idx, str) else idx


def _selector(view, index):
    """The elements a step writes: view(b), or view(b)[index] for item assignment."""
    fn = VIEWS[view]
    if index is None:
        return fn
    idx = _index(view, index)
    return lambda b: fn(b)[idx]


def _mode(grad):
    return ag.enable_grad() if grad else ag.no_grad()


def run_step(w, V, vname, step):
    """Apply one step to the library and, if it did not raise, to the torch reference. Returns the error or None."""
    view, op, index, kind, grad, alt, view_grad = step
    select = _selector(vname if view == "V" else view, index)
    with _mode(view_grad):
        target = V if view == "V" else VIEWS[view](w.B)
    lib, ref, scribble = w.operand(kind, select, alt)
    names = ("item assignment",) if op == "setitem" else OPS[op][2]
    try:
        with _mode(grad):
            if op == "setitem":
                target[_index(vname if view == "V" else view, index)] = lib
            else:
                OPS[op][0](target, lib)
    except (RuntimeError, ValueError, TypeError) as e:
        assert any(n in str(e) for n in names), f"error does not name the op {names}: {e!r}"
        return e
    if scribble is not None:
        scribble[...] = 1e6                                     # a reused numpy buffer: the graph kept a copy
    pos = select(POS)
    cur = w.ref.gather(w.Bt, pos)
    new = cur * 0 + ref if op == "setitem" else OPS[op][1](cur, ref)
    updated = w.ref.scatter(w.Bt, pos, new)
    w.Bt = updated if grad else w.Bt + (updated - w.Bt).detach()   # no_grad: new values, the graph kept (PyTorch)
    return None


def _expect_no_error(kind, steps):
    """Programs every part of which is documented to be recorded: grad mode throughout, a constant or non-leaf
    buffer, operands that do not alias it, no repeated index for a value that needs a gradient."""
    return kind != "leaf" and all(grad and view_grad and k != "self-view" and not (op == "setitem" and index == 5)
                                  for _, op, index, k, grad, _, view_grad in steps)


def _close(actual, expected, dtype, what):
    expected = np.zeros(np.shape(actual)) if expected is None else expected
    actual = np.zeros(expected.shape) if actual is None else np.asarray(actual, dtype=np.float64)
    rtol = 1e-10 if dtype == "float64" else 1e-4
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * max(1.0, np.abs(expected).max(initial=0)),
                               err_msg=what)


@settings(max_examples=max(200, settings.default.max_examples))     # a wrong snapshot needs ~100 programs to show
@pytest.mark.parametrize("backend", ["graphgrad", pytest.param("torch", marks=pytest.mark.skipif(
    torch is None, reason="torch is not installed"))])
@given(program=programs())
def test_random_in_place_sequences_match_out_of_place_or_raise_a_named_error(backend, program):
    kind, dtype, vname, steps, seed = program
    R = Reference(backend)
    w = World(kind, dtype, np.random.default_rng(seed), R)
    V = VIEWS[vname](w.B)
    errors = [run_step(w, V, vname, step) for step in steps]
    event(f"{sum(e is None for e in errors)} of {len(steps)} steps applied")
    if _expect_no_error(kind, steps):
        assert not any(errors), f"a documented, recordable in-place op was refused: {errors}"
    posV = VIEWS[vname](POS)
    _close(w.B.data, R.numpy(w.Bt), dtype, "buffer values")
    _close(V.data, R.numpy(R.gather(w.Bt, posV)), dtype, "long-lived view values")
    C1, C2 = np.random.default_rng(seed + 1).standard_normal((2, 12))
    C1, C2 = C1.reshape(SHAPE), C2[:np.size(posV)].reshape(np.shape(posV))
    loss = (w.B * C1).sum() + (V * C2).sum()
    ref = (w.Bt * R.tensor(C1)).sum() + (R.gather(w.Bt, posV) * R.tensor(C2)).sum()
    if loss.requires_grad:
        try:
            loss.backward()
        except RuntimeError as e:               # an op read a value that a later step changed: named at backward
            assert "modified in place" in str(e), repr(e)
            event("refused at backward")
            return
    event(f"compared gradients (loss recorded: {loss.requires_grad})")
    if ref.requires_grad:
        ref.backward()
    _close(w.W.grad, R.numpy(w.Wt.grad), dtype, "gradient of the parameter used through views")
    _close(w.s.grad, R.numpy(w.st.grad), dtype, "gradient of the 0-d parameter")
    if kind != "constant":
        _close(w.Bsrc.grad, R.numpy(w.Bsrct.grad), dtype, "gradient of the buffer's source leaf")


# --- bugs found by the property above, each pinned by a minimal program ------------------------------------------
def leaf(*values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


@pytest.mark.parametrize("write", [
    lambda h, w: h.__setitem__(0, w[:2]),                # h = W.T * 2 is F-ordered: numpy keeps the layout
    lambda h, w: h.copy_(w.reshape(3, 1)),
    lambda h, w: h.T.fill_(w[0]),                        # through a transposed view of a C-ordered buffer
    lambda h, w: h.T[1:].zero_(),
], ids=["setitem", "copy_", "T.fill_", "T-slice.zero_"])
def test_put_based_ops_write_into_transposed_memory(write):
    W, w = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True), leaf(7, 8, 9)
    h = W.T * 2.0
    expected = Tensor(h.data)                             # a C-ordered copy
    write(expected, Tensor(w.data))                       # the same write, unrecorded (no gradient involved)
    write(h, w)
    np.testing.assert_array_equal(h.data, expected.data)


def test_no_grad_view_of_a_leaf_cannot_change_it_in_grad_mode():
    w = leaf(1, 2, 3)
    with ag.no_grad():
        v = w[0:2]
    with pytest.raises(RuntimeError, match=r"\+=.*leaf"):       # as PyTorch, and as inplace.py's docstring says
        v += 1.0
    np.testing.assert_array_equal(w.data, [1, 2, 3])


@pytest.mark.parametrize("write", [lambda X, w: X.__setitem__(0, w[0]), lambda X, w: X.copy_(w),
                                   lambda X, w: X.fill_(w[1])], ids=["setitem", "copy_", "fill_"])
def test_float_with_gradient_into_an_int_buffer_is_refused_or_cuts_the_graph(write):
    X, w = Tensor(np.zeros(3, dtype=np.int64)), leaf(1.7, 2.2, 3.9)
    try:
        write(X, w)
    except TypeError as e:                                          # like += does
        assert "int64" in str(e)
        return
    assert not X.requires_grad and X.dtype == np.int64             # PyTorch: the copy is a constant


def test_fill_with_a_multi_element_tensor_is_refused():
    with pytest.raises((ValueError, RuntimeError), match="fill_"):
        Tensor(np.zeros(3)).fill_(Tensor([1.0, 2.0, 3.0]))


# --- what behaved: integer buffers, empty tensors, array operands, long chains ------------------------------------
@pytest.mark.parametrize("change, result", [
    (lambda X: X.__iadd__(2), [3, 4, 5]),
    (lambda X: X.__imul__(np.array([1, 0, 2])), [1, 0, 6]),
    (lambda X: X.__setitem__(slice(0, 2), 7), [7, 7, 3]),
    (lambda X: X.fill_(4), [4, 4, 4]),
])
def test_integer_buffer_takes_integer_changes_as_plain_writes(change, result):
    X = Tensor(np.array([1, 2, 3]))
    change(X)
    assert X.dtype == np.int64 and not X.requires_grad
    np.testing.assert_array_equal(X.data, result)


@pytest.mark.parametrize("mode", [ag.enable_grad, ag.no_grad], ids=["grad mode", "no_grad"])  # no_grad: the optimizer's
@pytest.mark.parametrize("change", [lambda X, w: X.__iadd__(w), lambda X, w: X.__itruediv__(2),  # path for += -= *= /=
                                    lambda X, w: X.__isub__(0.5), lambda X, w: X.__imul__(np.float32(2)),
                                    lambda X, w: X.mul_(w[0])],
                         ids=["+= float grad", "/= 2", "-= 0.5", "*= f32", "mul_"])
def test_integer_buffer_refuses_float_results(change, mode):
    X = Tensor(np.array([1, 2, 3]))
    with mode(), pytest.raises(TypeError):
        change(X, leaf(1, 2, 3))
    np.testing.assert_array_equal(X.data, [1, 2, 3])
    assert X._version == 0                              # a refused change is no change


@pytest.mark.parametrize("mode", [ag.enable_grad, ag.no_grad], ids=["grad mode", "no_grad"])
@pytest.mark.parametrize("data, op, operand", [
    (np.float32([1, 2, 3]), operator.iadd, np.array([0.1, 0.2, 0.3])),        # a float64 operand: stays float32
    (np.float16([1, 2, 3]), operator.imul, 1e-3),
    (np.float32([1, 2, 3]), operator.itruediv, Tensor(np.float64(3.0))),
    (np.array([5, 6, 7]), operator.imul, np.int32(3)),
    (np.array([True, False, False]), operator.iadd, np.array([False, False, True])),   # logical or
    (np.array([True, False, True]), operator.imul, True),                              # logical and
    (np.array(2.5), operator.isub, np.array(1.0)),                            # 0-d stays a 0-d array
    (np.zeros((2, 3)), operator.iadd, np.array([1.0, 2.0, 3.0])),             # the operand broadcasts
], ids=["f32+=f64", "f16*=", "f32/=tensor", "int*=int32", "bool+=", "bool*=", "0-d", "broadcast"])
def test_arithmetic_without_gradients_keeps_the_dtype_and_matches_numpy(data, op, operand, mode):
    X, expected = Tensor(data), np.array(data)
    op(expected, operand.data if isinstance(operand, Tensor) else operand)   # numpy's own in-place op: the reference
    with mode():
        assert op(X, operand) is X
    assert type(X.data) is np.ndarray and X.dtype == data.dtype and X.data.flags.writeable
    np.testing.assert_array_equal(X.data, expected)
    assert X._version > 0


def test_arithmetic_with_an_operand_that_does_not_broadcast_changes_nothing():
    X = Tensor(np.zeros(3))
    with ag.no_grad(), pytest.raises(ValueError):
        X += np.ones((2, 3))
    np.testing.assert_array_equal(X.data, np.zeros(3))
    assert X._version == 0


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0)])
def test_in_place_on_empty_tensors_matches_the_out_of_place_form(shape):
    W = Tensor(np.zeros(shape), requires_grad=True)
    X = Tensor(np.ones(shape))
    X += W
    X *= W
    X[...] = W * 2
    X.mul_(W)
    (X.sum() + W.sum()).backward()
    assert X.shape == shape and W.grad.shape == shape


def _imul_tail(X, a):
    X[1:] *= a[1:]                                                  # getitem, *=, then item assignment


@pytest.mark.parametrize("change", [
    lambda X, a: X.__iadd__(a), lambda X, a: X.__imul__(a), lambda X, a: X.__itruediv__(a),
    lambda X, a: X[0:2].mul_(a[:2]), _imul_tail, lambda X, a: X.add_(a, alpha=3),
], ids=["+=", "*=", "/=", "view mul_", "X[1:] *= a[1:]", "add_ alpha"])
def test_array_operand_of_a_recorded_change_is_snapshotted(change):
    def run(scribble):
        w, a = leaf(1, 2, 3), np.array([2.0, 4.0, 8.0])
        X = w * 1.0
        change(X, a)
        if scribble:
            a[:] = 1e6                                              # a reused batch buffer
        (X * X).sum().backward()
        return w.grad
    np.testing.assert_array_equal(run(True), run(False))


def test_in_place_through_a_view_of_an_empty_non_leaf():
    W = Tensor(np.zeros((0, 3)), requires_grad=True)
    X = W * 1.0
    X[:1] += W[:1]
    X.sum().backward()
    assert W.grad.shape == (0, 3)


def test_hundred_thousand_in_place_changes_backward_without_recursion():
    X, w = Tensor(np.zeros(2)), leaf(1, 2)
    for _ in range(100_000):
        X += w
    X.sum().backward()
    np.testing.assert_array_equal(w.grad, [100_000, 100_000])


# --- parameter updates between forward and backward, on both engines ---------------------------------------------
X_BATCH, Y_BATCH = np.array([[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]]), np.array([0.3, -0.2, 1.0])


def _twins(seed=0):
    """A tensor MLP and its scalar twin holding the same weights."""
    mlp = nn.MLP(2, [3, 1], activation="tanh", rng=seed)
    return mlp, nn.scalar.MLP.from_tensor(mlp)


def _loss(model):
    if isinstance(model, nn.MLP):
        return ((model(Tensor(X_BATCH)).reshape(3) - Y_BATCH) ** 2).sum()
    return sum(((model(list(x))[0] - y) ** 2 for x, y in zip(X_BATCH, Y_BATCH)), ag.Value(0.0))


@pytest.mark.parametrize("make", [lambda p: nn.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01),
                                  lambda p: nn.optim.Adam(p, lr=0.05), lambda p: nn.optim.RMSprop(p, lr=0.01)],
                         ids=["SGD", "Adam", "RMSprop"])
def test_optimizers_move_scalar_and_tensor_twins_identically(make):
    models = _twins()
    opts = [make(m.parameters()) for m in models]
    for _ in range(4):
        for m, opt in zip(models, opts):
            opt.zero_grad()
            _loss(m).backward()
            opt.step()
    for (name, t), (_, s) in zip(models[0].state_dict().items(), models[1].state_dict().items()):
        np.testing.assert_allclose(np.asarray(s, dtype=float), t, rtol=1e-10, err_msg=name)


@pytest.mark.parametrize("engine", [0, 1], ids=["tensor", "scalar"])
@pytest.mark.parametrize("update", [
    lambda m: m.load_state_dict({k: np.asarray(v, dtype=float) * 2 for k, v in m.state_dict().items()}),
    lambda m: nn.optim.SGD(m.parameters(), lr=0.1).step(),
], ids=["load_state_dict", "optimizer step"])
def test_parameter_update_between_forward_and_backward_is_refused_at_backward(engine, update):
    model = _twins()[engine]
    loss = _loss(model)
    for p in model.parameters():                        # a gradient from an earlier pass, so step() moves them
        p.grad = np.ones(p.shape) if isinstance(p, Tensor) else 1.0
    update(model)
    with pytest.raises(RuntimeError, match=r"modified in place \(by (copy_|-=)\)"):
        loss.backward()


def test_step_without_a_backward_moves_only_the_scalar_twin_as_documented():
    """A Value always has a gradient (0.0 after zero_grad), so step() applies weight decay to it; a tensor whose
    .grad is None is skipped, as in PyTorch (nn/optim.py's docstring says so)."""
    models = _twins()
    before = [np.asarray(v, dtype=float) for v in models[1].state_dict().values()]
    for m in models:
        opt = nn.optim.SGD(m.parameters(), lr=0.1, weight_decay=0.5)
        opt.zero_grad()
        opt.step()
    for b, t, s in zip(before, models[0].state_dict().values(), models[1].state_dict().values()):
        np.testing.assert_array_equal(t, b)                                  # tensor twin: skipped
        np.testing.assert_allclose(np.asarray(s, dtype=float), b * (1 - 0.1 * 0.5))   # scalar twin: decayed
