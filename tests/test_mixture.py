"""The mixture of experts (nncolor.mixture) and the Gabor descriptor its gate reads."""
import copy

import numpy as np
import pytest
from sklearn.base import clone

from nncolor.guidance import (GABOR_DESCRIPTOR_SIZE, KIND_DESCRIPTOR_SIZE, gabor_descriptor,
                              kind_descriptor, lightness_descriptor)
from nncolor.luv import lightness, luv2rgb, rgb2luv
from nncolor.mixture import MixtureOfExperts
from nncolor.model_file import load_model, save_model

from .conftest import tiny_colorizer

KINDS = ["people", "things", "people", "things", "things"]  # astronaut, coffee, chelsea, ...


@pytest.fixture(scope="module")
def mixture(photos):
    return MixtureOfExperts([("people", tiny_colorizer()),
                             ("things", tiny_colorizer(random_state=1))]).fit(photos, KINDS)


# ----------------------------------------------------------------- the descriptor
def test_gabor_descriptor_tells_orientations_apart_and_ignores_a_lightness_offset():
    x = np.arange(64, dtype=np.float32)
    vertical = np.tile(50 + 20 * np.sin(x / 2), (64, 1))  # stripes that vary along x
    horizontal = vertical.T
    a, b = gabor_descriptor(vertical), gabor_descriptor(horizontal)
    assert a.shape == (GABOR_DESCRIPTOR_SIZE,) and a.dtype == np.float32
    by_filter = lambda d: d.reshape(-1, 16).mean(axis=1)  # noqa: E731 (24 filters x 16 cells)
    assert by_filter(a).argmax() != by_filter(b).argmax()
    np.testing.assert_allclose(gabor_descriptor(vertical + 10), a, atol=1e-5)
    with pytest.raises(ValueError, match="2-D"):
        gabor_descriptor(np.zeros((4, 4, 3)))


def test_kind_descriptor_is_both_descriptors():
    L = np.random.default_rng(0).uniform(0, 100, (40, 30))
    assert kind_descriptor(L).shape == (KIND_DESCRIPTOR_SIZE,)
    np.testing.assert_array_equal(
        kind_descriptor(L), np.concatenate([lightness_descriptor(L), gabor_descriptor(L)]))


# ---------------------------------------------------------------------- the mixture
def test_predict_keeps_the_lightness_and_alpha_and_the_gate_gives_probabilities(
        mixture, photos):
    proba = mixture.predict_kind_proba(photos)
    assert proba.shape == (5, 2) and list(mixture.classes_) == ["people", "things"]
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    rgba = np.dstack([photos[0], np.full(photos[0].shape[:2], 200, np.uint8)])
    out = mixture.predict(rgba)
    assert out.shape == (48, 48, 4) and out.dtype == np.float32
    np.testing.assert_allclose(out[..., 3], 200 / 255, atol=1e-6)
    np.testing.assert_allclose(lightness(out[..., :3]), lightness(photos[0] / 255.0), atol=0.5)
    assert len(mixture.predict(photos[:2])) == 2


def test_the_colors_are_the_experts_chroma_weighted_by_the_gate(mixture, photos):
    mix = clone(mixture).set_params(min_weight=0.0).fit(photos, KINDS)
    proba = mix.predict_kind_proba(photos[1])[0]
    chroma = sum(np.float32(p) * mix.expert(kind).predict_chroma(photos[1])
                 for kind, p in zip(mix.classes_, proba))
    L = lightness(photos[1] / np.float32(255))
    np.testing.assert_allclose(mix.predict(photos[1]), luv2rgb(np.dstack([L, chroma])),
                               atol=1e-6)
    np.testing.assert_allclose(mix.predict_chroma(photos[1]), chroma, atol=1e-6)
    assert [c.shape for c in mix.predict_chroma(photos[:2])] == \
        [p.shape[:2] + (2,) for p in photos[:2]]
    # the lightness is the photo's: the mix is brought into the gamut at constant L*
    np.testing.assert_allclose(rgb2luv(mix.predict(photos[1]))[..., 0], L, atol=0.05)


