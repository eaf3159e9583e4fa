"""Regenerate docs/images/explorer.png: the explorer on a 2-4-1 scalar MLP, mid-way through backward.

    python docs/images/make_explorer_image.py        (needs selenium, /usr/bin/chromium and chromedriver)
"""
import tempfile
from pathlib import Path

import nn
from autograd import Value, explore

HERE = Path(__file__).parent


def page(folder):
    model = nn.scalar.MLP(2, [4, 1], activation="tanh", rng=1)
    x = [Value(0.5, label="x0"), Value(-1.5, label="x1")]
    loss = (model(x)[0] - 1.0) ** 2
    loss.label = "loss"
    return explore(loss, model=model, fmt=".3g").save(Path(folder) / "explorer.html")


def main():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    with tempfile.TemporaryDirectory() as folder:
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1400,820", "--hide-scrollbars", f"--user-data-dir={folder}/profile"]:
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            driver.get(page(folder).as_uri())
            # the step where x0 receives its second of four gradient terms
            driver.execute_script("""
                graphgrad.goto(graphgrad.forwardSteps());
                while (!/x0\\.grad = .* \\(term 2 of 4/.test(graphgrad.explained())) { graphgrad.step(1); }
                graphgrad.inspect('layers.0.W[0,1]');""")
            driver.save_screenshot(str(HERE / "explorer.png"))
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
