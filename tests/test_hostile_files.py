"""Hostile and odd image files, through the API and through the command.

Every file is made here (numpy, Pillow, a few hand-written PNG bytes), none downloaded.
Each case either colorizes correctly (an output of the photo's displayed size, whose
lightness follows the input's) or fails with one clear line naming the file; none
crashes the process or leaves a partial output.
"""
import hashlib
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nncolor import cli
from nncolor import io as nio
from nncolor._images import check_image
from nncolor.color import lightness
from nncolor.io import ImageTooLargeError, read_image, save_image
from nncolor.model_file import save_model

from .conftest import tiny_colorizer
from .test_cli import nncolor

# ------------------------------------------------------------------ the files


def _gray(h, w):
    """A gray ramp with structure (not constant), uint8."""
    y, x = np.mgrid[:h, :w]
    return ((x * 7 + y * 3) % 200 + 30).astype(np.uint8)


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(path, width, height):
    """A valid PNG header declaring ``width x height`` gray pixels, with 1 KiB of rows."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
                     + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
                     + _png_chunk(b"IEND", b""))


def _truncated(path, make):
    make(path)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


def _rotated_jpeg(path):
    stored = _gray(24, 40)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when shown
    Image.fromarray(stored).save(path, exif=exif, quality=95)


def _animated_gif(path):
    frames = [Image.fromarray(_gray(20, 30) // k).convert("P") for k in (1, 2, 3)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)


def _palette(path, transparent):
    im = Image.fromarray(np.dstack([_gray(30, 20)] * 3)).convert("P")
    im.save(path, transparency=0) if transparent else im.save(path)


#: name -> (how to make it, the displayed (height, width), the dtype read) for files
#: that must colorize
GOOD = {
    "row 1xN.png": (lambda p: Image.fromarray(_gray(1, 57)).save(p), (1, 57), "uint8"),
    "column Nx1.png": (lambda p: Image.fromarray(_gray(57, 1)).save(p), (57, 1), "uint8"),
    "one pixel.png": (lambda p: Image.fromarray(_gray(1, 1)).save(p), (1, 1), "uint8"),
    "gray16.png": (lambda p: Image.fromarray(_gray(30, 40).astype(np.uint16) * 257).save(p),
                   (30, 40), "uint16"),
    "rgb16.png": (lambda p: save_image(p, np.dstack([_gray(30, 40).astype(np.uint16) * 257] * 3),
                                       bit_depth=16), (30, 40), "uint16"),
    "cmyk.jpg": (lambda p: Image.fromarray(np.dstack([_gray(30, 40)] * 3)).convert("CMYK")
                 .save(p), (30, 40), "uint8"),
    "palette.png": (lambda p: _palette(p, False), (30, 20), "uint8"),
    "palette transparent.png": (lambda p: _palette(p, True), (30, 20), "uint8"),
    "gray alpha LA.png": (lambda p: Image.fromarray(_gray(30, 40)).convert("LA").save(p),
                          (30, 40), "uint8"),
    "animated.gif": (_animated_gif, (20, 30), "uint8"),
    "exif rotated.jpg": (_rotated_jpeg, (40, 24), "uint8"),
    "scan.tif": (lambda p: Image.fromarray(_gray(30, 40)).save(p), (30, 40), "uint8"),
    "scan16.tif": (lambda p: save_image(p, np.dstack([_gray(30, 40).astype(np.uint16) * 257] * 3),
                                        bit_depth=16), (30, 40), "uint16"),
    "été 1950 — ñandú 写真.png": (lambda p: Image.fromarray(_gray(16, 16)).save(p), (16, 16),
                                 "uint8"),
}

#: name -> (how to make it, words the error must contain) for files that must be refused
BAD = {
    "empty.jpg": (lambda p: p.write_bytes(b""), "empty"),
    "random bytes.jpg": (lambda p: p.write_bytes(np.random.default_rng(0).bytes(4096)),
                         "not an image"),
    "notes.txt": (lambda p: p.write_text("these are not pixels\n" * 20), "not an image"),
    "truncated jpeg.jpg": (lambda p: _truncated(
        p, lambda q: Image.fromarray(_gray(64, 64)).save(q, format="JPEG")), "truncated"),
    "truncated png.png": (lambda p: _truncated(
        p, lambda q: Image.fromarray(_gray(64, 64)).save(q, format="PNG")), "truncated"),
    "truncated 16-bit.png": (lambda p: _truncated(
        p, lambda q: save_image(q.with_suffix(".png"), np.dstack(
            [_gray(64, 64).astype(np.uint16) * 257] * 3), bit_depth=16, overwrite=True)),
        "truncated"),
    "bomb.png": (lambda p: png_bomb(p, 100_000, 100_000), "decompression"),
    "bomb just over.png": (lambda p: png_bomb(p, 20_000, 20_000), "decompression"),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Every case in one folder whose name has a space and non-ASCII letters."""
    folder = tmp_path_factory.mktemp("hostile") / "mes photos ünïcode"
    folder.mkdir()
    for name, (make, *_) in {**GOOD, **BAD}.items():
        make(folder / name)
    return folder


@pytest.fixture(scope="module")
def model(tmp_path_factory, photos):
    col = tiny_colorizer().fit(photos[:3])
    return save_model(col, tmp_path_factory.mktemp("model") / "tiny model.skops")


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()
            if p.is_file()}