def test_an_expert_under_min_weight_is_left_out(mixture, photos):
    proba = mixture.predict_kind_proba(photos[1])[0]
    low, high = sorted(proba)
    only_top = clone(mixture).set_params(min_weight=(low + high) / 2).fit(photos, KINDS)
    top = only_top.classes_[proba.argmax()]
    assert only_top.expert_weights(photos[1]) == {top: 1.0}
    np.testing.assert_array_equal(only_top.predict(photos[1]),
                                  only_top.expert(top).predict(photos[1]))
    both = clone(mixture).set_params(min_weight=low / 2).fit(photos, KINDS)
    assert both.expert_weights(photos[1]) == pytest.approx(dict(zip(both.classes_, proba)))


def test_an_expert_in_the_mix_stays_down_to_half_min_weight(mixture):
    mix = copy.copy(mixture).set_params(min_weight=0.2)  # the same fitted gate
    people, things = mix.classes_  # the columns' order
    assert mix.weights_of_kind_proba([[0.15, 0.85]]) == [{things: 1.0}]
    assert mix.weights_of_kind_proba([[0.15, 0.85]], kept={people}) == \
        [pytest.approx({people: 0.15, things: 0.85})]
    assert mix.weights_of_kind_proba([[0.09, 0.91]], kept={people}) == [{things: 1.0}]


@pytest.mark.parametrize("proba, match", [
    ([0.5, 0.5], "shape"), ([[0.2, 0.3, 0.5]], "shape"), ([[np.nan, 1.0]], "finite"),
    ([[-0.1, 1.1]], "non-negative")])
def test_weights_of_kind_proba_names_a_bad_input(mixture, proba, match):
    with pytest.raises(ValueError, match=match):
        mixture.weights_of_kind_proba(proba)


def test_kind_proba_of_lightness_takes_a_list_of_images(mixture):
    L = np.full((20, 30), 50.0)
    assert mixture.kind_proba_of_lightness([L, L]).shape == (2, 2)
    for bad in (L, []):
        with pytest.raises(ValueError, match="non-empty list"):
            mixture.kind_proba_of_lightness(bad)
    with pytest.raises(ValueError, match="2-D"):
        mixture.kind_proba_of_lightness([np.zeros((4, 4, 3))])


def test_kinds_that_name_the_same_model_file_share_it(fitted, photos, tmp_path):
    path = str(save_model(fitted, tmp_path / "one.skops"))
    mix = MixtureOfExperts([("people", path), ("things", path)]).fit(photos, KINDS)
    assert mix.fitted_experts_ == {}  # named experts are loaded when used, not stored
    np.testing.assert_allclose(rgb2luv(mix.predict(photos[2]))[..., 1:],
                               rgb2luv(fitted.predict(photos[2]))[..., 1:], atol=0.5)


def test_a_frozen_expert_is_kept_as_fitted_and_takes_n_jobs(fitted, photos):
    from sklearn.frozen import FrozenEstimator

    mix = MixtureOfExperts([("people", FrozenEstimator(fitted)),
                            ("things", tiny_colorizer())], n_jobs=1).fit(photos, KINDS)
    assert mix.expert("people").n_jobs == 1 and fitted.n_jobs != 1
    np.testing.assert_array_equal(mix.expert("people").predict(photos[4]),
                                  fitted.predict(photos[4]))
    assert mix.predict(photos[4]).shape == (48, 48, 3)


def test_a_kind_named_as_a_model_stays_apart_from_it(fitted, photos, tmp_path):
    path = str(save_model(fitted, tmp_path / "people"))
    mix = MixtureOfExperts([(path, tiny_colorizer()), ("things", path)],
                           min_weight=0.0).fit(photos, [path if k == "people" else k
                                                        for k in KINDS])
    assert set(mix.expert_weights(photos[0])) == {path, "things"}


def test_a_shipped_name_is_not_shadowed_by_the_current_folder(photos, tmp_path, monkeypatch):
    (tmp_path / "default").mkdir()  # a folder named as the shipped model
    monkeypatch.chdir(tmp_path)
    mix = MixtureOfExperts([("people", "default"), ("things", "default")]).fit(photos, KINDS)
    assert mix.expert("people").model_card_["command"].endswith("--models default")


def test_hints_are_checked_against_their_own_image(mixture, photos):
    hints = [None, np.zeros((3, 3, 4))]
    with pytest.raises(ValueError, match="hints for image 1"):
        mixture.predict(photos[:2], hints=hints)
    rgba = np.zeros((48, 48, 4))
    rgba[10:14, 10:14] = [1, 0, 0, 1]  # a red hint
    assert mixture.predict(photos[0][..., 0], hints=rgba).shape == (48, 48, 3)


