"""nncolor.io: image files read as they are displayed (through their ICC profile), written
as sRGB and marked so, atomically, and every format the installed Pillow decodes taken
from a folder, with every file passed over named (which formats those are:
test_formats.py; hostile and damaged files: test_hostile_files.py; faults while writing:
test_faults.py).

Each case builds its own small file: ICC profiles byte by byte (tests/icc_profiles.py),
photos from scikit-image.
"""
import io
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import png
import pytest
from PIL import Image, ImageCms, features
from skimage import data
from skimage.color import rgb2lab

from nncolor import formats
from nncolor.icc import ProfileWarning, srgb_profile
from nncolor.io import atomic_path, find_images, leftover_temporaries, read_image, save_image

from .conftest import small
from .icc_profiles import cmyk_dot_gain, gray_gamma, rgb_gamma


def nncolor(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "nncolor", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False)


def displayed_lightness(path):
    """L* of a file as a color-managed viewer shows it: through its embedded profile (sRGB
    without one) to sRGB, by little-CMS directly (not through nncolor)."""
    with Image.open(path) as im:
        data_ = im.info.get("icc_profile")
        source = (ImageCms.ImageCmsProfile(io.BytesIO(data_)) if data_
                  else ImageCms.createProfile("sRGB"))
        pixels = im if im.mode in ("L", "RGB", "CMYK") else im.convert(
            "L" if im.mode in ("LA", "La") else "RGB")
        rgb = ImageCms.profileToProfile(pixels, source, ImageCms.createProfile("sRGB"),
                                        outputMode="RGB")
    return rgb2lab(np.asarray(rgb) / 255.0)[..., 0]


def gray_photo(side=256):
    return small(data.camera(), side)


def profile_of(path):
    with Image.open(path) as im:
        return im.info.get("icc_profile"), dict(im.info)


# ------------------------------------------------------ reading through ICC profiles
def test_gray_scan_with_a_gamma_profile_keeps_the_lightness_it_shows(tmp_path):
    """The issue's recipe: a 256 x 256 gray JPEG tagged Gray Gamma 1.8, colorized by the
    command with the shipped model, shows the same lightness as the scan."""
    scan = tmp_path / "scan.jpg"
    Image.fromarray(gray_photo()).save(scan, quality=95, icc_profile=gray_gamma(1.8))
    result = nncolor("colorize", scan, "-o", tmp_path / "out", "-q")
    assert result.returncode == 0, result.stderr
    (out,) = (tmp_path / "out").iterdir()
    shown_in, shown_out = displayed_lightness(scan), displayed_lightness(out)
    assert np.abs(shown_out - shown_in).mean() < 1.5
    # the fault it fixes: the scan's numbers read as sRGB are on average > 3 L* darker
    naive = rgb2lab(np.asarray(Image.open(scan).convert("RGB")) / 255.0)[..., 0]
    assert (shown_in - naive).mean() > 3


def test_rgb_profile_is_converted_to_srgb_at_8_and_16_bits(tmp_path):
    gray_level = np.full((4, 5, 3), 128, np.uint8)
    Image.fromarray(gray_level).save(tmp_path / "rgb.png", icc_profile=rgb_gamma(1.8))
    expected = displayed_lightness(tmp_path / "rgb.png")
    got = read_image(tmp_path / "rgb.png")
    assert got.dtype == np.uint8 and got.shape == (4, 5, 3)
    assert np.abs(rgb2lab(got / 255.0)[..., 0] - expected).max() < 0.3
    assert abs(int(got[0, 0, 0]) - 128) > 10  # not the numbers as they were
    # the same colors in a 16-bit PNG (pypng writes the iCCP chunk): still 16 bits
    wide = np.full((4, 5, 3), 128 * 257, np.uint16)
    wide[0, 0] = (1000, 30000, 65535)
    writer = png.Writer(5, 4, bitdepth=16, greyscale=False)
    with open(tmp_path / "rgb16.png", "wb") as f:
        writer.write(f, wide.reshape(4, -1))
    _add_iccp(tmp_path / "rgb16.png", rgb_gamma(1.8))
    got16 = read_image(tmp_path / "rgb16.png")
    assert got16.dtype == np.uint16
    assert np.abs(got16[1:, 1:] / 257.0 - got[1:, 1:]).max() < 1.0
    reference = _lcms_8bit(np.array([[[1000, 30000, 65535]]]) / 257.0, rgb_gamma(1.8))
    assert np.abs(got16[0, 0] / 257.0 - reference).max() < 1.5


def test_cmyk_profile_is_honoured(tmp_path):
    """50 % black through a profile with strong dot gain prints at about L* 29; Pillow's
    plain CMYK conversion (the file without its profile) would show L* 53."""
    for suffix in (".jpg", ".tif"):
        path = tmp_path / f"print{suffix}"
        Image.new("CMYK", (6, 4), (0, 0, 0, 128)).save(path, icc_profile=cmyk_dot_gain())
        got = read_image(path)
        assert got.shape == (4, 6, 3)
        lightness = rgb2lab(got / 255.0)[..., 0].mean()
        assert abs(lightness - displayed_lightness(path).mean()) < 0.5
        assert 25 < lightness < 33, lightness


