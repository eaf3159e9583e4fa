"""The explorer's page in a real browser: stepping it shows the engine's numbers, step by step, and nothing else.

Each page is saved to a file and opened from file:// in headless Chromium (see conftest.py). Expected numbers
come from a normal backward() on the same graph, never from the page's own data.
"""
import json

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, explore
from autograd.viz import backward_order, forward_order

HOSTILE = ['</script><script>window.pwned=1</script>', '<img src=x onerror="window.pwned=1">']
LOCAL = ("file:", "data:", "about:")


def open_page(browser, path):
    browser.get_log("browser")                         # drain what earlier pages logged
    browser.get_log("performance")
    browser.get(path.as_uri())


def js(browser, expr):
    return browser.execute_script("return " + expr)


def assert_quiet(browser, loaded=True):
    """No console errors or warnings, and no request for anything but local files (`loaded`: a page was
    opened since the last check, so its own file request must be in the log)."""
    logged = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert not logged, logged
    ours, anywhere = [], []
    for entry in browser.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            url = msg["params"]["request"]["url"]
            anywhere.append(url)
            if msg["params"].get("documentURL", "").startswith("file:"):
                ours.append(url)
    assert (ours or not loaded) and all(u.startswith(LOCAL) for u in ours), ours   # what our pages asked for
    assert not [u for u in anywhere if not u.startswith(LOCAL + ("chrome:",))]   # nothing left the machine


def keys_by_node(loss, page_keys):
    """{id(node): its key in shown()}: page keys are listed in forward order."""
    return {id(n): k for n, k in zip(forward_order(loss), page_keys)}


# --- a scalar MLP ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scalar_page(browser, tmp_path_factory):
    model = nn.scalar.MLP(2, [3, 1], activation="tanh", rng=1)
    x = [Value(0.5, label="x0"), Value(-1.5, label="x1")]
    loss = (model(x)[0] - 1.0) ** 2
    loss.label = "loss"
    path = explore(loss, model=model).save(tmp_path_factory.mktemp("scalar") / "scalar.html")
    open_page(browser, path)
    keys = js(browser, "Object.keys(graphgrad.shown())")
    loss.backward()                                   # the engine's own numbers, to compare with
    return loss, x, keys_by_node(loss, keys)


def test_scalar_forward_shows_each_output_in_order(browser, scalar_page):
    loss, _, key = scalar_page
    nodes = forward_order(loss)
    shown = js(browser, "graphgrad.shown()") if js(browser, "graphgrad.reset()") == 0 else None
    assert all((shown[key[id(n)]]["data"] is None) == bool(n._parents) for n in nodes)
    ops = [n for n in nodes if n._parents]
    assert js(browser, "graphgrad.forwardSteps()") == len(ops)
    for k, op in enumerate(ops, 1):
        shown = js(browser, f"graphgrad.goto({k}) && graphgrad.shown()")
        assert shown[key[id(op)]]["data"] == op.data
        assert all(v["grad"] is None for v in shown.values())
    assert all(shown[key[id(n)]]["data"] == n.data for n in nodes)


def test_scalar_backward_ends_at_every_grad_and_accumulates_term_by_term(browser, scalar_page):
    loss, x, key = scalar_page
    forward = js(browser, "graphgrad.forwardSteps()")
    total = js(browser, "graphgrad.steps()")
    ops = [n for n in backward_order(loss) if n._parents]
    assert total - forward == len(ops)                # one step per vjp call
    # x0 feeds one product per hidden unit: its gradient gains w * (that product's grad) at each, in engine order
    terms = [op.grad * (op._parents[0].data if op._parents[1] is x[0] else op._parents[1].data)
             for op in ops if any(p is x[0] for p in op._parents)]
    expected = [None] + list(np.cumsum(terms))
    seen = [None]
    js(browser, f"graphgrad.goto({forward})")
    for _ in range(total - forward):
        g = js(browser, "graphgrad.step(1) && graphgrad.shown()['x0'].grad")
        if g != seen[-1]:
            seen.append(g)
    assert len(terms) == 3 and seen == expected       # null, then partial sums, then the full gradient
    shown = js(browser, "graphgrad.shown()")
    for n in forward_order(loss):                     # constants (1.0 in `- 1.0`, the exponent) show no gradient
        assert shown[key[id(n)]]["grad"] == (n.grad if n.requires_grad else None), key[id(n)]
    assert js(browser, "graphgrad.back(2)") == total - 2 and js(browser, "graphgrad.shown()")["loss"]["grad"] == 1
    assert_quiet(browser)


