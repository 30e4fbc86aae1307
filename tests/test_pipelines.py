"""The demo and the notebooks run as a user runs them."""
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from pipelines import demo

ROOT = Path(__file__).resolve().parents[1]


def test_demo_writes_images_figure_and_metrics(tmp_path, capsys):
    demo.main(["--out", str(tmp_path), "--quick"])
    names = {p.name for p in tmp_path.iterdir()}
    assert {"coffee_colorized.png", "flower_colorized.png", "camera_colorized.png",
            "comparison.png", "metrics.csv"} <= names
    table = pd.read_csv(tmp_path / "metrics.csv")
    assert set(table["method"]) == {"colorizer", "gray", "mean color"}
    assert str(tmp_path.resolve()) in capsys.readouterr().out
    # a second run refuses to overwrite, with one line, and leaves the files alone
    before = (tmp_path / "metrics.csv").read_bytes()
    with pytest.raises(SystemExit, match="exists"):
        demo.main(["--out", str(tmp_path), "--quick"])
    assert (tmp_path / "metrics.csv").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_executes(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