def test_gray_profile_with_alpha_and_in_16_bits(tmp_path):
    Image.new("LA", (3, 2), (128, 77)).save(tmp_path / "la.png", icc_profile=gray_gamma(1.8))
    got = read_image(tmp_path / "la.png")
    shown = int(round(displayed_lightness(tmp_path / "la.png").mean()))
    assert got.shape == (2, 3, 4) and (got[..., 3] == 77).all()
    assert (got[..., 0] == got[..., 2]).all()
    assert abs(rgb2lab(got[..., :3] / 255.0)[..., 0].mean() - shown) < 0.5
    ramp = (np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000)
    Image.fromarray(ramp).save(tmp_path / "g16.png", icc_profile=gray_gamma(1.8))
    got16 = read_image(tmp_path / "g16.png")
    assert got16.dtype == np.uint16 and got16.shape == (3, 4)
    expected = 65535 * (ramp / 65535) ** (1.8 / 2.2)  # close to sRGB's curve mid-range
    mid = (ramp > 10000) & (ramp < 50000)
    assert np.abs(got16[mid] / 65535.0 - expected[mid] / 65535.0).max() < 0.02
    assert (np.diff(got16.ravel().astype(int)) > 0).all()  # still 16-bit smooth


def test_unusable_profiles_are_named_and_ignored(tmp_path):
    Image.new("L", (4, 4), 100).save(tmp_path / "damaged.jpg", icc_profile=b"x" * 200)
    Image.new("L", (4, 4), 100).save(tmp_path / "mismatch.png", icc_profile=rgb_gamma())
    for name, words in (("damaged.jpg", "cannot be read"), ("mismatch.png", "does not fit")):
        with pytest.warns(ProfileWarning, match=f"{name}.*{words}"):
            got = read_image(tmp_path / name)
        assert abs(int(got.mean()) - 100) <= 1  # taken as sRGB


def test_srgb_files_read_unchanged(tmp_path):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "s.png", icc_profile=srgb_profile())
    np.testing.assert_array_equal(read_image(tmp_path / "s.png"), pixels)


# ------------------------------------------------------------ writing as sRGB
@pytest.mark.parametrize("suffix,depth,channels", [
    (".png", 8, 3), (".png", 16, 3), (".png", 8, 1), (".png", 16, 4), (".tif", 8, 3),
    (".tif", 16, 3), (".jpg", 8, 3), (".webp", 8, 3)])