def test_saved_and_loaded_as_a_model_file_it_colorizes_the_same(mixture, photos, tmp_path):
    path = save_model(mixture, tmp_path / "mix.skops")
    loaded = load_model(path)
    assert isinstance(loaded, MixtureOfExperts)
    assert load_model(path, inference_only=True).get_params()["min_weight"] == 0.05
    np.testing.assert_array_equal(loaded.predict(photos[3]), mixture.predict(photos[3]))
    assert loaded.model_card_["experts"] == {"people": "SOMColorizer",
                                             "things": "SOMColorizer"}
    assert loaded.model_card_["training_data"]["n_photos"] == 5  # what the gate saw


def test_clone_and_params_follow_scikit_learn(mixture):
    copy = clone(mixture)
    assert not hasattr(copy, "gate_")
    assert copy.get_params()["experts"][0][0] == "people"
    assert copy.set_params(min_weight=0.2, n_jobs=1).min_weight == 0.2


@pytest.mark.parametrize("experts, y, match", [
    ([("people", "default"), ("animals", "default")], KINDS, "every kind"),
    ([("people", "default")], ["people"] * 5, "at least two kinds"),
    ([("a", "default"), ("a", "people")], ["a"] * 5, "each kind once"),
    ("default", KINDS, "pairs"),
    ([(0, "default"), (1, "people")], [0, 1, 0, 1, 1], "each kind a str"),
    ([("people", 3), ("things", "default")], KINDS, "neither a colorizer"),
    ([("people", "default"), ("things", "default")], KINDS[:3], "one kind per photo"),
])
def test_fit_names_what_is_wrong(photos, experts, y, match):
    with pytest.raises(ValueError, match=match):
        MixtureOfExperts(experts).fit(photos, y)


def test_fit_refuses_a_gate_without_probabilities_and_an_unknown_model(photos):
    from sklearn.svm import LinearSVC

    experts = [("people", "default"), ("things", "default")]
    with pytest.raises(ValueError, match="predict_proba"):
        MixtureOfExperts(experts, gate=LinearSVC()).fit(photos, KINDS)
    with pytest.raises(FileNotFoundError, match="defualt"):
        MixtureOfExperts([("people", "default"), ("things", "defualt")]).fit(photos, KINDS)


def test_fit_refuses_gray_photos_and_a_bad_min_weight(photos):
    experts = [("people", "default"), ("things", "default")]
    with pytest.raises(ValueError, match="grayscale"):
        MixtureOfExperts(experts).fit([p[..., 0] for p in photos], KINDS)
    with pytest.raises(ValueError, match="min_weight"):
        MixtureOfExperts(experts, min_weight=1.0).fit(photos, KINDS)


def test_expert_of_an_unknown_kind_is_a_clear_key_error(mixture):
    with pytest.raises(KeyError, match="the kinds are"):
        mixture.expert("boats")


def test_evaluate_measures_a_mixture_without_a_codebook_accuracy(mixture, photos):
    from nncolor.evaluation import evaluate

    table = evaluate(mixture, photos[:2])
    ours = table[table.method == "colorizer"]
    assert ours["accuracy"].isna().all() and np.isfinite(ours["psnr"]).all()


def test_a_mixture_colorizes_large_images_in_bands_as_predict_does(mixture, photos):
    from skimage.transform import resize
    from sklearn.frozen import FrozenEstimator

    from nncolor.tiling import colorize_image, colorize_mixture_in_bands

    # the experts classify at 48 px, as the shipped ones at their training size
    mix = MixtureOfExperts([(kind, FrozenEstimator(
        copy.deepcopy(mixture.expert(kind)).set_params(working_size=48)))
        for kind in ("people", "things")]).fit(photos, KINDS)
    large = (resize(photos[1], (150, 200)) * 255).astype(np.uint8)
    assert len(mix.expert_weights(large)) == 2  # both experts mixed
    whole = mix.predict(large)
    bands = colorize_mixture_in_bands(mix, large, dtype=np.float32, band_pixels=200 * 16)
    np.testing.assert_allclose(bands, whole, atol=1e-3)
    tiled = colorize_image(mix, large, tile_size=64)  # asked for tiles: bands, uint8
    assert tiled.dtype == np.uint8
    assert np.abs(tiled.astype(np.float32) - whole * 255).max() <= 1
    rgba = np.dstack([large, np.full((150, 200), 7, np.uint8)])
    assert (colorize_mixture_in_bands(mix, rgba)[..., 3] == 7).all()
    # experts at full resolution (working_size=None) would need tiles: refused
    with pytest.raises(ValueError, match="full resolution"):
        colorize_mixture_in_bands(mixture, large)


