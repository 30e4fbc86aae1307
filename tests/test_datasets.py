"""nncolor.datasets: reading folders of photos, the shipped photos, the split by name."""
import numpy as np
import pytest
from PIL import Image

from nncolor.datasets import load_folder, sample_photos, split_by_name


def _color(seed, shape=(8, 10)):
    return np.random.default_rng(seed).integers(0, 256, shape + (3,), dtype=np.uint8)


@pytest.fixture
def folder(tmp_path):
    """Three color photos (JPEG, PNG, upper-case extension) and a text file."""
    Image.fromarray(_color(0)).save(tmp_path / "b_photo.png")
    Image.fromarray(_color(1)).save(tmp_path / "a_photo.jpg", quality=95)
    Image.fromarray(_color(2)).save(tmp_path / "c_photo.JPG", quality=95)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "sub").mkdir()
    Image.fromarray(_color(3)).save(tmp_path / "sub" / "nested.jpg")
    return tmp_path


def test_load_folder_sorted_rgb_uint8(folder):
    images, names = load_folder(folder)
    assert names == ["a_photo", "b_photo", "c_photo"]  # sorted, not recursive, any case
    for im in images:
        assert im.dtype == np.uint8 and im.shape == (8, 10, 3)
    np.testing.assert_array_equal(images[1], _color(0))  # PNG is lossless


def test_load_folder_pattern_and_limit(folder):
    assert load_folder(folder, "*.jpg")[1] == ["a_photo", "c_photo"]  # case-insensitive
    assert load_folder(folder, ("*.png", "c_*"))[1] == ["b_photo", "c_photo"]
    assert load_folder(folder, limit=2)[1] == ["a_photo", "b_photo"]
    with pytest.raises(ValueError, match="limit"):
        load_folder(folder, limit=0)


def test_load_folder_missing_and_empty(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_folder(missing)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no image files"):
        load_folder(tmp_path / "empty")
    (tmp_path / "file.jpg").write_bytes(b"")
    with pytest.raises(NotADirectoryError):
        load_folder(tmp_path / "file.jpg")


@pytest.mark.parametrize("content", [b"this is not a jpeg", b""], ids=["garbage", "empty"])
def test_corrupt_file_names_the_file(folder, content):
    (folder / "broken.jpg").write_bytes(content)
    with pytest.raises(ValueError, match="broken.jpg"):
        load_folder(folder)


def test_truncated_jpeg_names_the_file(folder):
    data = (folder / "a_photo.jpg").read_bytes()
    (folder / "a_photo.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="a_photo.jpg"):
        load_folder(folder)


def test_gray_files_refused_unless_asked(tmp_path):
    gray = np.arange(80, dtype=np.uint8).reshape(8, 10)
    Image.fromarray(gray).save(tmp_path / "gray.png")                          # mode L
    Image.fromarray(np.dstack([gray] * 3)).save(tmp_path / "rgbgray.png")      # R = G = B
    Image.fromarray(_color(5)).save(tmp_path / "color.png")
    with pytest.raises(ValueError, match="gray.png.*not a color photo"):
        load_folder(tmp_path, "gray.png")
    with pytest.raises(ValueError, match="rgbgray.png.*not a color photo"):
        load_folder(tmp_path, "rgbgray.png")
    images, names = load_folder(tmp_path, require_color=False)
    assert names == ["color", "gray", "rgbgray"]
    assert images[0].shape == (8, 10, 3)
    np.testing.assert_array_equal(images[1], gray)
    np.testing.assert_array_equal(images[2], gray)


def test_rgba_and_palette_become_rgb(tmp_path):
    rgba = np.dstack([_color(6), np.full((8, 10), 128, np.uint8)])
    Image.fromarray(rgba).save(tmp_path / "alpha.png")
    Image.fromarray(_color(7)).convert("P").save(tmp_path / "palette.png")
    images, _ = load_folder(tmp_path)
    assert [im.shape for im in images] == [(8, 10, 3), (8, 10, 3)]
    np.testing.assert_array_equal(images[0], rgba[..., :3])


def test_same_stem_two_extensions_is_an_error(tmp_path):
    Image.fromarray(_color(8)).save(tmp_path / "x.png")
    Image.fromarray(_color(8)).save(tmp_path / "x.jpg")
    with pytest.raises(ValueError, match="x"):
        load_folder(tmp_path)
    assert load_folder(tmp_path, "*.png")[1] == ["x"]


def test_sample_photos():
    photos = sample_photos()
    assert list(photos) == ["astronaut", "chelsea", "coffee", "rocket", "china", "flower"]
    for im in photos.values():
        assert im.dtype == np.uint8 and im.ndim == 3 and im.shape[2] == 3


def test_split_is_deterministic_disjoint_complete():
    names = [f"opencountry_{i:04d}" for i in range(400)]
    train, test = split_by_name(names)
    train2, test2 = split_by_name(list(names))
    np.testing.assert_array_equal(train, train2)
    np.testing.assert_array_equal(test, test2)
    assert not set(train) & set(test)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(400))
    assert 0.18 < len(test) / 400 < 0.32
    # another seed, another split
    assert set(split_by_name(names, seed=1)[1]) != set(test)


def test_split_depends_on_names_not_order_or_other_files():
    names = [f"photo{i}" for i in range(200)]
    test_names = {names[i] for i in split_by_name(names)[1]}
    shuffled = list(np.random.default_rng(0).permutation(names)) + [f"extra{i}" for i in range(50)]
    test_after = {shuffled[i] for i in split_by_name(shuffled)[1]}
    assert test_after - {n for n in shuffled if n.startswith("extra")} == test_names


def test_split_int_size_and_tiny_sets():
    names = [f"p{i}" for i in range(20)]
    train, test = split_by_name(names, test_size=5)
    assert len(test) == 5 and len(train) == 15
    for n in (2, 3, 4):  # never an empty side
        train, test = split_by_name([f"q{i}" for i in range(n)], test_size=0.25)
        assert len(train) >= 1 and len(test) >= 1


@pytest.mark.parametrize("bad", [0, 0.0, 1.0, 1.5, -1, 20, "a"])
def test_split_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="test_size"):
        split_by_name([f"p{i}" for i in range(20)], test_size=bad)


def test_split_rejects_duplicates_and_tiny():
    with pytest.raises(ValueError, match="unique"):
        split_by_name(["a", "b", "a"])
    with pytest.raises(ValueError, match="at least 2"):
        split_by_name(["a"])


def test_evenly_spaced_covers_the_whole_order():
    from nncolor.datasets import evenly_spaced

    np.testing.assert_array_equal(evenly_spaced(10, 4), [0, 3, 6, 9])
    np.testing.assert_array_equal(evenly_spaced(10, 1), [0])  # the first, as before
    np.testing.assert_array_equal(evenly_spaced(3, 5), [0, 1, 2])
    np.testing.assert_array_equal(evenly_spaced(4), [0, 1, 2, 3])
    # names that begin with the kind: every kind is sampled, not only the first
    names = [f"coast_{i}" for i in range(69)] + [f"forest_{i}" for i in range(59)]
    kinds = {names[i].split("_")[0] for i in evenly_spaced(len(names), 10)}
    assert kinds == {"coast", "forest"}
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError, match="positive integer"):
            evenly_spaced(10, bad)
