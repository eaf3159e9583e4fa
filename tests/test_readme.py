"""The README's Python examples run as written, in order, in one namespace (as a reader pastes them).

A block whose first line is `# needs: a b c` uses optional packages: it runs on its own, after the others, and is
skipped (with the packages named, so CI's GRAPHGRAD_REQUIRE_OPTIONAL turns the skip into a failure) without them.
"""
import importlib.util
import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
NEEDS = re.compile(r"#\s*needs:\s*(.+)")


def _needs(block):
    match = NEEDS.match(block.strip().splitlines()[0])
    return match.group(1).split() if match else []


PLAIN = [b for b in BLOCKS if not _needs(b)]
OPTIONAL = [b for b in BLOCKS if _needs(b)]


def _run(block, i, namespace):
    first_line = block.strip().splitlines()[0]
    try:
        exec(compile(block, f"README block {i} ({first_line})", "exec"), namespace)
    except Exception as e:                        # name the block, keep the original traceback
        raise AssertionError(f"README block {i} starting {first_line!r} failed: {e!r}") from e


def test_readme_has_examples():
    assert len(PLAIN) >= 8 and OPTIONAL


def test_readme_blocks_run_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                       # blocks that save files write them here
    namespace = {"__name__": "readme"}
    for i, block in enumerate(PLAIN):
        _run(block, i, namespace)


@pytest.mark.parametrize("block", OPTIONAL, ids=[" ".join(_needs(b)) for b in OPTIONAL])
def test_readme_optional_blocks_run(block, tmp_path, monkeypatch):
    missing = [name for name in _needs(block) if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"README block needs {', '.join(missing)}")
    monkeypatch.chdir(tmp_path)
    _run(block, BLOCKS.index(block), {"__name__": "readme"})