# ------------------------------------------------------------------------ film
def shot(photo, n, seed):
    """n gray frames of one photo, with film grain."""
    rng = np.random.default_rng(seed)
    L = lightness(photo / 255.0) * 2.55
    return [np.clip(L + rng.normal(0, 3, L.shape), 0, 255).astype(np.uint8) for _ in range(n)]


def test_a_mixture_that_keeps_one_expert_films_as_that_expert(mixture, photos):
    from nncolor.video import colorize_frames

    one = clone(mixture).set_params(min_weight=0.99).fit(photos, KINDS)  # the top expert only
    frames = shot(photos[1], 4, seed=0)
    top = one.expert_weights(frames[0])
    assert len(top) == 1 and all(one.expert_weights(f) == top for f in frames)
    ours = list(colorize_frames(one, frames))
    alone = list(colorize_frames(one.expert(*top), frames))
    for a, b in zip(ours, alone):
        np.testing.assert_array_equal(a.rgb, b.rgb)
        np.testing.assert_allclose(a.chroma, b.chroma, atol=1e-5)


def test_a_mixture_films_at_its_experts_working_resolutions_as_it_colorizes_photos(
        mixture, photos):
    from sklearn.frozen import FrozenEstimator

    from nncolor.video import colorize_frames

    # experts classifying at 16 and 24 px: 48 px frames at factors 3 and 2
    mix = MixtureOfExperts([(kind, FrozenEstimator(
        copy.deepcopy(mixture.expert(kind)).set_params(working_size=size)))
        for kind, size in (("people", 16), ("things", 24))]).fit(photos, KINDS)
    frames = shot(photos[1], 3, seed=0)
    assert len(mix.expert_weights(frames[0])) == 2
    for frame, out in zip(frames, colorize_frames(mix, frames, smoothing=0)):
        expected = np.rint(np.clip(mix.predict(frame), 0, 1) * 255)
        assert np.abs(out.rgb.astype(np.float32) - expected).max() <= 1


def test_a_mixture_film_smooths_and_starts_afresh_at_a_cut(mixture, photos):
    from nncolor.video import colorize_frames, flicker

    first, second = shot(photos[0], 5, seed=1), shot(photos[1], 5, seed=2)
    film = list(colorize_frames(mixture, first + second, raw=True))
    assert len(film) == 10 and film[0].rgb.shape == (48, 48, 3)
    assert flicker([f.chroma for f in film[:5]], [f.L for f in film[:5]]) < \
        flicker([f.raw_chroma for f in film[:5]], [f.L for f in film[:5]])
    # the gate and every expert's smoother forget the first shot at the cut
    for a, b in zip(film[5:], colorize_frames(mixture, second, raw=True)):
        np.testing.assert_array_equal(a.rgb, b.rgb)
    # smoothing off: each frame is colorized as if it were the only one
    for frame, out in zip(first, colorize_frames(mixture, first, smoothing=0)):
        np.testing.assert_array_equal(
            out.chroma, next(colorize_frames(mixture, [frame], smoothing=0)).chroma)


def test_a_mixture_film_is_written_and_not_sent_to_a_cluster(mixture, photos, tmp_path):
    from nncolor.video import colorize_frames, colorize_video

    with pytest.raises(ValueError, match="on this machine only"):
        next(colorize_frames(mixture, shot(photos[0], 2, seed=0), client=object()))
    imageio = pytest.importorskip("imageio.v2", reason="the video extra is not installed")
    pytest.importorskip("imageio_ffmpeg", reason="the video extra is not installed")
    frames = shot(photos[0][:32, :32], 4, seed=0) + shot(photos[1][:32, :32], 4, seed=1)
    imageio.mimwrite(tmp_path / "in.mp4", frames, fps=8, macro_block_size=16)
    report = colorize_video(mixture, tmp_path / "in.mp4", tmp_path / "out.mp4",
                            progress=False)
    assert report.frames == 8 and report.scene_cuts == 1 and report.flicker_raw is not None
    assert (tmp_path / "out.mp4").is_file()
    # the command line: the film, and a cluster refused before one is started
    from .test_cli import nncolor, one_line_error

    model = save_model(mixture, tmp_path / "mix.skops")
    done = nncolor("video", tmp_path / "in.mp4", "-o", tmp_path / "cli.mp4", "--model", model,
                   "-q")
    assert done.returncode == 0 and "8 frames" in done.stdout, done.stderr
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    one_line_error(nncolor("video", tmp_path / "in.mp4", "-o", tmp_path / "dask.mp4",
                           "--model", model, "--dask", "1"), "mixes", "--dask")
    assert not (tmp_path / "dask.mp4").exists()


