"""How long the explorer takes on a page near its 2,000-node default limit: building it, and stepping it.

    python benchmarks/bench_explore.py            # build times; stepping times too where Chromium is installed

Graphs: a scalar MLP's squared error on one example (every weight a node), and a deep tensor MLP with each
op drawn. Printed, never asserted: the page must step smoothly, and this is where to see whether it does.
"""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nn  # noqa: E402
from autograd import Tensor, Value, explore  # noqa: E402
from autograd.viz.explorer import capture, layout, page, timeline  # noqa: E402


def scalar_graph():
    model = nn.scalar.MLP(3, [17, 17, 1], activation="tanh", rng=0)
    loss = (model([Value(0.5), Value(-1.0), Value(2.0)])[0] - 1.0) ** 2
    return loss, model


def tensor_graph():
    model = nn.MLP(8, [16] * 330 + [3], rng=0)
    X, y = np.random.default_rng(0).standard_normal((32, 8)), np.arange(32) % 3
    return nn.F.cross_entropy(model(Tensor(X)), y), model


def parts(root, model):
    """Seconds of each part of explore(): walk and names, recorded pass, JSON data, Graphviz, page."""
    t = [time.perf_counter()]
    d = layout.Layout(root, model, None, ".4g")
    t.append(time.perf_counter())
    seed, steps, d.finals = capture.record(root, d.order)
    t.append(time.perf_counter())
    data = timeline.build(d, seed, steps, {}, ".4g")
    t.append(time.perf_counter())
    svg = layout.draw(d, "TB", False, "auto")
    t.append(time.perf_counter())
    html = page.build("bench", svg, data)
    t.append(time.perf_counter())
    drawn = sum(1 for n in d.order if id(n) not in d.folded) + sum(1 for n in d.order if n._parents)
    return drawn, np.diff(t), len(html)


def stepping(path):
    """(load, one step, replay from 0 to the end, back one step) seconds in headless Chromium, or None."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None
    if not (os.path.exists("/usr/bin/chromium") and os.path.exists("/usr/bin/chromedriver")):
        return None
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tempfile.mkdtemp()}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        t = time.perf_counter()
        driver.get(Path(path).as_uri())
        load = time.perf_counter() - t
        timed = ("const t = performance.now(); {}; return (performance.now() - t) / 1000;")
        total = driver.execute_script("return graphgrad.steps()")
        driver.execute_script("graphgrad.reset()")
        one = statistics.median(driver.execute_script(timed.format("graphgrad.step(1)")) for _ in range(50))
        replay = driver.execute_script(timed.format(f"graphgrad.goto({total})"))
        back = driver.execute_script(timed.format("graphgrad.back(1)"))
        return load, one, replay, back
    finally:
        driver.quit()


def main():
    for name, make in (("scalar MLP 3-17-17-1", scalar_graph), ("tensor MLP, 331 layers", tensor_graph)):
        root, model = make()
        t = time.perf_counter()
        page_ = explore(root, model=model, rankdir="TB", max_nodes=None)
        total = time.perf_counter() - t
        drawn, times, size = parts(root, model)
        print(f"{name}: {drawn} drawn nodes, {page_.steps} steps, page {size / 1e6:.2f} MB")
        print(f"  explore() {total:.2f} s: walk+names {times[0]:.3f}  recorded pass {times[1]:.3f}  "
              f"data {times[2]:.3f}  graphviz {times[3]:.2f}  page {times[4]:.3f}")
        with tempfile.TemporaryDirectory() as tmp:
            steps = stepping(page_.save(Path(tmp) / "page.html"))
        if steps is None:
            print("  stepping: skipped (needs selenium, /usr/bin/chromium and /usr/bin/chromedriver)")
        else:
            load, one, replay, back = steps
            print(f"  browser: load {load:.2f} s, one step {one * 1e3:.1f} ms, step 0 -> end {replay * 1e3:.0f} ms, "
                  f"back one step (replays from 0) {back * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
