"""The `nncolor` command line, run as a user runs it: the console script in a subprocess.

A tiny model is trained once for the module (about a second); the shipped default model is
used where the point is that no training is needed. Images are made here with numpy, PIL
and skimage.data. `--help` and the simulated interruptions run in-process (no subprocess
needed to see them, and the interruption needs a monkeypatch).
"""
import io
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageOps
from skimage import data

from nncolor import cli
from nncolor.color import lightness
from nncolor.io import read_image
from nncolor.card import make_card
from nncolor.model_file import load_model, save_model

from .conftest import small, tiny_colorizer

FAST = ["--patch-size", "3", "--hidden", "8", "--n-samples", "100", "--max-iter", "5",
        "--som-iterations", "200"]


def nncolor(*args, cwd=None):
    """Run ``python -m nncolor ARGS``; the completed process (text output)."""
    return subprocess.run([sys.executable, "-m", "nncolor", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False)


def one_line_error(result, *words):
    """Exit status 1, no traceback, and an error line naming each of ``words``."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors, result.stderr
    assert any(all(w in line for w in words) for line in errors), result.stderr


def png_bit_depth(path):
    """Bits per sample from a PNG's IHDR chunk (byte 24), read without an image library."""
    return Path(path).read_bytes()[24]


@pytest.fixture(scope="module")
def model(tmp_path_factory, photos):
    col = tiny_colorizer().fit(photos[:4])
    path = tmp_path_factory.mktemp("model") / "tiny.skops"
    return save_model(col, path, make_card(col, sources={"photos": 4}, n_photos=4))


@pytest.fixture(scope="module")
def color_folder(tmp_path_factory, photos):
    folder = tmp_path_factory.mktemp("color")
    for i, im in enumerate(photos):
        Image.fromarray(im).save(folder / f"photo{i}.png")
    return folder


def gray8():
    return data.camera()[::8, ::8]  # 64 x 64 uint8


def rotated_jpeg(path):
    """A 40-wide, 24-high JPEG with EXIF orientation 6: shown 24 wide and 40 high."""
    stored = np.full((24, 40), 40, np.uint8)
    stored[:8, :10] = 220  # a bright corner shows where the top-left went
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(stored).save(path, exif=exif, quality=95)


@pytest.fixture(scope="module")
def batch(tmp_path_factory, model):
    """One batch: 8-bit PNG, 16-bit PNG, EXIF-rotated JPEG and a file that is no image."""
    src = tmp_path_factory.mktemp("batch")
    Image.fromarray(gray8()).save(src / "gray8.png")
    Image.fromarray(gray8().astype(np.uint16) * 257).save(src / "gray16.png")
    rotated_jpeg(src / "rotated.jpg")
    (src / "broken.jpg").write_text("not an image")
    out = src / "out"
    result = nncolor("colorize", src, "-o", out, "--model", model, "-j", "2")
    return src, out, result


# ------------------------------------------------------------------ the script
def test_console_script_is_installed():
    script = Path(sys.executable).parent / "nncolor"
    assert script.is_file()
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0 and result.stdout.startswith("nncolor ")


@pytest.mark.parametrize("command", [None, "colorize", "train", "evaluate", "grid", "info",
                                     "video"])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main([command, "--help"] if command else ["--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: nncolor")
    assert "example:" in text or command is None


@pytest.mark.parametrize("argv", [["colorize", "--help"], ["video", "--help"],
                                  ["evaluate", "--help"], ["info", "--help"]])
def test_model_help_names_the_shipped_models_and_the_file_types(argv, capsys):
    from nncolor.model_file import shipped_models

    with pytest.raises(SystemExit):
        cli.main(argv)
    text = " ".join(capsys.readouterr().out.split())
    assert list(shipped_models())  # else the test would check nothing
    assert f"a shipped model ({', '.join(shipped_models())};" in text
    assert ".skops/.joblib file" in text


def test_bad_option_values_are_usage_errors(capsys):
    for argv in (["train", "x", "-o", "m.joblib", "--som-shape", "3by3"],
                 ["train", "x", "-o", "m.joblib", "--patch-size", "4"],
                 ["train", "x", "-o", "m.joblib", "--chroma-scale", "1.5"],
                 ["colorize", "x", "-j", "0"], ["grid", "x", "-o", "g", "--cv", "1"]):
        with pytest.raises(SystemExit) as stop:
            cli.main(argv)
        assert stop.value.code == 2
        assert "expected" in capsys.readouterr().err


# ------------------------------------------------------------------- colorize
def test_colorize_batch_writes_every_good_image(batch):
    _, out, result = batch
    assert sorted(p.name for p in out.iterdir()) == [
        "gray16_colorized.png", "gray8_colorized.png", "rotated_colorized.png"]
    # the bad file is named on one line, the rest are done, and the status says so
    one_line_error(result, "broken.jpg", "not an image")
    assert "1 of 4 images failed" in result.stderr
    assert f"colorized 3 of 4 images (into {out.as_posix()}/)" in result.stdout
    assert "\r" not in result.stderr and "colorizing" not in result.stderr  # no bar in a pipe


def only_line(result):
    """The one line on stderr of a command that failed with nothing on stdout."""
    assert result.returncode == 1 and result.stdout == "", (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and ": error: " in lines[0], result.stderr
    return lines[0]


def test_one_input_one_mistake_is_one_line(tmp_path, model):
    Image.fromarray(gray8()).save(tmp_path / "photo.png")
    (tmp_path / "photo_colorized.png").write_bytes(b"an earlier output")
    (tmp_path / "notes.png").write_text("not an image")
    (tmp_path / "empty").mkdir()
    for item, words in (("photo.png", ("photo_colorized.png", "--overwrite")),
                        ("notes.png", ("notes.png", "not an image")),
                        ("empty", ("no image files", "empty")),
                        ("missing.png", ("missing.png",))):
        line = only_line(nncolor("colorize", item, "-m", model, cwd=tmp_path))
        assert line.startswith("nncolor colorize: error: ") and all(w in line for w in words)
    line = only_line(nncolor("train", "empty", "-o", "m.skops", cwd=tmp_path))
    assert "no image files" in line and not (tmp_path / "m.skops").exists()
    # a folder holding only a sub-folder: the one line says why it was passed over
    (tmp_path / "by_kind" / "coast").mkdir(parents=True)
    Image.fromarray(gray8()).save(tmp_path / "by_kind" / "coast" / "a.png")
    line = only_line(nncolor("colorize", "by_kind", "-m", model, cwd=tmp_path))
    assert "no image files" in line and "--recursive" in line


def test_items_that_name_no_image_are_not_counted_as_images(tmp_path, model):
    Image.fromarray(gray8()).save(tmp_path / "photo.png")
    (tmp_path / "empty").mkdir()
    result = nncolor("colorize", "empty", "photo.png", "-o", "out", "-m", model, cwd=tmp_path)
    assert result.returncode == 1
    assert "colorized 1 of 1 images (into out/)" in result.stdout
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and "empty" in errors[0]
    assert result.stderr.splitlines()[-1] == "nncolor colorize: 1 input names no images"
    assert (tmp_path / "out" / "photo_colorized.png").is_file()


class Terminal(io.StringIO):
    """A text stream that says it is a terminal, as a person's stderr does."""

    def isatty(self):
        return True


@pytest.mark.parametrize("stream, flags, bars", [(Terminal, [], True),
                                                  (Terminal, ["-q"], False),
                                                  (io.StringIO, [], False)])
def test_progress_bars_only_on_a_terminal(stream, flags, bars, model, color_folder,
                                          monkeypatch):
    err = stream()
    monkeypatch.setattr(sys, "stderr", err)
    assert cli.main(["evaluate", str(model), str(color_folder), *flags]) == 0
    text = err.getvalue()
    assert ("reading: 100%" in text and "evaluating: 100%" in text and "\r" in text) == bars
    assert bars or text == ""


def test_colorize_keeps_bit_depth_and_size(batch):
    _, out, _ = batch
    assert png_bit_depth(out / "gray8_colorized.png") == 8
    assert png_bit_depth(out / "gray16_colorized.png") == 16
    deep = read_image(out / "gray16_colorized.png")
    assert deep.dtype == np.uint16 and deep.shape == (64, 64, 3)
    # 16 bits are used, not 8 bits scaled up
    assert np.any(deep % 257)
    # the lightness of the input is kept
    np.testing.assert_allclose(lightness(deep / 65535.0), lightness(gray8() / 255.0), atol=0.5)


def test_colorize_applies_exif_orientation(batch):
    src, out, _ = batch
    upright = np.asarray(ImageOps.exif_transpose(Image.open(src / "rotated.jpg")))
    result = read_image(out / "rotated_colorized.png")
    assert upright.shape == (40, 24) and result.shape == (40, 24, 3)
    assert np.abs(lightness(result / 255.0) - lightness(upright / 255.0)).mean() < 1.0
    assert result[:10, -8:].mean() > 150  # the stored top-left corner is now top-right


def test_colorize_refuses_to_overwrite(batch, model):
    src, out, _ = batch
    target = out / "gray8_colorized.png"
    before = target.read_bytes()
    result = nncolor("colorize", src / "gray8.png", "-o", out, "--model", model)
    one_line_error(result, str(target), "--overwrite")
    assert target.read_bytes() == before
    assert nncolor("colorize", src / "gray8.png", "-o", out, "--model", model,
                   "--overwrite", "--decoder", "mode").returncode == 0
    assert target.read_bytes() != before


def test_a_batch_run_again_goes_on_where_it_stopped(tmp_path, model):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for name in ("a", "b", "c"):
        Image.fromarray(gray8()).save(src / f"{name}.png")
    out.mkdir()
    (out / "b_colorized.png").write_bytes(b"done before")  # the run that stopped early
    result = nncolor("colorize", src, "-o", out, "--model", model, "-q")
    assert result.returncode == 0, result.stderr
    assert "colorized 2 of 3 images" in result.stdout
    assert "skipped 1 whose output exists" in result.stdout and "--overwrite" in result.stdout
    assert (out / "b_colorized.png").read_bytes() == b"done before"
    assert read_image(out / "a_colorized.png").shape == (64, 64, 3)
    again = nncolor("colorize", src, "-o", out, "--model", model, "-q")
    assert again.returncode == 0 and "colorized 0 of 3 images" in again.stdout
    assert "skipped 3 whose output exists" in again.stdout and again.stderr == ""
    # a folder (or a pattern) that holds one image is a batch too; one file named is not
    for name in ("b", "c"):
        (src / f"{name}.png").unlink()
    assert nncolor("colorize", src, "-o", out, "--model", model, "-q").returncode == 0
    one_line_error(nncolor("colorize", src / "a.png", "-o", out, "--model", model, "-q"),
                   "a_colorized.png", "--overwrite")


def test_colorize_with_the_shipped_model_next_to_the_input(tmp_path):
    Image.fromarray(gray8()).save(tmp_path / "old photo.jpg", quality=95)
    result = nncolor("colorize", tmp_path / "old photo.jpg", "-q")
    assert result.returncode == 0, result.stderr
    out = read_image(tmp_path / "old photo_colorized.png")
    assert out.shape == (64, 64, 3) and out.dtype == np.uint8
    assert result.stderr == ""  # -q: no progress bar


def test_earlier_outputs_are_set_aside_not_counted_as_failures(tmp_path, model):
    Image.fromarray(gray8()).save(tmp_path / "a.png")
    Image.fromarray(gray8()).save(tmp_path / "a_colorized.png")  # from an earlier run
    result = nncolor("colorize", tmp_path, "--model", model, "-q", "--overwrite")
    assert result.returncode == 0, result.stderr
    assert "colorized 1 of 1 images" in result.stdout
    assert "skipped 1 earlier outputs" in result.stderr


def test_missing_hints_leave_no_output_folder(tmp_path, model):
    Image.fromarray(gray8()).save(tmp_path / "a.png")
    result = nncolor("colorize", tmp_path / "a.png", "-o", tmp_path / "new", "--model", model,
                     "--hints", tmp_path / "no_such_hints.png")
    assert result.returncode != 0 and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "new").exists()


def test_colorize_hints_reference_and_output_file_name(tmp_path, model, photos):
    Image.fromarray(gray8()).save(tmp_path / "in.png")
    hints = np.zeros((64, 64, 4), np.uint8)
    hints[20:30, 20:30] = (200, 30, 30, 255)
    Image.fromarray(hints).save(tmp_path / "hints.png")
    Image.fromarray(photos[0]).save(tmp_path / "ref.png")
    result = nncolor("colorize", tmp_path / "in.png", "-o", tmp_path / "result.tif",
                     "--hints", tmp_path / "hints.png", "--reference", tmp_path / "ref.png",
                     "--model", model)
    assert result.returncode == 0, result.stderr
    out = read_image(tmp_path / "result.tif")
    assert out.shape == (64, 64, 3)
    assert out[22:28, 22:28, 0].mean() > out[22:28, 22:28, 2].mean()  # the red hint holds


def test_interrupted_or_failed_write_leaves_no_file(tmp_path, model, monkeypatch):
    """A crash while the image is written: neither the output nor a temp file remains."""
    import png

    Image.fromarray(gray8()).save(tmp_path / "in.png")
    out = tmp_path / "out"
    for error, status in ((KeyboardInterrupt(), 130), (OSError(28, "No space left"), 1)):
        def half_written(writer, outfile, rows, error=error):
            outfile.write(b"\x89PNG half")  # PNG files are written by pypng
            raise error

        monkeypatch.setattr(png.Writer, "write_packed", half_written)
        code = cli.main(["colorize", str(tmp_path / "in.png"), "-o", str(out),
                         "--model", str(model), "-q"])
        assert code == status
        assert list(out.iterdir()) == []


def test_colorize_unwritable_output_folder(tmp_path, model):
    Image.fromarray(gray8()).save(tmp_path / "in.png")
    (tmp_path / "taken").write_text("a file where the folder should be")
    one_line_error(nncolor("colorize", tmp_path / "in.png", "-o", tmp_path / "taken",
                           "--model", model), "taken", "not a folder")


# --------------------------------------------------------------------- models
def test_missing_and_wrong_version_models(tmp_path, model):
    Image.fromarray(gray8()).save(tmp_path / "in.png")
    one_line_error(nncolor("colorize", tmp_path / "in.png", "--model", tmp_path / "none.joblib"),
                   "none.joblib", "not found")
    old = load_model(model)
    old.model_card_ = {**old.model_card_, "nncolor_version": "0.0.7"}
    save_model(old, tmp_path / "old.skops")
    result = nncolor("colorize", tmp_path / "in.png", "--model", tmp_path / "old.skops")
    one_line_error(result, "old.skops", "nncolor 0.0.7", "retrain")
    assert not (tmp_path / "in_colorized.png").exists()


# ------------------------------------------------------ train, info, evaluate, grid
def test_train_then_info(tmp_path, color_folder):
    out = tmp_path / "m.skops"
    result = nncolor("train", color_folder, "-o", out, *FAST, "--som-shape", "2x2",
                     "--test-size", "2", "--chroma-scale", "0.5")
    assert result.returncode == 0, result.stderr
    assert "held-out photos (2)" in result.stdout and "mean color" in result.stdout
    # lines, no bar: stderr is a pipe here (test_progress_bars_only_on_a_terminal)
    assert "fitting on 3 photos" in result.stderr and "classifier: 8 epochs" in result.stderr
    assert "\r" not in result.stderr and "reading" not in result.stderr
    card = load_model(out).model_card_
    assert card["training_data"]["n_photos"] == 3 and card["n_colors"] == 4
    assert card["params"]["som_shape"] == [2, 2]
    assert load_model(out).chroma_shrinkage == 0.5
    info = nncolor("info", out)
    assert info.returncode == 0, info.stderr
    for words in ("nncolor 0.", "scikit-learn", "som_shape=2x2", "3 photos", "held-out",
                  "psnr"):
        assert words in info.stdout
    # a second run does not overwrite the model
    one_line_error(nncolor("train", color_folder, "-o", out, *FAST), str(out), "exists")


def test_train_refuses_an_unknown_model_extension_before_reading(tmp_path, color_folder):
    result = nncolor("train", color_folder, "-o", tmp_path / "model.txt", *FAST)
    line = only_line(result)
    assert all(w in line for w in ("model.txt", ".skops", ".joblib", "'.txt'")), line
    assert list(tmp_path.iterdir()) == []


def test_info_without_a_card(tmp_path, fitted, capsys):
    joblib.dump(fitted, tmp_path / "plain.joblib")  # no card: joblib, not save_model
    assert cli.main(["info", str(tmp_path / "plain.joblib"), "--trust-model"]) == 0
    text = capsys.readouterr().out
    assert "no model card" in text and "patch_size=3" in text


def test_info_of_a_model_saved_without_training_counts(tmp_path, fitted, capsys):
    # save_model outside train_and_evaluate: a card that does not know the photo count
    save_model(fitted, tmp_path / "plain.skops")
    assert cli.main(["info", str(tmp_path / "plain.skops")]) == 0
    line = next(t for t in capsys.readouterr().out.splitlines() if t.startswith("training data"))
    assert "None" not in line and "pixels" in line, line


def test_evaluate_writes_the_metrics_table(tmp_path, model, color_folder):
    csv = tmp_path / "metrics.csv"
    result = nncolor("evaluate", model, color_folder, "-o", csv, "-q")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(csv)
    assert len(table) == 15 and set(table["method"]) == {"colorizer", "gray", "mean color"}
    assert {"psnr", "rmse_uv", "accuracy", "colorfulness"} <= set(table.columns)
    assert "mean color" in result.stdout


def test_grid_writes_csv_and_heatmap(tmp_path, color_folder):
    out = tmp_path / "grid"
    result = nncolor("grid", color_folder, "--patch-sizes", "1,3", "--som-shapes", "2x2",
                     "--cv", "2", "-o", out, *FAST[2:])
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out / "grid.csv")
    assert list(table["patch_size"]) == [1, 3] and set(table["som_shape"]) == {"2x2"}
    assert (out / "grid.png").stat().st_size > 5_000
    assert "best: patch size" in result.stdout


def test_expanding_globs_and_recursive_folders(tmp_path):
    from nncolor.io import find_images

    (tmp_path / "sub").mkdir()
    for name in ("a.png", "b.JPG", "sub/c.tif", ".hidden.png", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    assert [str(r) for _, r in find_images(tmp_path)] == ["a.png", "b.JPG"]
    assert [r.as_posix() for _, r in find_images(tmp_path, recursive=True)] == [
        "a.png", "b.JPG", "sub/c.tif"]
    assert [r.name for _, r in find_images(tmp_path / "*.png")] == ["a.png"]
    with pytest.raises(FileNotFoundError, match="no files match"):
        find_images(tmp_path / "*.gif")


def test_read_image_orientation_matches_pil_for_16_bit_color(tmp_path):
    """16-bit color files bypass Pillow; their EXIF orientation must agree with it."""
    from nncolor.io import _upright

    stored = np.arange(6 * 5 * 3, dtype=np.uint8).reshape(6, 5, 3)
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        Image.fromarray(stored).save(tmp_path / "o.png", exif=exif)
        expected = np.asarray(ImageOps.exif_transpose(Image.open(tmp_path / "o.png")))
        np.testing.assert_array_equal(_upright(stored, orientation), expected)
    small_photo = small(data.astronaut(), 16).astype(np.uint16) * 257
    from nncolor.io import save_image

    save_image(tmp_path / "deep.png", small_photo, bit_depth=16)
    np.testing.assert_array_equal(read_image(tmp_path / "deep.png"), small_photo)


def test_video_through_the_console_script(tmp_path, model):
    pytest.importorskip("imageio_ffmpeg", reason="imageio-ffmpeg is not installed (nncolor[video])")
    from .test_video import N, synthetic_film, write_video

    src = write_video(tmp_path / "old film.mp4", synthetic_film())
    dst = tmp_path / "colorized.mp4"
    result = nncolor("video", src, "-o", dst, "--model", model, "-q")
    assert result.returncode == 0, result.stderr
    assert dst.is_file() and f"{N} frames" in result.stdout and "flicker" in result.stdout
    one_line_error(nncolor("video", src, "-o", dst, "--model", model, "-q"), str(dst), "exists")
    # an existing folder as the output: the name is what is wrong, not that it exists
    one_line_error(nncolor("video", src, "-o", tmp_path, "--model", model, "-q"),
                   "cannot tell the video format")
    one_line_error(nncolor("video", src, "-o", tmp_path / "small.mp4", "--model", model, "-q",
                           "--max-pixels", "100"), "--max-pixels")
    text = tmp_path / "notes.mp4"
    text.write_text("not a film")
    one_line_error(nncolor("video", text, "-o", tmp_path / "x.mp4", "--model", model, "-q"),
                   "notes.mp4")


def test_no_overwrite_publish_never_replaces_a_file_made_meanwhile(tmp_path):
    from nncolor.io import atomic_path

    target = tmp_path / "out.txt"
    with pytest.raises(FileExistsError, match="out.txt exists"):
        with atomic_path(target) as tmp:
            tmp.write_text("ours")
            target.write_text("theirs")  # another run got there first
    assert target.read_text() == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary left


def test_glob_outputs_mirror_the_folders_the_pattern_spans(tmp_path, model):
    for sub in ("s1", "s2"):
        (tmp_path / sub).mkdir()
        Image.fromarray(gray8()).save(tmp_path / sub / "x.png")
    result = nncolor("colorize", "-q", "s*/x.png", "-o", "out", "--model", model, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.relative_to(tmp_path / "out").as_posix()
                  for p in (tmp_path / "out").rglob("*.png")) == ["s1/x_colorized.png",
                                                                  "s2/x_colorized.png"]


def test_unknown_output_extension_is_an_error_not_a_folder(tmp_path, model):
    Image.fromarray(gray8()).save(tmp_path / "a.png")
    result = nncolor("colorize", "-q", "a.png", "-o", "out.xyz", "--model", model, cwd=tmp_path)
    one_line_error(result, "out.xyz", "not an image format")
    assert not (tmp_path / "out.xyz").exists()
