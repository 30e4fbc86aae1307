"""Film colorization: temporal smoothing, the flicker measure, and video files through ffmpeg.

The file tests use a synthetic gray film (12 frames, 64 x 48, 10 fps): a static textured
background (``camera``) with grain, a band with a gradient moving 6 px per frame, and a
bright bar whose position encodes the frame index, written losslessly.
"""
import copy
import importlib.util
import subprocess
import sys

import numpy as np
import pytest
from skimage import data

from nncolor.video import (FlickerMeter, TemporalSmoother, colorize_frames, colorize_video,
                           flicker, probe_streams, read_frames)

from .conftest import small

HAVE_FFMPEG = all(importlib.util.find_spec(m) for m in ("imageio", "imageio_ffmpeg"))
needs_ffmpeg = pytest.mark.skipif(
    not HAVE_FFMPEG, reason="imageio and imageio-ffmpeg are not installed (nncolor[video])")

N, H, W, FPS = 12, 48, 64, 10


def bar_position(frame):
    """Middle column of the frame-index bar in the top rows."""
    strip = np.asarray(frame, np.float32)[:4].reshape(4, W, -1).mean(axis=(0, 2))
    return int(np.round(np.flatnonzero(strip > 128).mean()))


def synthetic_film(seed=0, n=N, height=H, width=W):
    rng = np.random.default_rng(seed)
    background = small(data.camera(), max(height, width))[:height, :width].astype(np.float32)
    frames = []
    for i in range(n):
        f = background.copy()
        f[20:36] = ((np.arange(width) * 4 + 6 * i) % 256)[None, :]  # moving gradient
        f += rng.normal(0, 1.5, f.shape)  # grain: a per-frame decoder flickers on it
        f[:4] = 0
        f[:4, 2 + 5 * i:5 + 5 * i] = 255  # the frame index, as a bar position
        frames.append(np.clip(np.rint(f), 0, 255).astype(np.uint8))
    return frames


def write_video(path, frames, fps=FPS):
    """Lossless H.264 (yuv444p: any frame size)."""
    import imageio.v2 as iio

    iio.mimwrite(path, frames, format="FFMPEG", fps=fps, quality=10, macro_block_size=1,
                 pixelformat="yuv444p")
    return path


def ffmpeg(*args):
    import imageio_ffmpeg

    return subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-y", *args],
                          capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def film():
    return synthetic_film()


@pytest.fixture(scope="module")
def gray_video(tmp_path_factory, film):
    if not HAVE_FFMPEG:
        pytest.skip("imageio and imageio-ffmpeg are not installed (nncolor[video])")
    return write_video(tmp_path_factory.mktemp("film") / "gray.mp4", film)


@pytest.fixture(scope="module")
def sound_video(tmp_path_factory, gray_video):
    """The film with a 440 Hz tone (ffmpeg's lavfi generator)."""
    out = tmp_path_factory.mktemp("sound") / "with_audio.mp4"
    run = ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1.2", "-i",
                 str(gray_video), "-map", "1:v", "-map", "0:a", "-c:v", "copy", "-c:a", "aac",
                 str(out))
    if run.returncode != 0:
        pytest.skip(f"this ffmpeg cannot generate a test tone with lavfi: {run.stderr[-200:]}")
    return out


@pytest.fixture
def col(fitted):
    """A private copy of the session's fitted tiny colorizer (tests change it)."""
    return copy.deepcopy(fitted)


# ------------------------------------------------------------- the smoother
def test_smoother_is_an_ema_where_the_patch_is_static():
    rng = np.random.default_rng(0)
    p1, p2 = (rng.dirichlet(np.ones(4), (6, 6)).astype(np.float32) for _ in range(2))
    L = np.full((6, 6), 50, np.float32)
    smoother = TemporalSmoother(0.6, window=3)
    np.testing.assert_array_equal(smoother(p1, L), p1)  # the first frame as it is
    np.testing.assert_allclose(smoother(p2, L), 0.6 * p1 + 0.4 * p2, rtol=1e-6)
    np.testing.assert_allclose(smoother(p2, L).sum(-1), 1, rtol=1e-5)
    assert smoother.n_cuts_ == 0