def test_outputs_say_they_are_srgb_and_keep_their_depth(tmp_path, suffix, depth, channels):
    rng = np.random.default_rng(1)
    top = 255 if depth == 8 else 65535
    shape = (9, 7) if channels == 1 else (9, 7, channels)
    image = rng.integers(0, top + 1, shape).astype(np.uint8 if depth == 8 else np.uint16)
    path = save_image(tmp_path / f"out{suffix}", image, bit_depth=depth)
    icc, info = profile_of(path)
    if suffix == ".png":
        raw = path.read_bytes()
        assert raw[37:41] == b"sRGB"  # the chunk right after IHDR
        assert "srgb" in info and not icc
    else:
        assert ImageCms.getProfileDescription(
            ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip() == "sRGB built-in"
    back = read_image(path)
    assert back.dtype == image.dtype and back.shape == image.shape
    if suffix not in (".jpg", ".webp"):  # lossless: the sRGB profile changes nothing
        np.testing.assert_array_equal(back, image)
    if suffix == ".png" and depth == 16:
        assert png.Reader(filename=str(path)).read()[3]["bitdepth"] == 16


# ------------------------------------------------------------------- folders
def test_folder_takes_webp_avif_png_and_names_what_it_passes_over(tmp_path):
    """The issue's recipe: a.webp, b.avif, c.png, the same gray photo; and beside them
    files that are not images, each named with the reason."""
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    photo = Image.fromarray(gray_photo(64))
    photo.save(folder / "a.webp", lossless=True)
    photo.save(folder / "c.png")
    if features.check("avif"):
        photo.save(folder / "b.avif")
    else:  # this Pillow cannot decode it: it must be named, not passed over silently
        (folder / "b.avif").write_bytes((folder / "a.webp").read_bytes())
    (folder / "notes.txt").write_text("not a photo")
    (folder / "clip.mp4").write_bytes(b"")
    (folder / ".hidden.png").write_bytes(b"")
    photo.save(folder / "sub" / "d.png")
    result = nncolor("colorize", folder, "-o", tmp_path / "out", "-q")
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    skipped = [ln for ln in result.stderr.splitlines() if ": skipped " in ln]
    named = {Path(ln.split(": skipped ")[1].split(": ")[0]).name: ln for ln in skipped}
    if features.check("avif"):
        assert written == ["a_colorized.png", "b_colorized.png", "c_colorized.png"]
        assert "colorized 3 of 3 images" in result.stdout
    else:
        assert "b.avif" in named
    assert "not an image format" in named["notes.txt"]
    assert "nncolor video" in named["clip.mp4"]
    assert "hidden" in named[".hidden.png"] and "--recursive" in named["sub"]
    assert f"passed over {len(skipped)} files" in result.stdout
    assert all(ln.startswith("nncolor colorize: ") for ln in result.stderr.splitlines())


def test_find_images_reports_everything_it_passes_over(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("a.png", "b.QOI", "sub/c.tif", ".git/x.png", "readme", "film.mkv"):
        (tmp_path / name).write_bytes(b"")
    passed_over = []
    found = find_images(tmp_path, recursive=True, skipped=passed_over)
    assert [r.as_posix() for _, r in found] == ["a.png", "b.QOI", "sub/c.tif"]
    reasons = {p.relative_to(tmp_path).as_posix(): why for p, why in passed_over}
    assert set(reasons) == {".git", "readme", "film.mkv"}  # a hidden folder named once
    assert "no extension" in reasons["readme"] and "film" in reasons["film.mkv"]


def test_a_file_named_directly_is_read_whatever_its_name(tmp_path):
    Image.fromarray(gray_photo(16)).save(tmp_path / "photo.data", format="PNG")
    assert [p.name for p, _ in find_images(tmp_path / "photo.data")] == ["photo.data"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_image(tmp_path / "photo.data").shape == (16, 16)


# ------------------------------------------------------------------- helpers
def _add_iccp(path, profile):
    """Insert an iCCP chunk (zlib-compressed profile) after a PNG's IHDR."""
    import struct
    import zlib

    body = b"test\0\0" + zlib.compress(profile)
    chunk = struct.pack(">I", len(body)) + b"iCCP" + body + struct.pack(
        ">I", zlib.crc32(b"iCCP" + body) & 0xFFFFFFFF)
    raw = Path(path).read_bytes()
    Path(path).write_bytes(raw[:33] + chunk + raw[33:])


def _lcms_8bit(rgb, profile):
    """little-CMS's sRGB values (0-255 floats) for 0-255 RGB values, rounded to 8 bits."""
    pixels = Image.fromarray(np.rint(rgb).astype(np.uint8))
    out = ImageCms.profileToProfile(pixels, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                                    ImageCms.createProfile("sRGB"), outputMode="RGB")
    return np.asarray(out, np.float64)[0, 0]


def test_formats_pillow_cannot_write_are_refused_before_writing(tmp_path):
    assert ".psd" in formats.image_extensions() and ".psd" not in formats.writable_extensions()
    with pytest.raises(ValueError, match=r"out\.psd: cannot write \.psd files.*--format"):
        save_image(tmp_path / "out.psd", np.zeros((4, 4, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF codec")
def test_an_avif_output_is_written_and_marked_srgb(tmp_path):
    Image.fromarray(gray_photo(32)).save(tmp_path / "in.png")
    result = nncolor("colorize", tmp_path / "in.png", "-o", tmp_path / "out.avif", "-q")
    assert result.returncode == 0, result.stderr
    icc, _ = profile_of(tmp_path / "out.avif")
    assert icc == srgb_profile() and read_image(tmp_path / "out.avif").shape == (32, 32, 3)


# ----------------------------------------------------------- atomic writing
def test_atomic_path_publishes_only_on_success(tmp_path):
    target = tmp_path / "sub" / "out.png"
    with pytest.raises(RuntimeError, match="interrupted"):
        with atomic_path(target) as tmp:
            assert tmp.parent == target.parent and tmp.suffix == ".png"
            tmp.write_bytes(b"half")
            raise RuntimeError("interrupted")
    assert list(target.parent.iterdir()) == []  # neither the file nor its temporary
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"whole")
    assert target.read_bytes() == b"whole" and list(target.parent.iterdir()) == [target]


def test_atomic_path_never_replaces_a_file_unless_asked(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("earlier")
    with pytest.raises(FileExistsError, match="out.csv exists"):
        with atomic_path(target):
            pytest.fail("an existing output is refused before anything is written")
    with atomic_path(target, overwrite=True) as tmp:
        tmp.write_text("later")
    assert target.read_text() == "later" and list(tmp_path.iterdir()) == [target]


def test_a_file_made_while_writing_is_not_replaced(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(FileExistsError, match="out.csv exists"):
        with atomic_path(target) as tmp:
            tmp.write_text("ours")
            target.write_text("theirs")  # another process, meanwhile
    assert target.read_text() == "theirs" and list(tmp_path.iterdir()) == [target]


def test_leftover_temporaries_finds_only_those_of_the_outputs(tmp_path):
    outputs = [tmp_path / "a.png", tmp_path / "b.tif"]
    leftover = tmp_path / ".a.k3j_9x2q.png"  # what a killed writer of a.png leaves
    for name in (leftover.name, ".c.k3j_9x2q.png", ".a.toolong_name.png", "a.png"):
        (tmp_path / name).write_bytes(b"")
    assert leftover_temporaries(outputs + [tmp_path / "gone" / "x.png"]) == [leftover]
    with atomic_path(tmp_path / "b.tif") as tmp:  # a live temporary has the same form
        assert set(leftover_temporaries(outputs)) == {leftover, tmp}
