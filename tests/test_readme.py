"""The README's Python example runs as written (a newcomer copies it first)."""
import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_python_api_example_runs(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has no Python example"
    monkeypatch.chdir(tmp_path)  # it saves model.skops where it runs
    scope = {}
    exec(compile(blocks[0], "README.md", "exec"), scope)
    color, gray = scope["color"], scope["gray"]
    assert color.shape == gray.shape[:2] + (3,) and color.dtype == np.float32
    assert 0 <= color.min() and color.max() <= 1
    from nncolor import load_model

    again = load_model(tmp_path / "model.skops")
    np.testing.assert_array_equal(again.predict(gray), scope["col"].predict(gray))
