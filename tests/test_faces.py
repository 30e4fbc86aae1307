"""Face detection on lightness images (nncolor.faces)."""
import numpy as np
import pytest
from skimage import data
from skimage.transform import resize

from nncolor.color import lightness
from nncolor.faces import MIN_FACE, detect_faces, face_mask


@pytest.fixture(scope="module")
def astronaut_L():
    """The astronaut's lightness at 171 px, the working size of a 1 MP photo."""
    L = lightness(data.astronaut().astype(np.float32) / 255)
    return resize(L, (171, 171), anti_aliasing=True).astype(np.float32)


def test_finds_the_astronauts_face(astronaut_L):
    faces = detect_faces(astronaut_L)
    assert len(faces) >= 1
    top, left, height, width = faces[0]
    # her face is about rows 20-55, columns 55-95 of the 171 px image
    assert 10 < top + height / 2 < 60 and 55 < left + width / 2 < 95
    assert faces.dtype == np.float32 and faces.shape[1] == 4


def test_no_face_in_a_landscape_or_a_tiny_image():
    L = lightness(data.coffee().astype(np.float32) / 255)  # a cup, no face
    assert detect_faces(L[::2, ::2]).shape == (0, 4)
    assert detect_faces(np.full((MIN_FACE - 1, 100), 50.0)).shape == (0, 4)


def test_rejects_color_images():
    with pytest.raises(ValueError, match="2-D lightness"):
        detect_faces(np.zeros((40, 40, 3)))


def test_mask_is_an_ellipse_inside_the_box():
    mask = face_mask((100, 100), [[20, 30, 40, 40]])
    rows, cols = np.nonzero(mask)
    assert mask[40, 50] and not mask[0, 0]
    assert rows.min() >= 19 and rows.max() <= 60 and cols.min() >= 34 and cols.max() <= 66
    # narrower than the box: the cheeks, not the background beside them
    assert cols.max() - cols.min() < 0.85 * 40


def test_mask_at_another_scale_and_offset_matches():
    faces = [[20, 30, 40, 40]]
    whole = face_mask((50, 50), faces, scale=0.5)
    tile = face_mask((20, 30), faces, scale=0.5, offset=(10, 15))
    np.testing.assert_array_equal(tile, whole[10:30, 15:45])
    assert not face_mask((10, 10), np.zeros((0, 4))).any()


# ------------------------------------------------------- the colorizer's face prior
@pytest.fixture(scope="module")
def portrait_model():
    """A tiny colorizer fitted on two portraits (the astronaut, at two sizes) and a cup."""
    from .conftest import tiny_colorizer

    face = data.astronaut()
    return tiny_colorizer(som_shape=(4, 4)).fit(
        [face[::2, ::2], face[::3, ::3], data.coffee()[::2, ::2]])


def test_fit_learns_a_skin_palette_from_the_training_faces(portrait_model):
    q = portrait_model.face_palette_
    assert q.shape == (portrait_model.n_colors_,) and q.dtype == np.float32
    np.testing.assert_allclose(q.sum(), 1, rtol=1e-5)
    # her skin is warm: the palette's mean chroma has u* > 0 (red-ward) and v* > 0 (yellow)
    u, v = q @ portrait_model.codebook_
    assert u > 0 and v > 0


def test_the_face_prior_moves_colors_inside_faces_only(portrait_model):
    gray = (lightness(data.astronaut()[::2, ::2].astype(np.float32) / 255) * 2.55).astype(np.uint8)
    L = portrait_model.lightness(gray)
    faces = portrait_model.faces(L)
    assert len(faces) >= 1
    inside = face_mask(L.shape, faces)
    with_faces = portrait_model.chroma(L)
    without = portrait_model.chroma(L, faces=None)
    np.testing.assert_array_equal(with_faces[~inside], without[~inside])
    assert not np.allclose(with_faces[inside], without[inside])
    # toward the skin palette's colors
    skin = portrait_model.face_palette_ @ portrait_model.codebook_
    assert (np.linalg.norm(with_faces[inside].mean(0) - skin)
            < np.linalg.norm(without[inside].mean(0) - skin))
    off = clone_with(portrait_model, face_prior=0.0)
    assert off.faces(L).shape == (0, 4)
    np.testing.assert_array_equal(off.chroma(L), without)


def test_inside_faces_the_face_palette_replaces_the_photos_palette(portrait_model):
    gray = data.astronaut()[::2, ::2].mean(-1).astype(np.uint8)
    L = portrait_model.lightness(gray)
    inside = face_mask(L.shape, portrait_model.faces(L))
    palette = np.linspace(2, 0.1, portrait_model.n_colors_).astype(np.float32)
    with_palette = portrait_model.probabilities(L, prior=palette)
    without = portrait_model.probabilities(L, prior=None)
    np.testing.assert_allclose(with_palette[inside], without[inside], atol=1e-6)
    assert not np.allclose(with_palette[~inside], without[~inside])


@pytest.mark.parametrize("step", [2, 1])  # 256 px: searched as it is; 512 px: shrunk
def test_predict_and_the_tiles_agree_on_faces(portrait_model, step):
    from nncolor.tiling import colorize_tiled

    gray = data.astronaut()[::step, ::step].mean(-1).astype(np.uint8)
    assert len(portrait_model.faces(portrait_model.lightness(gray))) >= 1
    tiled = colorize_tiled(portrait_model, gray, tile_size=128, dtype=np.float32)
    np.testing.assert_allclose(tiled, portrait_model.predict(gray), atol=1e-5)


def test_no_faces_in_training_means_no_face_prior():
    from .conftest import tiny_colorizer

    model = tiny_colorizer().fit([data.coffee()[::2, ::2], data.chelsea()[::2, ::2]])
    assert model.face_palette_ is None
    assert model.faces(np.full((100, 100), 50.0)).shape == (0, 4)
    assert tiny_colorizer(face_prior=0).fit([data.astronaut()[::2, ::2]]).face_palette_ is None
    assert not model.has_face_prior and not tiny_colorizer().has_face_prior  # nor unfitted


def test_has_face_prior_follows_the_palette_and_the_strength(portrait_model):
    assert portrait_model.has_face_prior
    assert not clone_with(portrait_model, face_prior=0.0).has_face_prior


def clone_with(model, **params):
    """A fitted model's copy with other prediction parameters."""
    import copy

    return copy.deepcopy(model).set_params(**params)