def test_the_command_line_colorizes_with_a_mixture_and_refuses_a_decoder(
        mixture, photos, tmp_path):
    from PIL import Image

    from .test_cli import nncolor, one_line_error

    model = save_model(mixture, tmp_path / "mix.skops")
    Image.fromarray(photos[0][..., 0]).save(tmp_path / "in.png")
    done = nncolor("colorize", tmp_path / "in.png", "-o", tmp_path / "out", "--model", model)
    assert done.returncode == 0, done.stderr
    assert np.asarray(Image.open(tmp_path / "out" / "in_colorized.png")).shape == (48, 48, 3)
    one_line_error(nncolor("colorize", tmp_path / "in.png", "-o", tmp_path / "out2",
                           "--model", model, "--decoder", "annealed"), "mixes", "--decoder")
    info = nncolor("info", model)
    assert info.returncode == 0 and "people: SOMColorizer" in info.stdout, info.stderr


def test_the_page_offers_mixtures_with_their_experts_colors(mixture, fitted, photos,
                                                             tmp_path):
    pytest.importorskip("starlette", reason="the web extra is not installed")
    pytest.importorskip("httpx2", reason="starlette's test client needs httpx2 (the test extra)")
    from PIL import Image
    from starlette.testclient import TestClient

    from nncolor.web.app import create_app

    save_model(fitted, tmp_path / "default.skops")
    save_model(mixture, tmp_path / "mix.skops")
    Image.fromarray(photos[1][..., 0]).save(tmp_path / "gray.png")
    with TestClient(create_app(models_folder=tmp_path), base_url="http://127.0.0.1") as client:
        assert client.get("/api/options").json()["models"] == ["default", "mix"]
        colors = client.get("/api/palette?model=mix").json()["colors"]
        experts = {tuple(c) for kind in mixture.classes_ for c in mixture.expert(kind).codebook_}
        assert len(colors) == len(experts) == 18  # two 3x3 codebooks, no color shared
        uploaded = client.post("/api/model", files={"file": (
            "mix.skops", (tmp_path / "mix.skops").read_bytes(), "application/octet-stream")})
        assert uploaded.status_code == 200 and uploaded.json()["n_colors"] is None
        photo = client.post("/api/photo", files={"file": (
            "gray.png", (tmp_path / "gray.png").read_bytes(), "image/png")}).json()["id"]
        job = {"photo": photo, "model": uploaded.json()["id"], "strokes": []}
        assert client.post("/api/colorize", json=job).status_code == 200
        explore = client.post("/api/explore", json=job)
        assert explore.status_code == 400 and "single model" in explore.json()["error"]
        decoder = client.post("/api/colorize", json={**job, "decoder": "mode"})
        assert decoder.status_code == 400 and "own decoder" in decoder.json()["error"]
        # a mixture naming files: the server would open paths the uploader chose
        probing = copy.copy(mixture)
        probing.experts = [("people", "/etc/passwd"), ("things", "default")]
        save_model(probing, tmp_path / "probe.skops")
        refused = client.post("/api/model", files={"file": (
            "probe.skops", (tmp_path / "probe.skops").read_bytes(), "application/octet-stream")})
        assert refused.status_code == 400 and "only the shipped models" in refused.text
        assert "passwd" not in refused.text


def test_expert_weights_add_up_shared_models_and_leave_out_small_ones(fitted, photos, tmp_path):
    path = str(save_model(fitted, tmp_path / "one.skops"))
    mix = MixtureOfExperts([("people", path), ("things", path)]).fit(photos, KINDS)
    assert mix.expert_weights(photos[0]) == {"people": pytest.approx(1.0)}
    weights = MixtureOfExperts([("people", tiny_colorizer()), ("things", path)],
                               min_weight=0.0).fit(photos, KINDS).expert_weights(photos)
    assert len(weights) == 5 and all(set(w) == {"people", "things"} for w in weights)
    assert all(sum(w.values()) == pytest.approx(1.0) for w in weights)
