"""What a new user meets first: start-up imports, help on mistakes, the shipped models,
the colour-input warning and the training verdict."""
import json
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from nncolor import cli
from nncolor.evaluation import WeakModelWarning, verdict
from nncolor.model_file import (
    DEFAULT_MODEL_PATH,
    load_model,
    resolve_model_path,
    shipped_models,
)
from nncolor.training import fit_and_evaluate

from .conftest import tiny_colorizer

OPTIONAL = ("torch", "dask", "distributed", "imageio", "imageio_ffmpeg", "cupy")


# ------------------------------------------------------------------ start-up
def test_starting_and_loading_import_no_optional_library():
    """Optional libraries cost seconds and hundreds of MB: start-up must not load them,
    installed or not (scikit-learn's array-API walk in skops used to import torch)."""
    code = (
        "import sys, json\n"
        "import nncolor\n"
        "from nncolor import cli\n"
        "cli.build_parser().parse_args(['colorize', 'x.png'])\n"
        "help_only = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('numpy', 'sklearn', 'scipy'))\n"
        "model = nncolor.load_model('default')\n"
        f"print(json.dumps(dict(help_only=help_only, optional=[m for m in {OPTIONAL!r} "
        "if m in sys.modules], numba='numba' in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["help_only"] == []  # the parser needs no NumPy or scikit-learn
    assert found["optional"] == []
    # numba's kernels load when an image needs them (the MRF, images over 4 MP), not before
    assert not found["numba"]


def test_the_skops_import_keeps_the_estimator_allow_list(tmp_path):
    """Skipping sklearn's array-API backend packages must not change skops's trusted
    estimators: a fresh process with and without the masking agrees."""
    code = ("import sys, json\n{setup}\n"
            "from skops.io._trusted_types import SKLEARN_ESTIMATOR_TYPE_NAMES as n\n"
            "print(json.dumps(sorted(n)))\n")
    masked = subprocess.run(
        [sys.executable, "-c", code.format(
            setup="from nncolor.model_file import _import_skops; _import_skops()")],
        capture_output=True, text=True, timeout=300, check=True)
    plain = subprocess.run([sys.executable, "-c", code.format(setup="")],
                           capture_output=True, text=True, timeout=300, check=True)
    assert json.loads(masked.stdout) == json.loads(plain.stdout)
    assert "sklearn.neural_network._multilayer_perceptron.MLPClassifier" in \
        json.loads(masked.stdout)


# --------------------------------------------------------------- suggestions
@pytest.mark.parametrize("argv, hint", [
    (["colorise", "x.png"], "did you mean 'colorize'?"),
    (["colorize", "x.png", "--ouput", "out"], "did you mean --output?"),
    (["colorize", "x.png", "--decoder", "anealed"], "did you mean 'annealed'?"),
    (["train", "x", "-o", "m.skops", "--som-shpae", "3x3"], "did you mean --som-shape?"),
])
def test_mistakes_get_the_nearest_valid_word(argv, hint, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert hint in err
    if argv[0] == "colorize":  # the command's own usage, not the top-level one
        assert "usage: nncolor colorize" in err


def test_an_unknown_option_far_from_any_gets_no_guess(capsys):
    with pytest.raises(SystemExit):
        cli.main(["colorize", "x.png", "--zzzzzzzz"])
    err = capsys.readouterr().err
    assert "unrecognized arguments: --zzzzzzzz" in err and "did you mean" not in err


def test_an_unknown_model_names_the_shipped_ones(tmp_path, capsys):
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / "g.png")
    status = cli.main(["colorize", str(tmp_path / "g.png"), "-o", str(tmp_path / "out"),
                       "--model", "default.skops", "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 1 and len(err) == 1, err
    assert "model file not found: default.skops" in err[0]
    assert "the models that ship with nncolor are default" in err[0]
    assert "did you mean default?" in err[0]
    with pytest.raises(FileNotFoundError, match="did you mean default"):
        load_model("defualt")
    with pytest.raises(FileNotFoundError, match="did you mean default"):
        load_model("DEFAULT")  # a shipped name typed in capitals


# ------------------------------------------------------------ shipped models
def test_shipped_models_are_the_skops_files_by_stem(tmp_path, monkeypatch):
    from nncolor import model_file

    assert shipped_models()["default"] == DEFAULT_MODEL_PATH
    assert resolve_model_path("default") == DEFAULT_MODEL_PATH
    # a new model dropped into the folder is a name at once
    shutil.copy(DEFAULT_MODEL_PATH, tmp_path / "default.skops")
    shutil.copy(DEFAULT_MODEL_PATH, tmp_path / "people.skops")
    monkeypatch.setattr(model_file, "MODELS_DIR", tmp_path)
    assert list(shipped_models()) == ["default", "people"]
    assert load_model("people").n_colors_ == load_model("default").n_colors_


def test_info_without_a_model_lists_the_shipped_ones(capsys):
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in out[1:]]
    assert [row[0] for row in rows] == list(shipped_models())
    assert all(row[2] == "KiB" for row in rows)
    assert "held-out PSNR" in out[1]  # the line made from the card
    assert cli.main(["info", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert set(listed) == set(shipped_models())


@pytest.mark.parametrize("measured, held_out, note", [
    (2, 3, "over 2 of the 3 held-out photos"), (3, 3, None)])
def test_a_card_says_how_many_held_out_photos_it_measured(fitted, photos, tmp_path, capsys,
                                                           measured, held_out, note):
    from nncolor.card import make_card
    from nncolor.evaluation import evaluate
    from nncolor.model_file import save_model

    table = evaluate(fitted, photos[:measured], [f"p{i}" for i in range(measured)])
    card = make_card(fitted, sources={"photos/": 5}, n_photos=5 - held_out, held_out=table,
                     split={"by": "name", "test_size": 0.5, "seed": 0, "n_train": 5 - held_out,
                            "n_test": held_out})
    save_model(fitted, tmp_path / "m.skops", card=card)
    assert cli.main(["info", str(tmp_path / "m.skops")]) == 0
    out = capsys.readouterr().out
    assert "photos/ (5 photos, train and held out)" in out
    heading = next(line for line in out.splitlines() if line.startswith("held-out metrics"))
    assert heading == ("held-out metrics (means per photo"
                       + (f", {note}" if note else "") + "):")


def test_an_old_card_without_split_counts_and_the_per_folder_line(fitted, photos, tmp_path,
                                                                   capsys):
    """A card from before the split was counted prints no counts it lacks; per-folder
    figures print as one line of gains over gray."""
    from nncolor.card import held_out_figures, make_card
    from nncolor.evaluation import evaluate
    from nncolor.model_file import save_model

    table = evaluate(fitted, photos[:2], ["p0", "p1"])
    table.insert(0, "folder", ["here"] * 3 + ["there"] * 3)  # three methods per photo
    card = {**make_card(fitted, split={"by": "name, per folder", "test_size": 0.5, "seed": 0}),
            **held_out_figures(table)}
    save_model(fitted, tmp_path / "old.skops", card=card)
    assert cli.main(["info", str(tmp_path / "old.skops")]) == 0
    out = capsys.readouterr().out
    assert "test size 0.5, seed 0\n" in out  # not ": None train / None held out"
    gains = {folder: rows["colorizer"]["psnr"] - rows["gray"]["psnr"]
             for folder, rows in card["held_out_by_folder"].items()}
    assert (f"per folder: here {gains['here']:+.2f} dB (1 photos), "
            f"there {gains['there']:+.2f} dB (1 photos)") in out


# ------------------------------------------------------ colour input warning
@pytest.fixture(scope="module")
def inputs(tmp_path_factory, photos):
    folder = tmp_path_factory.mktemp("inputs")
    Image.fromarray(photos[0]).save(folder / "color.png")
    gray = photos[0].mean(-1).astype(np.uint8)
    Image.fromarray(gray).save(folder / "gray.png")
    Image.fromarray(np.dstack([gray] * 3)).save(folder / "gray_as_rgb.jpg", quality=80)
    return folder


def _colorize(folder, name, out, *extra):
    return cli.main(["colorize", str(folder / name), "-o", str(out), *extra])


def test_a_color_input_gets_one_warning_line(inputs, tmp_path, capsys):
    assert _colorize(inputs, "color.png", tmp_path / "a") == 0
    err = capsys.readouterr().err
    warned = [line for line in err.splitlines() if "warning" in line]
    assert len(warned) == 1, err
    assert "color.png is a color image" in warned[0]
    assert "its colors are replaced by the colorizer's" in warned[0]


def test_gray_inputs_and_quiet_runs_get_no_color_warning(inputs, tmp_path, capsys):
    for name in ("gray.png", "gray_as_rgb.jpg"):  # an RGB JPEG of a gray photo is gray
        assert _colorize(inputs, name, tmp_path / name) == 0
        assert "color image" not in capsys.readouterr().err
    assert _colorize(inputs, "color.png", tmp_path / "q", "--quiet") == 0
    assert "color image" not in capsys.readouterr().err


# ------------------------------------------------------------------- verdict
def _table(ours, gray, mean, n=3):
    rows = []
    for i in range(n):
        for method, value in (("colorizer", ours), ("gray", gray), ("mean color", mean)):
            rows.append({"image": f"p{i}", "method": method, "psnr": value})
    return pd.DataFrame(rows)


def test_verdict_lines():
    better, line = verdict(_table(21.5, 20.3, 20.5, n=12))
    assert better
    assert line.startswith("better than gray by 1.20 dB on 12 held-out photos")
    barely, line = verdict(_table(19.91, 19.81, 19.5))
    assert not barely and line.startswith("only 0.10 dB better than gray on 3 held-out")
    worse, line = verdict(_table(19.0, 19.81, 19.9))
    assert not worse and line.startswith("not better than mean color on 3 held-out photos")


def test_training_shows_progress_and_a_verdict(photos, capsys):
    names = [f"photo{i}" for i in range(len(photos))]
    colorizer = tiny_colorizer(max_iter=5, decay_epochs=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        held_out, info = fit_and_evaluate(colorizer, photos, names, test_size=2,
                                          verbose=True)
    err = capsys.readouterr().err
    assert "SOM codebook (3x3, 300 steps)" in err
    assert "sampled patches and SOM codebook done" in err
    # the decayed phase counts on from the first (scikit-learn numbers it from 1 again)
    assert "then the classifier (at most 8 epochs)" in err
    assert "classifier: 8 epochs (the limit)" in err
    assert info["verdict"] == verdict(held_out)[1]
    weak = [w for w in caught if issubclass(w.category, WeakModelWarning)]
    if info["better"]:
        assert info["verdict"] in err and not weak
    else:
        assert [str(w.message) for w in weak] == [info["verdict"]]
    assert colorizer.classifier.verbose is False  # the model does not keep printing
    assert colorizer.classifier_.verbose is False


def test_an_early_stop_is_one_line_of_ours_not_scikit_learns(photos, capsys):
    names = [f"photo{i}" for i in range(len(photos))]
    colorizer = tiny_colorizer(early_stopping=True, max_iter=500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit_and_evaluate(colorizer, photos, names, test_size=2, verbose=True)
    captured = capsys.readouterr()
    assert captured.out == ""  # scikit-learn prints "... did not improve ... Stopping." there
    assert colorizer.classifier_.n_iter_ < 500  # else the test checks nothing
    fitted = colorizer.classifier_
    ended = [line for line in captured.err.splitlines() if "classifier: " in line]
    assert len(ended) == 1 and ended[0].startswith(
        f"nncolor: classifier: {fitted.n_iter_} epochs (stopped early: the validation score "
        f"did not improve for {fitted.n_iter_no_change} epochs), final loss "), ended
    assert "\r" not in captured.err  # no bar: capsys is no terminal


def test_the_adaptive_sgd_rate_change_is_no_stop(photos, capsys):
    # scikit-learn's SGD solver says "did not improve ... Setting learning rate to" and goes on
    from sklearn.neural_network import MLPClassifier

    from nncolor.progress import fit_progress

    colorizer = tiny_colorizer(max_iter=30)
    colorizer.set_params(classifier=MLPClassifier(
        hidden_layer_sizes=(4,), solver="sgd", learning_rate="adaptive", tol=10.0,
        n_iter_no_change=1, max_iter=30, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with fit_progress(colorizer, 4):
            colorizer.fit(photos[:4])
    captured = capsys.readouterr()
    assert "Setting learning rate to" in captured.out  # passed on, as any other text
    assert "stopped early" not in captured.err


def test_the_epoch_bar_shows_on_a_terminal_only(photos):
    import io

    from nncolor.progress import fit_progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for stream, bar in ((Terminal(), True), (io.StringIO(), False)):
        colorizer = tiny_colorizer(max_iter=4)
        with fit_progress(colorizer, 4, file=stream):
            colorizer.fit(photos[:4])
        text = stream.getvalue()
        # epochs this short redraw it only at the start (tqdm's mininterval)
        # 4 epochs at the rate and 3 decayed, on one bar
        assert ("\r" in text and "/7 [" in text and "epoch/s" in text) == bar, text
        assert "classifier: 7 epochs (the limit)" in text



def test_the_epoch_bar_shows_in_a_notebook(photos, monkeypatch):
    # a Jupyter kernel's stderr is no terminal, but its output area draws the bar in place
    import io
    import types

    from nncolor.progress import fit_progress

    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    stream = io.StringIO()
    colorizer = tiny_colorizer(max_iter=4)
    with fit_progress(colorizer, 4, file=stream):
        colorizer.fit(photos[:4])
    assert "\r" in stream.getvalue() and "/7 [" in stream.getvalue()


def test_every_install_hint_is_quoted_for_every_shell():
    """``pip install nncolor[web]`` fails in zsh (a glob); ``'nncolor[web]'`` works."""
    import re
    from pathlib import Path

    import nncolor

    package = Path(nncolor.__file__).parent
    sources = {path: path.read_text() for path in package.rglob("*.py")}
    hints = [(path.name, hint) for path, text in sources.items()
             for hint in re.findall(r"pip\s+install\s+\S*nncolor\[", text)]
    assert hints and all(hint.endswith("'nncolor[") for _, hint in hints), hints


def test_training_is_silent_unless_verbose(photos, capsys):
    names = [f"photo{i}" for i in range(len(photos))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit_and_evaluate(tiny_colorizer(max_iter=3), photos, names, test_size=2)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
