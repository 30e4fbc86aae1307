"""Face detection on lightness images (nncolor.faces)."""
import numpy as np
import pytest
from skimage import data
from skimage.transform import resize

from nncolor.color import lightness
from nncolor.faces import MIN_FACE, detect_faces, face_mask, face_weights


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


def test_weights_fade_the_ellipse_out_over_its_soft_edge():
    faces = [[20, 30, 40, 40], [60, 60, 20, 20]]
    hard = face_mask((100, 100), faces)
    np.testing.assert_array_equal(face_weights((100, 100), faces, feather=0), hard)
    soft = face_weights((100, 100), faces, feather=0.4)
    assert soft.dtype == np.float32 and soft.min() == 0 and soft.max() == 1
    assert soft[40, 50] == 1 and soft[0, 0] == 0  # the centre, far away
    edge = (soft > 0) & (soft < 1)
    assert (soft[hard] > 0).all() and edge.any() and (edge & ~hard).any()  # in and out
    # full within 0.6 of the radius (20.6 rows) of the centre (row 40), none beyond 1.4
    column = soft[:, 50]
    assert column[40] == 1 and 0 < column[25] < 1 and 0 < column[13] and column[10] == 0
    with pytest.raises(ValueError, match="feather"):
        face_weights((10, 10), faces, feather=1.5)


def test_a_larger_size_grows_the_ellipse_about_the_same_centre():
    faces = [[20, 30, 40, 40]]
    small, large = face_mask((100, 100), faces), face_mask((100, 100), faces, size=1.3)
    assert (large >= small).all() and large.sum() > 1.5 * small.sum()
    rows, cols = np.nonzero(large)
    # centred on the box's centre (row 40, column 50); radii 1.3 times 20.6 rows and
    # 15.4 columns (the box's inscribed ellipse: 1.03 and 0.77 of its half sides)
    assert rows.min() + rows.max() in (79, 80, 81) and cols.min() + cols.max() in (99, 100, 101)
    assert abs((rows.max() - rows.min() + 1) - 2 * 1.3 * 20.6) <= 1.5
    assert abs((cols.max() - cols.min() + 1) - 2 * 1.3 * 15.4) <= 1.5
    soft = face_weights((100, 100), faces, feather=0.4, size=1.3)
    np.testing.assert_array_equal(face_weights((100, 100), faces, feather=0.4, size=1.0),
                                  face_weights((100, 100), faces, feather=0.4))
    assert (soft >= face_weights((100, 100), faces, feather=0.4)).all()
    for size in (0, -1, "1"):
        with pytest.raises(ValueError, match="size must be a positive number"):
            face_weights((10, 10), faces, feather=0.4, size=size)
        with pytest.raises(ValueError, match="size must be a positive number"):
            face_mask((10, 10), np.zeros((0, 4)), size=size)  # even with no face


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
    # a soft edge and a larger ellipse, for models fitted now
    assert portrait_model.face_feather == 0.4 and portrait_model.face_size == 1.3
    inside = face_weights(L.shape, faces, feather=0.4, size=1.3) > 0
    with_faces = portrait_model.chroma(L)
    without = portrait_model.chroma(L, faces=None)
    np.testing.assert_array_equal(with_faces[~inside], without[~inside])
    assert not np.allclose(with_faces[inside], without[inside])
    # a hard edge at size 1: only inside the box's ellipse, which the others go beyond
    hard = clone_with(portrait_model, face_feather=0.0, face_size=1.0).chroma(L)
    np.testing.assert_array_equal(hard[~face_mask(L.shape, faces)],
                                  without[~face_mask(L.shape, faces)])
    assert not np.array_equal(hard, with_faces)
    smaller = clone_with(portrait_model, face_size=1.0).chroma(L)
    grown = face_weights(L.shape, faces, feather=0.4, size=1.3) > face_weights(
        L.shape, faces, feather=0.4)
    assert grown.any() and not np.allclose(smaller[grown], with_faces[grown])
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
    weights = face_weights(L.shape, portrait_model.faces(L), feather=0.4, size=1.3)
    palette = np.linspace(2, 0.1, portrait_model.n_colors_).astype(np.float32)
    with_palette = portrait_model.probabilities(L, prior=palette)
    without = portrait_model.probabilities(L, prior=None)
    inside = weights == 1  # the face palette alone; on the soft edge, both
    assert inside.any()
    np.testing.assert_allclose(with_palette[inside], without[inside], atol=1e-6)
    assert not np.allclose(with_palette[~inside], without[~inside])


@pytest.mark.parametrize("step", [2, 1])  # 256 px: searched as it is; 512 px: shrunk
def test_predict_and_the_tiles_agree_on_faces(portrait_model, step):
    from nncolor.tiling import colorize_tiled

    gray = data.astronaut()[::step, ::step].mean(-1).astype(np.uint8)
    assert len(portrait_model.faces(portrait_model.lightness(gray))) >= 1
    tiled = colorize_tiled(portrait_model, gray, tile_size=128, dtype=np.float32)
    np.testing.assert_allclose(tiled, portrait_model.predict(gray), atol=1e-5)


def test_face_size_is_checked_at_fit():
    from sklearn.utils._param_validation import InvalidParameterError

    from .conftest import tiny_colorizer

    with pytest.raises(InvalidParameterError, match="face_size"):
        tiny_colorizer(face_size=0).fit([data.coffee()[::4, ::4]])


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


def test_on_the_soft_edge_the_two_palettes_blend(portrait_model):
    from nncolor.guidance import palette_weights, reweight

    gray = data.astronaut()[::2, ::2].mean(-1).astype(np.uint8)
    L = portrait_model.lightness(gray)
    weights = face_weights(L.shape, portrait_model.faces(L), feather=0.4, size=1.3)
    edge = (weights > 0) & (weights < 1)
    palette = np.linspace(2, 0.1, portrait_model.n_colors_).astype(np.float32)
    ours = portrait_model.probabilities(L, prior=palette)[edge]
    plain = portrait_model.probabilities(L, prior=None, faces=None)[edge]
    skin = palette_weights(portrait_model.face_palette_, portrait_model.codebook_frequencies_,
                           portrait_model.face_prior)
    w = weights[edge][:, None]
    np.testing.assert_allclose(ours, reweight(plain, skin ** w * palette ** (1 - w), None),
                               atol=1e-5)
    with pytest.raises(ValueError, match="non-negative"):
        portrait_model.probabilities(L, prior=-palette)