def test_controls_and_keys_step_the_page(browser, scalar_page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    js(browser, "graphgrad.reset()")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert js(browser, "graphgrad.position()") == 2
    browser.find_element(By.ID, "gg-next").click()
    browser.find_element(By.ID, "gg-back").click()
    browser.find_element(By.ID, "gg-next").click()
    assert js(browser, "graphgrad.position()") == 3
    browser.find_element(By.ID, "gg-end").click()
    assert js(browser, "graphgrad.position()") == js(browser, "graphgrad.steps()")
    assert "complete" in js(browser, "graphgrad.explained()")
    browser.find_element(By.CSS_SELECTOR, "#gg-graph g.node").click()        # a node opens in the inspector
    assert "Inspect:" in js(browser, "graphgrad.inspected()")
    with pytest.raises(Exception, match="numbered 0 to"):
        js(browser, "graphgrad.goto(100000)")
    browser.get_log("browser")                        # (the RangeError just thrown is logged)
    assert_quiet(browser, loaded=False)


# --- a tensor MLP with L2: every parameter gets three terms -------------------------------------
def test_tensor_mlp_steps_to_the_engines_gradients(browser, tmp_path):
    X, y = nn.data.toy.spiral(6, 3, seed=0)
    model = nn.MLP(2, [8, 3], rng=3)
    reg = 0.125
    loss = nn.F.cross_entropy(model(Tensor(X, label="X")), y) + reg * nn.F.l2_penalty(model.parameters())
    loss.label = "loss"
    open_page(browser, explore(loss, model=model).save(tmp_path / "tensor.html"))
    forward, total = js(browser, "graphgrad.forwardSteps()"), js(browser, "graphgrad.steps()")
    W = model.layers[0].W
    js(browser, f"graphgrad.goto({forward})")
    seen, told = [None], []
    for _ in range(total - forward):
        g = js(browser, "graphgrad.step(1) && graphgrad.shown()['layers.0.W'].grad")
        if g != seen[-1]:
            seen.append(g)
            told.append(js(browser, "graphgrad.explained()"))
    shown = js(browser, "graphgrad.shown()")
    # the engine's stack runs the L2 branch first (backward_order says so): one step of W * W sends reg*W twice
    users = [op._op for op in backward_order(loss) if any(p is W for p in op._parents)]
    loss.backward()
    for name, p in model.named_parameters():
        assert np.array_equal(np.array(shown[name]["grad"]), p.grad), name
        assert np.array_equal(np.array(shown[name]["data"]), p.data), name
    assert users == ["mul", "linear"]
    assert seen[0] is None and len(seen) == 3
    assert np.array_equal(seen[1], 2 * reg * W.data) and np.array_equal(seen[2], W.grad)
    assert "term 1 of 3, 2 more to come" in told[0] and "term 2 of 3, 1 more to come" in told[0]
    assert "term 3 of 3: complete" in told[1] and "+ term 3 from linear" in told[1]
    assert_quiet(browser)


# --- untrusted labels, and the notebook's iframe ----------------------------------------------------
def hostile_graph():
    a, b = Value(1.5, label=HOSTILE[0]), Value(-2.0, label=HOSTILE[1])
    out = (a * b).tanh()
    out.label = HOSTILE[0] + HOSTILE[1]
    return out


def test_hostile_labels_are_shown_as_text_and_never_run(browser, tmp_path):
    open_page(browser, explore(hostile_graph()).save(tmp_path / "hostile.html"))
    js(browser, "graphgrad.goto(graphgrad.steps())")
    assert js(browser, "typeof window.pwned") == "undefined"
    assert js(browser, "document.querySelectorAll('img').length") == 0
    assert js(browser, "document.scripts.length") == 2
    texts = js(browser, "Array.from(document.querySelectorAll('#gg-graph text')).map(t => t.textContent)")
    assert HOSTILE[0] in texts and HOSTILE[1] in texts
    shown = js(browser, "graphgrad.shown()")
    assert set(HOSTILE) <= set(shown)
    js(browser, f"graphgrad.inspect({json.dumps(HOSTILE[1])})")
    assert HOSTILE[1] in js(browser, "graphgrad.inspected()")
    assert HOSTILE[0] in js(browser, "graphgrad.explained()") or HOSTILE[1] in js(browser, "graphgrad.explained()")
    assert js(browser, "typeof window.pwned") == "undefined"
    assert_quiet(browser)


def test_repr_html_runs_sandboxed_in_its_iframe(browser, tmp_path):
    from selenium.webdriver.common.by import By
    e = explore(hostile_graph())
    host = tmp_path / "notebook.html"
    host.write_text(f"<!DOCTYPE html><html><body><p>a notebook</p>{e._repr_html_()}</body></html>", encoding="utf-8")
    open_page(browser, host)
    assert js(browser, "typeof window.graphgrad") == "undefined"
    browser.switch_to.frame(browser.find_element(By.TAG_NAME, "iframe"))
    try:
        assert js(browser, "graphgrad.goto(graphgrad.steps())") == e.steps
        assert js(browser, "(function () { try { return window.parent.document.body ? 'reached' : 'none'; } "
                           "catch (err) { return 'blocked'; } })()") == "blocked"
        assert js(browser, "typeof window.pwned") == "undefined"
    finally:
        browser.switch_to.default_content()
    assert js(browser, "typeof window.pwned") == "undefined"