# ------------------------------------------------------------------ the API
@pytest.mark.parametrize("name", GOOD)
def test_odd_images_colorize_through_the_api(files, fitted, name, tmp_path):
    _, shape, dtype = GOOD[name]
    image = read_image(files / name)
    assert image.shape[:2] == shape and image.dtype == dtype
    out = fitted.predict(image)
    assert out.shape[:2] == shape and out.shape[-1] in (3, 4)
    assert out.dtype == np.float32 and 0 <= out.min() and out.max() <= 1
    # colorizing keeps the photo's lightness L* and only adds chroma
    pixels, _ = check_image(image)
    np.testing.assert_allclose(lightness(out[..., :3]), lightness(pixels), atol=0.5)
    save_image(tmp_path / "out.png", out)
    assert read_image(tmp_path / "out.png").shape[:2] == shape


@pytest.mark.parametrize("name", BAD)
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's, then ours
def test_hostile_images_are_refused_with_a_clear_error(files, name):
    _, words = BAD[name]
    with pytest.raises(ValueError) as caught:
        read_image(files / name)
    message = str(caught.value)
    assert str(files / name) in message and words in message, message


def test_bomb_is_refused_before_decoding(tmp_path, monkeypatch):
    """The limit is checked on the header: decoding a refused file is never started."""
    png_bomb(tmp_path / "bomb.png", 30_000, 30_000)
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(1))
    with pytest.raises(ImageTooLargeError, match="900,000,000 pixels"):
        read_image(tmp_path / "bomb.png")
    assert decoded == []


def test_the_pixel_limit_is_documented_and_adjustable(tmp_path, monkeypatch):
    assert nio.MAX_PIXELS == 2**28 >= 10_000 * 10_000  # a 10k x 10k scan is allowed
    Image.fromarray(_gray(64, 64)).save(tmp_path / "small.png")
    with pytest.raises(ImageTooLargeError, match="64 x 64 = 4,096 pixels"):
        read_image(tmp_path / "small.png", max_pixels=4095)
    assert read_image(tmp_path / "small.png", max_pixels=4096).shape == (64, 64)
    monkeypatch.setattr(nio, "MAX_PIXELS", 1000)  # the process-wide default
    with pytest.raises(ImageTooLargeError):
        read_image(tmp_path / "small.png")
    for bad in (0, -5, 2.5, "many", True):
        with pytest.raises(ValueError, match="max_pixels must be a positive integer"):
            read_image(tmp_path / "small.png", max_pixels=bad)


def test_a_raised_limit_lets_a_large_declared_size_through_to_the_decoder(tmp_path):
    """Above the default, with a higher limit, Pillow's own guard does not step in: the
    bomb's missing rows are what is reported."""
    png_bomb(tmp_path / "big.png", 20_000, 20_000)
    with pytest.raises(ValueError, match="truncated") as caught:
        read_image(tmp_path / "big.png", max_pixels=2**29)
    assert not isinstance(caught.value, ImageTooLargeError)


# ------------------------------------------------------------------ the command

@pytest.fixture(scope="module")
def batch(files, model, tmp_path_factory):
    """`nncolor colorize` over the whole folder (two worker processes); its result."""
    before = _digest(files)
    out = tmp_path_factory.mktemp("out") / "sortie ä"
    result = nncolor("colorize", files, "-o", out, "--model", model, "-j", "2", "-q")
    return result, out, before


@pytest.mark.parametrize("name", GOOD)
def test_odd_images_colorize_through_the_command(batch, name):
    result, out, _ = batch
    _, shape, dtype = GOOD[name]
    stem = Path(name).stem
    written = out / f"{stem}_colorized.png"
    assert written.is_file(), result.stderr
    image = read_image(written)
    assert image.shape[:2] == shape and image.shape[-1] in (3, 4)
    assert image.dtype == dtype  # 16-bit in, 16-bit PNG out
    assert name not in result.stderr


# a folder search takes image names only: notes.txt is tried by name in the test below
@pytest.mark.parametrize("name", [n for n in BAD if n != "notes.txt"])
def test_hostile_images_fail_through_the_command(batch, name):
    result, out, _ = batch
    _, words = BAD[name]
    lines = [line for line in result.stderr.splitlines() if name in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("nncolor colorize: error: ") and words in lines[0]
    assert not (out / f"{Path(name).stem}_colorized.png").exists()


def test_the_batch_reports_failures_and_leaves_nothing_partial(batch, files):
    result, out, before = batch
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "warning" not in result.stderr
    # "notes.txt" is not an image name, so a folder search does not pick it up
    picked = len(GOOD) + len(BAD) - 1
    assert f"{len(BAD) - 1} of {picked} images failed" in result.stderr
    assert f"colorized {len(GOOD)} of {picked}" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{Path(n).stem}_colorized.png" for n in GOOD)  # no temporary files
    assert _digest(files) == before  # inputs untouched


def test_a_named_text_file_and_a_bomb_fail_on_one_line_each(files, model, tmp_path, capsys):
    code = cli.main(["colorize", str(files / "notes.txt"), str(files / "bomb.png"), "-o",
                     str(tmp_path), "--model", str(model)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err and "warning" not in err
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert len(errors) == 2 and "notes.txt" in errors[0] and "bomb.png" in errors[1]
    assert "2 of 2 images failed" in err
    assert list(tmp_path.iterdir()) == []


def test_max_pixels_option(files, model, tmp_path, capsys):
    one = files / "gray16.png"  # 30 x 40 = 1200 pixels
    argv = ["colorize", str(one), "-o", str(tmp_path), "--model", str(model), "-q"]
    assert cli.main([*argv, "--max-pixels", "1000"]) == 1
    err = capsys.readouterr().err
    assert "over the limit of 1,000" in err and "--max-pixels" in err
    assert cli.main([*argv, "--max-pixels", "2**11"]) == 0
    assert (tmp_path / "gray16_colorized.png").is_file()
    with pytest.raises(SystemExit) as stop:
        cli.main([*argv, "--max-pixels", "lots"])
    assert stop.value.code == 2 and "positive number of pixels" in capsys.readouterr().err
