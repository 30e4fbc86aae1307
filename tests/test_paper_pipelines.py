"""pipelines.table1 and pipelines.figures run as a user runs them (small settings)."""
import numpy as np
import pandas as pd
import pytest

from pipelines import figures, table1

from .conftest import shared_folder


def _png_ok(path, min_bytes=10_000):
    from PIL import Image

    assert path.stat().st_size > min_bytes, path
    with Image.open(path) as im:
        pixels = np.asarray(im.convert("RGB"))
    assert pixels.std() > 5, f"{path} looks blank"


def test_table1_quick(tmp_path, capsys):
    folder = shared_folder("opencountry-64")
    out = tmp_path / "paper"
    table1.main(["--data", str(folder), "--out", str(out), "--quick", "--limit", "30",
                 "--iterations", "3000"])
    table = pd.read_csv(out / "table1.csv")
    assert table["nodes"].tolist() == [9, 25, 100, 400]
    assert table["shape"].tolist() == ["3x3", "5x5", "10x10", "20x20"]
    assert table["paper_quantization_error"].tolist() == [0.621739, 0.4585945, 0.19889, 0.100954]
    assert (table["n_pixels"] == 30 * 300).all() and (table["iterations"] == 3000).all()
    for col in ["quantization_error", "qe_per_variable", "qe_uv", "kmeans_qe",
                "topographic_error", "fit_time_s"]:
        assert table[col].notna().all() and (table[col] >= 0).all(), col
    qe = table["quantization_error"]
    assert qe.iloc[0] > qe.iloc[-1] > 0
    # k-means has no neighbourhood constraint: never much worse than the map
    assert (table["kmeans_qe"] <= qe * 1.05).all()
    assert table["units_note"].str.contains("sompy").all()
    _png_ok(out / "table1.png")
    printed = capsys.readouterr().out
    assert "sompy" in printed and str(out.resolve()) in printed
    # a second run refuses to overwrite, in one line
    with pytest.raises(SystemExit, match="exists.*--overwrite"):
        table1.main(["--data", str(folder), "--out", str(out), "--quick", "--limit", "30",
                     "--iterations", "3000"])


def test_table1_names_a_missing_folder(tmp_path):
    with pytest.raises(SystemExit, match="table1: data folder not found: .*nope"):
        table1.main(["--data", str(tmp_path / "nope"), "--out", str(tmp_path)])


def test_table1_rejects_bad_numbers(tmp_path):
    with pytest.raises(SystemExit, match="--pixels must be a positive"):
        table1.main(["--data", str(tmp_path), "--out", str(tmp_path), "--pixels", "0"])


def test_table1_sample_chroma_draws_per_image():
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (10, 10, 3), dtype=np.uint8) for _ in range(3)]
    assert table1.sample_chroma(images, 40).shape == (120, 2)
    assert table1.sample_chroma(images, 500).shape == (300, 2)  # small photos give all pixels


def test_figures_quick(tmp_path, capsys):
    folder = shared_folder("opencountry-64")
    out = tmp_path / "paper"
    figures.main(["--data", str(folder), "--out", str(out), "--quick", "--limit", "32",
                  "--n-show", "2"])
    for name in ["figure8_good_case.png", "figure9_bad_case.png", "figure10_predictions.png",
                 "codebook_9.png", "codebook_25.png", "codebook_100.png", "codebook_400.png"]:
        _png_ok(out / name)
    reduction = pd.read_csv(out / "color_reduction.csv")
    n_test = reduction["image"].nunique()
    assert 1 <= n_test < 32 and len(reduction) == 4 * n_test
    assert sorted(reduction["nodes"].unique()) == [9, 25, 100, 400]
    at9 = reduction[reduction["nodes"] == 9].set_index("image")["rmse_uv"]
    cases = reduction[reduction["case"].notna()].drop_duplicates("image").set_index("image")["case"]
    assert cases[at9.idxmin()].startswith("good") and cases[at9.idxmax()].startswith("bad")
    codebooks = pd.read_csv(out / "codebooks.csv")
    assert codebooks.groupby("nodes").size().to_dict() == {9: 9, 25: 25, 100: 100, 400: 400}
    metrics = pd.read_csv(out / "figure10_metrics.csv")
    assert set(metrics["method"]) == {"colorizer", "gray", "mean color"}
    assert metrics["image"].nunique() == n_test
    assert metrics.loc[metrics["shown"], "image"].nunique() == 2
    assert (metrics["decoder"] == "mode").all()
    # test photos only: none of them was used for training
    from nncolor.datasets import load_folder, split_by_name

    names = load_folder(folder, limit=32)[1]
    test_names = {names[i] for i in split_by_name(names)[1]}
    assert set(metrics["image"]) == test_names
    printed = capsys.readouterr().out
    assert f"good case (Fig. 8): {at9.idxmin()}" in printed


def test_figures_names_a_missing_folder(tmp_path):
    with pytest.raises(SystemExit, match="figures: data folder not found"):
        figures.main(["--data", str(tmp_path / "nope"), "--out", str(tmp_path)])


def test_figures_helpers():
    names = [f"n{i}" for i in range(10)]
    assert figures.evenly_spaced(names, 3) == ["n0", "n4", "n9"]  # first, middle, last
    assert figures.evenly_spaced(names[:2], 5) == ["n0", "n1"]
    reduction = pd.DataFrame({"image": ["a", "b", "c", "a", "b", "c"],
                              "nodes": [9, 9, 9, 25, 25, 25],
                              "rmse_uv": [3.0, 1.0, 7.0, 0.5, 9.0, 2.0]})
    assert figures.pick_cases(reduction, 9) == ("b", "c")


def test_experiments_refuse_before_the_work(tmp_path, monkeypatch):
    (tmp_path / "table1.png").write_text("an earlier run")
    folder = shared_folder("opencountry-64")
    monkeypatch.setattr(table1, "load_folder", lambda *a, **k: pytest.fail("worked first"))
    with pytest.raises(SystemExit, match="table1.png exists"):
        table1.main(["--data", str(folder), "--out", str(tmp_path), "--quick"])
    assert (tmp_path / "table1.png").read_text() == "an earlier run"