def test_smoother_follows_motion_at_once_and_resets_at_cuts():
    rng = np.random.default_rng(1)
    p1, p2 = (rng.dirichlet(np.ones(4), (12, 12)).astype(np.float32) for _ in range(2))
    L1 = np.full((12, 12), 50, np.float32)
    L2 = L1.copy()
    L2[:, 8:] = 90  # an object enters the right third; the left stays still
    smoother = TemporalSmoother(0.7, motion_scale=4, window=3)
    smoother(p1, L1)
    out = smoother(p2, L2).copy()
    np.testing.assert_allclose(out[:, 9:], p2[:, 9:], atol=1e-6)  # moving: the new frame
    np.testing.assert_allclose(out[:, :6], 0.7 * p1[:, :6] + 0.3 * p2[:, :6], rtol=1e-5)
    # a new shot: every pixel changes a lot, the past is dropped
    np.testing.assert_array_equal(smoother(p1, L2 - 40), p1)
    assert smoother.n_cuts_ == 1
    # no smoothing: frames pass through untouched, and the cuts are still counted
    off = TemporalSmoother(0)
    assert off(p2, L1) is p2 and off(p1, L1) is p1 and off(p2, L2 - 40) is p2
    assert off.n_cuts_ == 1


@pytest.mark.parametrize("kwargs", [{"smoothing": 1.0}, {"smoothing": -0.1},
                                    {"smoothing": "0.5"}, {"motion_scale": 0},
                                    {"window": 2.5}, {"cut_threshold": True}])
