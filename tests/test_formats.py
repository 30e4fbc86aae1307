"""nncolor.formats: which files are images (every format the installed Pillow and its
plugins decode) and why a folder scan passes a file over."""
import sys

from PIL import features

from nncolor import datasets, formats, io


def test_the_formats_are_those_pillow_decodes():
    extensions = formats.image_extensions()
    assert {".png", ".jpg", ".jpeg", ".tif", ".webp", ".bmp", ".gif"} <= set(extensions)
    assert (".avif" in extensions) == features.check("avif")
    # formats Pillow only identifies (stubs, MPEG headers) are not taken as pictures
    assert not {".h5", ".grib", ".bufr", ".mpg", ".txt"} & set(extensions)


def test_an_installed_heif_plugin_is_registered(monkeypatch):
    calls = []
    fake = type(sys)("pillow_heif")
    fake.register_heif_opener = lambda: calls.append(1)
    monkeypatch.setitem(sys.modules, "pillow_heif", fake)
    formats.register_plugins.cache_clear()
    try:
        assert formats.register_plugins() is True
        formats.image_extensions()
        assert calls == [1]  # once, however often the formats are listed
    finally:
        formats.register_plugins.cache_clear()


def test_why_a_file_is_passed_over():
    assert formats.why_not_image("photo.JPG") is None
    assert formats.why_not_image(".hidden.png") == "a hidden file"
    assert formats.why_not_image("sub/.git/x.png") == "a hidden file"
    assert "nncolor video" in formats.why_not_image("clip.MP4")
    assert "no extension" in formats.why_not_image("README")
    assert formats.why_not_image("notes.txt").startswith(".txt is not an image format")


def test_the_common_extensions_are_one_tuple_everywhere():
    # defined once, below io and datasets; both still offer it
    assert io.IMAGE_EXTENSIONS is datasets.IMAGE_EXTENSIONS is formats.IMAGE_EXTENSIONS
    assert set(formats.IMAGE_EXTENSIONS) <= set(formats.image_extensions())
