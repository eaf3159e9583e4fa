"""The README's Python examples run as written, in order, in one namespace (as a reader pastes them)."""
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 8


def test_readme_blocks_run_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                       # blocks that save files write them here
    namespace = {"__name__": "readme"}
    for i, block in enumerate(BLOCKS):
        first_line = block.strip().splitlines()[0]
        try:
            exec(compile(block, f"README block {i} ({first_line})", "exec"), namespace)
        except Exception as e:                        # name the block, keep the original traceback
            raise AssertionError(f"README block {i} starting {first_line!r} failed: {e!r}") from e