def test_smoother_rejects_bad_settings(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        TemporalSmoother(**kwargs)


# ------------------------------------------------------------ the flicker measure
def test_flicker_counts_static_pixels_only():
    L0 = np.zeros((4, 4), np.float32)
    L1 = L0.copy()
    L1[0, 0] = 50  # a moving pixel: its color change is not flicker
    uv0 = np.zeros((4, 4, 2), np.float32)
    uv1 = np.full((4, 4, 2), [3.0, 4.0], np.float32)
    uv1[0, 0] = 100
    assert flicker([uv0, uv1], [L0, L1]) == pytest.approx(5.0)
    meter = FlickerMeter(threshold=2.0, window=3)  # static regions: (0, 0)'s neighbours out
    meter.update(uv0, L0).update(uv1, L1)
    assert meter.count_ == 16 - 4 and meter.value == pytest.approx(5.0)
    assert np.isnan(flicker([uv0, uv1], [L0, L0 + 10]))  # nothing static
    assert np.isnan(flicker([uv0], [L0]))  # one frame: no pairs


# -------------------------------------------------------------- decode_proba
@pytest.mark.parametrize("decoder", ["mode", "expectation", "annealed", "mrf"])
def test_decode_proba_is_the_last_step_of_predict(col, photos, decoder):
    col.set_params(decoder=decoder)
    gray = photos[4].mean(axis=-1).astype(np.uint8)
    L = col.color_space_.lightness(gray / np.float32(255))
    chroma = col.decode_proba(col.predict_proba(gray), L)
    assert chroma.shape == gray.shape + (2,) and chroma.dtype == np.float32
    rgb = col.color_space_.inverse_transform(np.dstack([L, chroma]))
    np.testing.assert_allclose(rgb, col.predict(gray), atol=1e-5)
    with pytest.raises(ValueError, match="expected proba"):
        col.decode_proba(np.ones((4, 4, 3)), L[:4, :4])


def test_colorize_frames_streams_and_smooths(col, film):
    raw = smoothed = None
    for smoothing in (0.0, 0.7):
        outs = list(colorize_frames(col, iter(film), smoothing=smoothing, raw=True))
        assert len(outs) == N and outs[0].rgb.shape == (H, W, 3)
        assert outs[0].rgb.dtype == np.uint8
        raw = flicker([o.raw_chroma for o in outs], [o.L for o in outs])
        smoothed = flicker([o.chroma for o in outs], [o.L for o in outs])
        if smoothing == 0:
            assert smoothed == raw
    assert smoothed < raw


def test_frames_are_classified_at_the_working_resolution_as_photos_are(col, film):
    col.set_params(working_size=16)  # 48 x 64 frames: classified at 16 x 22 (factor 3)
    assert col.reduction_factor((H, W)) == 3
    for frame, out in zip(film, colorize_frames(col, film, smoothing=0)):
        expected = np.rint(np.clip(col.predict(frame), 0, 1) * 255)
        assert np.abs(out.rgb.astype(np.float32) - expected).max() <= 1
        assert out.chroma.shape == (H, W, 2) and out.L.shape == (H, W)
    L, L_work, proba, scale = col.working_probabilities(film[0])
    assert L_work.shape == (16, 22) and proba.shape[:2] == (16, 22)
    with pytest.raises(ValueError, match="working_lightness"):  # the full L is no L_work
        col.working_chroma(L, L, np.zeros(L.shape + (2,), np.float32))
    smoother = TemporalSmoother(0.7, window=col.features_.patch_size)
    outs = list(colorize_frames(col, film, smoothing=smoother, raw=True))
    assert smoother._state.shape[:2] == (16, 22)  # smoothed where it was classified
    assert flicker([o.chroma for o in outs], [o.L for o in outs]) < \
        flicker([o.raw_chroma for o in outs], [o.L for o in outs])


# ------------------------------------------------------------- video files
@needs_ffmpeg
def test_colorize_video_keeps_frames_rate_size_and_order(col, gray_video, film, tmp_path,
                                                         capsys):
    dst = tmp_path / "out" / "color.mp4"
    report = colorize_video(col, gray_video, dst, progress=True)
    assert "frame" in capsys.readouterr().err  # the progress bar
    assert dst.is_file() and sorted(p.name for p in dst.parent.iterdir()) == ["color.mp4"]
    assert (report.frames, report.fps, report.size, report.audio) == (N, FPS, (W, H), False)
    assert report.dst == dst and report.scene_cuts == 0 and report.seconds > 0
    out = list(read_frames(dst))
    assert len(out) == N and out[0].shape == (H, W, 3)
    assert [bar_position(f) for f in out] == [bar_position(f) for f in film]
    assert np.ptp(np.asarray(out, np.float32), axis=-1).mean() > 1  # not gray
    assert probe_streams(dst) == {"video"}
    # grain makes the per-frame colors flicker on the static background; smoothing calms it
    assert report.flicker_smoothed < report.flicker_raw
    assert "flicker" in report.summary() and report.as_dict()["dst"] == str(dst)


@needs_ffmpeg
def test_audio_is_copied_and_cut_with_max_frames(col, sound_video, tmp_path):
    assert probe_streams(sound_video) == {"video", "audio"}
    dst = tmp_path / "color.mp4"
    report = colorize_video(col, sound_video, dst, progress=False, max_frames=6,
                            measure_flicker=False)
    assert report.audio and report.frames == 6 and report.flicker_raw is None
    assert probe_streams(dst) == {"video", "audio"}
    assert len(list(read_frames(dst))) == 6
    duration = ffmpeg("-i", str(dst)).stderr.split("Duration: ")[1].split(",")[0]
    h, m, s = duration.split(":")
    assert float(s) < 1.0  # the 1.2 s tone was cut to the 0.6 s of video
    assert sorted(p.name for p in tmp_path.iterdir()) == ["color.mp4"]


@needs_ffmpeg
@pytest.mark.parametrize("source", ["gray_video", "sound_video"])
def test_failure_mid_stream_leaves_no_file(col, source, request, tmp_path, monkeypatch):
    src = request.getfixturevalue(source)
    calls = []
    probabilities = col.probabilities

    def failing(L, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("disk on fire")
        return probabilities(L, **kwargs)

    monkeypatch.setattr(col, "probabilities", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        colorize_video(col, src, tmp_path / "color.mp4", progress=False)
    assert list(tmp_path.iterdir()) == []  # neither the output nor a temporary file


@needs_ffmpeg
def test_refuses_to_overwrite_and_to_write_over_the_input(col, gray_video, tmp_path):
    dst = tmp_path / "color.mp4"
    dst.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="color.mp4"):
        colorize_video(col, gray_video, dst, progress=False)
    assert dst.read_bytes() == b"precious"
    report = colorize_video(col, gray_video, dst, overwrite=True, progress=False,
                            measure_flicker=False)
    assert report.frames == N and probe_streams(dst) == {"video"}
    with pytest.raises(ValueError, match="is the input"):
        colorize_video(col, gray_video, gray_video, overwrite=True, progress=False)


@needs_ffmpeg
@needs_ffmpeg
def test_frames_over_the_pixel_limit_are_refused_before_decoding(col, gray_video, tmp_path):
    dst = tmp_path / "big.mp4"
    with pytest.raises(ValueError, match=f"{H * W - 1:,}.*max_pixels"):
        colorize_video(col, gray_video, dst, max_pixels=H * W - 1, progress=False)
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary left
    colorize_video(col, gray_video, dst, max_pixels=H * W, progress=False, max_frames=2)
    assert dst.is_file()


def test_clear_errors_for_missing_and_unreadable_inputs(col, tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.mp4"):
        colorize_video(col, tmp_path / "nothing.mp4", tmp_path / "out.mp4")
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a film\n")
    with pytest.raises(ValueError, match=r"notes\.mp4 is not a readable video"):
        colorize_video(col, fake, tmp_path / "out.mp4", progress=False)
    with pytest.raises(ValueError, match=r"notes\.mp4 is not a readable video"):
        read_frames(fake)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.mp4"]


@needs_ffmpeg
def test_odd_frame_sizes_are_kept(col, tmp_path):
    # H.264 in yuv420p needs even sides; the writer must neither fail silently nor resize
    src = write_video(tmp_path / "odd.mp4", synthetic_film(n=3, height=47, width=63))
    with pytest.warns(RuntimeWarning, match="63 x 47 pixels.*yuv444p.*even sides"):
        report = colorize_video(col, src, tmp_path / "out.mp4", progress=False)
    assert report.size == (63, 47)
    assert [f.shape for f in read_frames(tmp_path / "out.mp4")] == [(47, 63, 3)] * 3


def test_without_imageio_the_error_says_what_to_install(col, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # import now fails
    with pytest.raises(ImportError, match=r"pip install 'nncolor\[video\]'"):
        colorize_video(col, tmp_path / "in.mp4", tmp_path / "out.mp4")


@needs_ffmpeg
def test_ntsc_frame_rate_is_kept_exactly(col, film, tmp_path):
    from fractions import Fraction

    # ffmpeg shows 24000/1001 as "23.98"; writing 23.98 would drift from the sound
    src = write_video(tmp_path / "ntsc.mp4", film[:3], fps=Fraction(24000, 1001))
    report = colorize_video(col, src, tmp_path / "out.mp4", progress=False)
    assert report.fps == pytest.approx(24000 / 1001, rel=1e-12)
    stream = ffmpeg("-i", str(tmp_path / "out.mp4")).stderr.split("Video:")[1].splitlines()[0]
    assert "23.98 fps" in stream and "24k tbn" in stream  # 23.98 itself would give 19184 tbn


@needs_ffmpeg
def test_audio_the_container_refuses_is_reencoded(col, sound_video, tmp_path):
    # A-law PCM is fine in Matroska but MP4 refuses it: the copy fails, AAC is used
    src = tmp_path / "alaw.mkv"
    run = ffmpeg("-i", str(sound_video), "-c:v", "copy", "-c:a", "pcm_alaw", str(src))
    assert run.returncode == 0, run.stderr[-300:]
    report = colorize_video(col, src, tmp_path / "out.mp4", progress=False,
                            measure_flicker=False)
    assert report.audio
    assert "Audio: aac" in ffmpeg("-i", str(tmp_path / "out.mp4")).stderr


def test_smoother_outputs_are_the_callers_to_keep():
    rng = np.random.default_rng(1)
    frames = [rng.dirichlet(np.ones(3), (4, 4)).astype(np.float32) for _ in range(3)]
    L = np.full((4, 4), 50, np.float32)
    smoother = TemporalSmoother(0.5, window=1)
    kept = [smoother(p, L) for p in frames]
    np.testing.assert_array_equal(kept[0], frames[0])  # not changed by the later frames
    np.testing.assert_allclose(kept[1], 0.5 * frames[0] + 0.5 * frames[1], rtol=1e-6)


def test_output_without_a_video_extension_is_refused_early(col, gray_video, tmp_path):
    with pytest.raises(ValueError, match="cannot tell the video format.*mp4"):
        colorize_video(col, gray_video, tmp_path / "out", progress=False)
    assert not list(tmp_path.iterdir())
