"""Property-based gradient testing: check your own op in one line, `check_op(my_op)`.

Strategies (`arrays`, `broadcastable_shapes`, `matmul_shapes`, `axes`, `expressions`, `graphs`) and
`check_op` / `check_forward` need hypothesis and import it on first use; the `check_*` properties,
`assert_engines_agree` and `gradcheck` / `gradgradcheck` need only numpy.
"""
import importlib

_EXPORTS = {
    "properties": ["backward", "check_gradient", "check_grad_shapes", "check_seed_linearity", "check_adjoint",
                   "check_deterministic", "check_no_mutation", "check_no_shared_grads", "check_accumulates",
                   "check_all"],
    "invariance": ["REWRITES", "check_rewrite", "assert_engines_agree", "check_batch_gradient"],
    "strategies": ["DOMAINS", "elements", "arrays", "shapes", "broadcastable_shapes", "matmul_shapes", "axes",
                   "axis", "indices", "reshape_targets", "broadcast_targets", "concat_shapes"],
    "random_graphs": ["Graph", "expressions", "graphs", "SCALAR_OPS", "TENSOR_OPS"],
    "opcheck": ["check_op", "check_forward", "cases"],
    "..gradcheck": ["gradcheck", "gradgradcheck"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name):
    """Import the submodule that defines `name` on first use (hypothesis only for strategies and check_op)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'autograd.testing' has no attribute {name!r}")
    try:
        submodule = importlib.import_module(("." if not module.startswith(".") else "") + module, __name__)
    except ModuleNotFoundError as e:
        if e.name != "hypothesis":
            raise
        raise ImportError(f"autograd.testing.{name} needs hypothesis, which is not installed: "
                          "pip install 'graphgrad[testing]' (the check_* properties and gradcheck work without it)"
                          ) from None
    value = getattr(submodule, name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
