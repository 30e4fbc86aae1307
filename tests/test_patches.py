import numpy as np
import pytest

from nncolor import PatchExtractor


def naive_patch(L, r, c, p, mode="reflect"):
    padded = np.pad(L, p // 2, mode=mode)
    return padded[r : r + p, c : c + p].ravel() / 100


@pytest.mark.parametrize("p", [1, 3, 5, 11, 15])
@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (7, 1), (4, 4), (20, 13)])
def test_every_pixel_has_its_patch(p, shape):
    L = np.random.default_rng(p).random(shape).astype(np.float32) * 100
    ext = PatchExtractor(patch_size=p, chunk_pixels=5)
    feats = ext.transform([L])
    assert feats.shape == (L.size, p * p) and feats.dtype == np.float32
    for r, c in [(0, 0), (shape[0] - 1, shape[1] - 1), (shape[0] // 2, shape[1] // 2)]:
        np.testing.assert_allclose(feats[r * shape[1] + c], naive_patch(L, r, c, p), rtol=1e-6)


def test_chunks_cover_the_image_once():
    L = np.random.default_rng(0).random((37, 29)).astype(np.float32)
    blocks = list(PatchExtractor(patch_size=3, chunk_pixels=100).iter_dense(L))
    assert blocks[0][0] == 0 and blocks[-1][1] == L.size
    assert all(a[1] == b[0] for a, b in zip(blocks, blocks[1:]))
    assert max(len(f) for *_, f in blocks) <= 100


def test_sampling_is_seeded_and_matches_dense():
    rng = np.random.default_rng(0)
    images = [rng.random((30, 40)).astype(np.float32) * 100, rng.random((5, 5)).astype(np.float32)]
    ext = PatchExtractor(patch_size=5, n_samples=50)
    f1, i1 = ext.sample(images, random_state=4)
    f2, i2 = ext.sample(images, random_state=4)
    np.testing.assert_array_equal(f1, f2)
    assert [len(i) for i in i1] == [50, 25]  # all pixels of the 5x5 image
    dense = ext.transform(images[:1])
    np.testing.assert_array_equal(f1[:50], dense[i1[0]])


def test_even_or_huge_patch_is_an_error():
    with pytest.raises(ValueError, match="odd"):
        PatchExtractor(patch_size=4).fit()
    with pytest.raises(ValueError, match="patch_size"):
        PatchExtractor(patch_size=33).fit()
