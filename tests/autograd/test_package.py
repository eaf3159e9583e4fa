"""The package's shape: what `import autograd` loads, and what it must not."""
import subprocess
import sys


def test_import_autograd_loads_neither_graphviz_nor_nn():
    code = ("import sys, autograd; print(sorted(m for m in ('graphviz', 'nn', 'autograd.viz', 'hypothesis') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_drawing_loads_on_first_use():
    code = "import sys, autograd; f = autograd.draw_graph; print(f.__module__, 'graphviz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["autograd.viz.dot", "True"]


def test_testing_strategies_without_hypothesis_name_the_extra():
    code = ("import sys; sys.modules['hypothesis'] = None\n"     # as if it were not installed
            "import autograd.testing as t\n"
            "assert t.check_all is not None               # the properties need only numpy\n"
            "try:\n    t.check_op\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'graphgrad[testing]'" in out
