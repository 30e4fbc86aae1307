"""Film colorization: frame by frame through ffmpeg, with the colors held steady in time.

A per-frame colorizer flickers: film grain and compression noise move each pixel's patch
a little from frame to frame, the classifier's distribution over the K codebook colors
moves with it, and a decoder turns that into visibly jumping colors on walls and skies
that do not move at all. We smooth the *distributions*, not the colors, before decoding:

* **EMA of each pixel's K-probability vector**:
  ``s_t = a * s_{t-1} + (1 - a) * p_t``. Averaging distributions keeps them
  distributions, so every decoder (mode, expectation, annealed, MRF) applies unchanged,
  and an undecided pixel that jumps between two colors settles on the one that wins on
  average instead of alternating (averaging decoded colors would give a muddy mean).
* **Gated by motion, per pixel**: ``a = smoothing * exp(-(d / motion_scale) ** 2)`` with
  ``d`` the mean of ``|L_t - L_{t-1}|`` over the classifier's patch around the pixel. The
  classifier sees only that patch, so if the patch did not change, any change of the
  distribution is noise and is averaged away; where something moves across the pixel
  the patch changes, ``a`` drops to about 0 and the pixel takes the new frame's
  distribution at once (no smear of a moving object's color over the background). The
  patch mean, rather than the pixel's own change, keeps grain from closing the gate.
* **Reset at scene cuts**: when the frame's mean ``|L_t - L_{t-1}|`` exceeds
  ``cut_threshold`` the history is dropped, so no color of the previous shot leaks into
  pixels of the new one that happen to have a similar lightness.

The decoded chroma is joined with each frame's own L (the lightness of the film is never
changed), converted to RGB and encoded. The **flicker measure** is the mean Euclidean
change of the decoded (u, v) between consecutive frames over *static* pixels (those whose
L changed by less than ``threshold``), with and without smoothing.

Frames are streamed: memory holds one frame, its probabilities and the smoother's state
(``H x W x K`` float32 each), whatever the length of the film. imageio and
imageio-ffmpeg (which ships its own ffmpeg) are imported only when a video is read or
written, so nncolor works without them (``pip install nncolor[video]``).
"""
import os
import tempfile
import time
import warnings
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from fractions import Fraction
from numbers import Real
from pathlib import Path
from typing import NamedTuple

import numpy as np
from scipy.ndimage import maximum_filter, uniform_filter
from sklearn.utils.validation import check_is_fitted

from ._images import check_image
from .container import (aspect_option, display_sar, last_error, parse_ffmpeg_log, probe,
                        remux, run_ffmpeg)
from .io import atomic_path, check_pixel_count

#: Output extensions :func:`colorize_video` writes (containers ffmpeg writes H.264 into).
VIDEO_SUFFIXES = (".mp4", ".mkv", ".mov", ".avi")

_INSTALL = "pip install nncolor[video]"  # or: pip install imageio imageio-ffmpeg


# --------------------------------------------------------------- smoothing
class TemporalSmoother:
    """Exponential moving average of per-pixel codebook distributions across frames.

    Parameters
    ----------
    smoothing : float in [0, 1), default=0.7
        Weight of the past on a pixel whose patch did not change: 0 turns smoothing off;
        0.7 averages over about ``1 / (1 - 0.7) = 3.3`` frames.
    motion_scale : float, default=4.0
        L* change (mean over the patch) at which the weight of the past falls to
        ``smoothing / e``; at twice it, to 2 % of ``smoothing``.
    cut_threshold : float, default=15.0
        Mean ``|L_t - L_{t-1}|`` over the frame (L* units) above which the frame starts a
        new shot and the history is dropped.
    window : int, default=5
        Side of the square over which a pixel's L change is averaged; use the
        classifier's patch size (:func:`colorize_frames` does).

    Attributes
    ----------
    n_cuts_ : int
        Scene cuts detected so far.

    Notes
    -----
    Call it once per frame, in order; :meth:`reset` before an unrelated sequence. The
    returned array is the smoother's state: read it, do not modify it.
    """

    def __init__(self, smoothing=0.7, motion_scale=4.0, cut_threshold=15.0, window=5):
        self.smoothing = _check_number("smoothing", smoothing, lambda x: 0 <= x < 1, "in [0, 1)")
        self.motion_scale = _check_number("motion_scale", motion_scale, lambda x: x > 0, "> 0")
        self.cut_threshold = _check_number("cut_threshold", cut_threshold, lambda x: x > 0,
                                           "> 0")
        self.window = int(_check_number("window", window, lambda x: x >= 1 and x == int(x),
                                        "a positive integer"))
        self.reset()

    def reset(self):
        """Forget the past: the next frame is taken as it is."""
        self._state = self._L = None
        self.n_cuts_ = 0

    def __call__(self, proba, L):
        """Smoothed distributions of the next frame.

        Parameters
        ----------
        proba : ndarray of float32, shape (H, W, K)
            The classifier's distributions for this frame.
        L : ndarray of float32, shape (H, W)
            This frame's lightness.

        Returns
        -------
        ndarray of float32, shape (H, W, K)
            Still sums to one over the last axis.
        """
        proba = np.asarray(proba, dtype=np.float32)
        L = np.asarray(L, dtype=np.float32)
        if self.smoothing == 0:
            return proba
        prev, prev_L = self._state, self._L
        self._L = L
        fresh = prev is None or prev.shape != proba.shape
        if not fresh:
            change = np.abs(L - prev_L)
            if change.mean() > self.cut_threshold:  # a new shot: its past is not ours
                self.n_cuts_ += 1
                fresh = True
        if fresh:
            self._state = proba.copy()  # not the caller's array, which it may change
            return self._state
        d = uniform_filter(change, size=self.window, mode="nearest")
        a = np.float32(self.smoothing) * np.exp(-np.square(d / np.float32(self.motion_scale)))
        # s = p + a (s - p) in a new array, written once: a state handed out is never
        # changed later, so callers may keep it without a copy
        s = prev - proba
        s *= a[..., None]
        s += proba
        self._state = s
        return s


def _check_number(name, value, ok, rule):
    if isinstance(value, bool) or not isinstance(value, Real) or not ok(value):
        raise ValueError(f"TemporalSmoother: {name} must be {rule}, got {value!r}")
    return float(value)


# ----------------------------------------------------------------- flicker
class FlickerMeter:
    """Mean frame-to-frame chroma change on static pixels, accumulated frame by frame.

    Parameters
    ----------
    threshold : float, default=2.0
        A pixel is static between two consecutive frames when its L* changed by less
        than this (above film grain and compression noise, below visible motion).
    window : int, default=1
        With ``window > 1`` a pixel is static only if every pixel of the ``window x
        window`` square around it is: a static *region*. Use the colorizer's patch size
        to leave out pixels whose color may rightly change because something moved in
        the patch the classifier sees; 1 looks at the pixel alone.

    Attributes
    ----------
    total_ : float
        Sum of the chroma changes ``||(u, v)_t - (u, v)_{t-1}||`` over static pixels.
    count_ : int
        Static pixels counted, over all pairs of consecutive frames.
    """

    def __init__(self, threshold=2.0, window=1):
        self.threshold = threshold
        self.window = window
        self.total_, self.count_ = 0.0, 0
        self._prev = None

    def update(self, chroma, L):
        """Add the next frame: ``chroma`` (H, W, 2) (u, v), ``L`` (H, W) lightness."""
        chroma = np.asarray(chroma, dtype=np.float32)
        L = np.asarray(L, dtype=np.float32)
        if self._prev is not None and self._prev[1].shape == L.shape:
            prev_uv, prev_L = self._prev
            change = np.abs(L - prev_L)
            if self.window > 1:
                change = maximum_filter(change, size=self.window, mode="nearest")
            static = change < self.threshold
            step = np.sqrt(np.square(chroma[static] - prev_uv[static]).sum(axis=-1))
            self.total_ += float(step.sum(dtype=np.float64))
            self.count_ += int(step.size)
        self._prev = (chroma, L)
        return self

    @property
    def value(self):
        """The mean chroma change in (u, v) units; NaN if no pixel was static."""
        return self.total_ / self.count_ if self.count_ else float("nan")


def flicker(frames_uv, frames_L, threshold=2.0, window=1):
    """Mean frame-to-frame chroma change on static pixels of a sequence.

    Parameters
    ----------
    frames_uv : iterable of ndarray, shape (H, W, 2)
        Each frame's (u, v) chroma.
    frames_L : iterable of ndarray, shape (H, W)
        Each frame's lightness L*.
    threshold : float, default=2.0
        Pixels whose L* changes by less than this between two consecutive frames are
        static; only they are measured (a moving edge may rightly change color).
    window : int, default=1
        Require the whole ``window x window`` square around a pixel to be static
        (see :class:`FlickerMeter`).

    Returns
    -------
    float
        Mean Euclidean (u, v) change, NaN when no pixel is static.

    Examples
    --------
    >>> import numpy as np
    >>> L = np.zeros((2, 2), np.float32)
    >>> uv = [np.zeros((2, 2, 2)), np.full((2, 2, 2), [3.0, 4.0])]
    >>> flicker(uv, [L, L])
    5.0
    """
    meter = FlickerMeter(threshold, window)
    for uv, L in zip(frames_uv, frames_L):
        meter.update(uv, L)
    return meter.value


# ------------------------------------------------------------------ frames
class ColorizedFrame(NamedTuple):
    """One colorized frame, as :func:`colorize_frames` yields it."""

    rgb: np.ndarray  #: H x W x 3 uint8
    L: np.ndarray  #: H x W float32 lightness of the input frame
    chroma: np.ndarray  #: H x W x 2 float32 (u, v) after temporal smoothing
    raw_chroma: np.ndarray | None  #: the same frame decoded alone (only with ``raw=True``)


def colorize_frames(colorizer, frames, *, smoothing=0.7, raw=False, client=None):
    """Colorize a sequence of frames with temporal smoothing; a generator.

    Works on any iterable of images (a video reader, a list, a chunk of a film in a batch
    job: give each chunk a few frames of the previous one to warm the smoother up, and
    drop their output).

    Parameters
    ----------
    colorizer : fitted SOMColorizer
    frames : iterable of images
        Gray or RGB frames, any dtype the colorizer accepts (uint8 from a video).
    smoothing : float or TemporalSmoother, default=0.7
        The smoother's weight of the past (see :class:`TemporalSmoother`, whose window is
        then the colorizer's patch size), or a configured smoother; 0 turns it off.
    raw : bool, default=False
        Also decode each frame's own distributions (``raw_chroma``), for comparison.
    client : distributed.Client, optional
        Compute the frames' probabilities on a Dask cluster (:mod:`nncolor.distributed`);
        smoothing, decoding and the output stay here, in frame order, so the frames are
        the same as without a client.

    Yields
    ------
    ColorizedFrame
    """
    check_is_fitted(colorizer)
    smoother = _smoother(smoothing, colorizer)
    for L, proba in _probabilities(colorizer, frames, client):
        chroma = colorizer.decode_proba(smoother(proba, L), L)
        raw_chroma = None
        if raw:  # without smoothing the raw frame is the output: no second decode
            raw_chroma = chroma if smoother.smoothing == 0 else colorizer.decode_proba(proba, L)
        rgb = colorizer.to_rgb(L, chroma)
        yield ColorizedFrame(_to_uint8(rgb), L, chroma, raw_chroma)


def _probabilities(colorizer, frames, client):
    """(lightness, probabilities) of each frame, in order: here or on the workers."""
    checked = ((frame, check_image(frame, name=f"frame {i}")[0])
               for i, frame in enumerate(frames))
    lightness = colorizer.color_space_.lightness
    if client is None:  # each frame checked and its lightness computed once
        return ((L, colorizer.probabilities(L))
                for L in (lightness(pixels) for _, pixels in checked))
    from .distributed import map_frames

    # the smoother is sequential: only the classifier runs on the workers
    return ((lightness(pixels), proba) for pixels, proba in map_frames(client, colorizer, checked))


def _to_uint8(rgb):
    return np.rint(np.clip(rgb, 0, 1) * np.float32(255)).astype(np.uint8)


# ------------------------------------------------------------------- files
@dataclass(frozen=True)
class VideoReport:
    """What :func:`colorize_video` did.

    ``flicker_raw`` and ``flicker_smoothed`` are the mean frame-to-frame (u, v) change on
    static pixels (:func:`flicker`) of the frames decoded alone and of the output;
    ``flicker_raw`` is None when not measured.
    """

    src: Path
    dst: Path
    frames: int
    fps: float
    size: tuple  #: (width, height)
    audio: bool  #: the output carries the input's audio
    scene_cuts: int
    flicker_raw: float | None
    flicker_smoothed: float
    seconds: float
    left_out: tuple = ()  #: what the input carries and the output container cannot hold

    def as_dict(self):
        """The report as a plain dict (paths as strings), e.g. for JSON."""
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}

    def summary(self):
        """A one-line human summary."""
        w, h = self.size
        line = (f"{self.dst}: {self.frames} frames {w}x{h} at {self.fps:g} fps"
                f"{' with audio' if self.audio else ''} in {self.seconds:.1f} s "
                f"({self.frames / max(self.seconds, 1e-9):.1f} frames/s); ")
        if self.flicker_raw is not None:
            line += f"flicker {self.flicker_raw:.3f} -> {self.flicker_smoothed:.3f}"
        else:
            line += f"flicker {self.flicker_smoothed:.3f}"
        return line + f" (u, v) on static pixels; {self.scene_cuts} scene cuts"


def colorize_video(colorizer, src, dst, *, smoothing=0.7, overwrite=False, progress=True,
                   max_frames=None, measure_flicker=True, flicker_threshold=2.0, quality=8,
                   codec="libx264", client=None, max_pixels=None):
    """Colorize a video file into a new one, keeping its frame rate, size, shape and the
    rest of what it carries.

    Frames are read and written through ffmpeg (imageio-ffmpeg's own binary), one at a
    time, upright (a rotation flag is applied); each is colorized by
    :func:`colorize_frames` (temporal smoothing of the color distributions, reset at scene
    cuts) and encoded as H.264 yuv420p, which browsers and common players play, with the
    input's display aspect ratio (non-square pixels stay non-square). A second ffmpeg pass
    (:func:`nncolor.container.remux`) adds what else the input carries, as far as the
    output container holds it: every audio track (copied, or re-encoded to AAC where
    the container or its players need it, as PCM in MP4), subtitles, other streams,
    chapters and metadata (title, languages, creation time). What cannot be kept is named
    in one warning line and in the report's ``left_out``. The output appears only when
    complete.

    Parameters
    ----------
    colorizer : fitted SOMColorizer
    src : path-like
        Input video (any format ffmpeg reads; gray or color frames).
    dst : path-like
        Output video; the container follows its extension (``.mp4``, ``.mkv``, ...).
    smoothing : float or TemporalSmoother, default=0.7
        See :func:`colorize_frames`; 0 colorizes every frame alone.
    overwrite : bool, default=False
        Replace an existing ``dst``.
    progress : bool, default=True
        Show a progress bar (frames and frames per second).
    max_frames : int, optional
        Stop after this many frames (the audio is cut to match).
    measure_flicker : bool, default=True
        Also decode every frame without smoothing, to report ``flicker_raw`` (costs one
        more decode per frame; with ``decoder="mrf"`` one more MRF).
    flicker_threshold : float, default=2.0
        L* change under which a pixel counts as static for the flicker measure.
    quality : float in [1, 10], default=8
        Encoder quality (imageio's scale: 10 is lossless H.264, 8 is CRF 10).
    codec : str, default="libx264"
    client : distributed.Client, optional
        Classify the frames on a Dask cluster (see :func:`colorize_frames`).
    max_pixels : int, optional
        Refuse a video whose frames declare more pixels, before decoding any; None:
        ``nncolor.io.MAX_PIXELS``, the limit images have.

    Returns
    -------
    VideoReport

    Raises
    ------
    FileNotFoundError
        ``src`` does not exist.
    FileExistsError
        ``dst`` exists and ``overwrite`` is False.
    ValueError
        ``src`` is not a readable video, ``dst`` is ``src``, the video has no frames, or
        its frames are larger than ``max_pixels``.
    ImportError
        imageio or imageio-ffmpeg is not installed.
    """
    iio, ffmpeg = _backend()
    check_is_fitted(colorizer)
    src, dst = _check_src(src), Path(dst)
    if dst.suffix.lower() not in VIDEO_SUFFIXES:
        raise ValueError(f"{dst}: cannot tell the video format from its name; end it with "
                         f"{', '.join(VIDEO_SUFFIXES)}")
    if dst.resolve() == src.resolve():
        raise ValueError(f"the output {dst} is the input video; choose another name")
    if max_frames is not None and max_frames < 1:
        raise ValueError(f"max_frames must be at least 1, got {max_frames}")
    if not 1 <= quality <= 10:
        raise ValueError(f"quality must be between 1 and 10, got {quality}")
    start = time.perf_counter()
    raw_meter, meter = FlickerMeter(flicker_threshold), FlickerMeter(flicker_threshold)
    smoother = _smoother(smoothing, colorizer)
    smoother.reset()  # a smoother given by the caller may remember another film
    n = 0
    # atomic_path first: an existing dst is refused before ffmpeg even opens src
    with atomic_path(dst, overwrite) as tmp, _third_party_warnings(), \
            _closing(_open_reader(iio, src)) as reader:
        meta = reader.get_meta_data()
        check_pixel_count(src, meta["size"], max_pixels)
        fps = _frame_rate(meta["fps"])
        info = probe(ffmpeg.get_ffmpeg_exe(), src)
        # the frames go to a second temporary file; the last pass puts the input's sound,
        # subtitles, chapters and tags beside them
        with _sibling_temp(dst) as video_tmp:
            with _closing(_writer(iio, video_tmp, fps, meta["size"], quality, codec,
                                  display_sar(info.video))) as writer, \
                    _progress(progress, _expected_frames(meta, max_frames), src.name) as bar:
                for out in colorize_frames(colorizer, _read(reader, src, max_frames),
                                           smoothing=smoother, raw=measure_flicker,
                                           client=client):
                    writer.append_data(out.rgb)
                    meter.update(out.chroma, out.L)
                    if measure_flicker:
                        raw_meter.update(out.raw_chroma, out.L)
                    n += 1
                    bar.update()
            if n == 0:
                raise ValueError(f"{src} holds no video frames")
            _check_written(ffmpeg, video_tmp)
            seconds = float(n / fps) if max_frames is not None else None
            kept, left_out = remux(ffmpeg.get_ffmpeg_exe(), video_tmp, src, tmp, info, seconds)
    w, h = meta["size"]
    return VideoReport(src=src, dst=dst, frames=n, fps=float(fps), size=(w, h),
                       audio=any(s.kind == "audio" for s in kept), scene_cuts=smoother.n_cuts_,
                       flicker_raw=raw_meter.value if measure_flicker else None,
                       flicker_smoothed=meter.value, seconds=time.perf_counter() - start,
                       left_out=tuple(left_out))


def read_frames(src, max_frames=None):
    """The frames of a video file as ``H x W x 3`` uint8 arrays, streamed.

    The file is checked now (a missing or unreadable file raises at once); the frames
    are read one at a time as the returned iterator is consumed, for
    :func:`colorize_frames` or a batch job.
    """
    iio, _ = _backend()
    src = _check_src(src)
    reader = _open_reader(iio, src)

    def frames():
        with _closing(reader):
            yield from _read(reader, src, max_frames)

    return frames()


def _check_src(src):
    src = Path(src)
    if not src.is_file():
        raise FileNotFoundError(f"{src}: no such video file")
    return src


def _smoother(smoothing, colorizer):
    """A TemporalSmoother as given, or one of weight ``smoothing`` over the patch size."""
    if isinstance(smoothing, TemporalSmoother):
        return smoothing
    return TemporalSmoother(smoothing, window=colorizer.features_.patch_size)


def _backend():
    """imageio (v2 API) and imageio_ffmpeg, imported on first use."""
    try:
        import imageio.v2 as iio
        import imageio_ffmpeg
    except ImportError as exc:
        raise ImportError(
            f"video support needs imageio and imageio-ffmpeg ({exc}); install them with "
            f"`{_INSTALL}`") from exc
    return iio, imageio_ffmpeg


@contextmanager
def _closing(resource):
    """Close an imageio reader or writer on every exit.

    Their own ``with`` closes them only on success: after an error ffmpeg would keep
    running until garbage collection, and a writer could create its file after
    :func:`~nncolor.io.atomic_path` removed it.
    """
    try:
        yield resource
    except BaseException:
        with suppress(Exception):  # the first error is the one to report
            resource.close()
        raise
    resource.close()


def _open_reader(iio, src):
    """An imageio ffmpeg reader of ``src``, or a ValueError naming the file."""
    try:
        reader = iio.get_reader(src, format="FFMPEG")
    except Exception as exc:  # imageio raises OSError, RuntimeError or IndexError here
        raise ValueError(f"{src} is not a readable video: {last_error(exc)}") from None
    if not reader.get_meta_data().get("fps"):
        reader.close()
        raise ValueError(f"{src}: ffmpeg cannot tell the frame rate of this video")
    return reader


def _read(reader, src, max_frames):
    """Frames from the reader, up to ``max_frames``; read errors name the file."""
    frames = iter(reader)
    count = 0
    while max_frames is None or count < max_frames:
        try:
            frame = next(frames)
        except StopIteration:
            return
        except Exception as exc:
            raise ValueError(f"{src}: could not read frame {count}: "
                             f"{last_error(exc)}") from exc
        count += 1
        yield frame


def _frame_rate(fps):
    """The exact frame rate behind ffmpeg's rounded one (it prints 23.98 for 24000/1001).

    Writing 23.98 fps instead of 24000/1001 would drift the picture 0.3 s from the
    copied sound every 30 minutes; the NTSC rates are snapped back to their fractions.
    """
    for base in (24, 30, 48, 60, 120):
        if abs(fps - base * 1000 / 1001) < 0.006:
            return Fraction(base * 1000, 1001)
    return Fraction(fps).limit_denominator(1001)


def _writer(iio, path, fps, size, quality, codec, sar=1):
    """An imageio ffmpeg writer at the input's frame rate, size and pixel shape.

    ``macro_block_size=1``: imageio would otherwise scale frames up to a multiple of 16.
    yuv420p (what every player reads) needs even sides; odd ones get yuv444p, which
    browsers and QuickTime do not play (said in a warning). ``sar``: the input's sample
    aspect ratio, kept as the display aspect ratio (``-aspect``), so a 4:3 film stored in
    360 x 240 pixels still shows at 4:3.
    """
    w, h = size
    pixelformat = "yuv420p" if w % 2 == 0 and h % 2 == 0 else "yuv444p"
    if pixelformat != "yuv420p":
        warnings.warn(f"the frames are {w} x {h} pixels, an odd size, so the film is written "
                      "as yuv444p, which browsers and QuickTime do not play; crop or pad the "
                      "input to even sides for yuv420p", RuntimeWarning, stacklevel=3)
    return iio.get_writer(path, format="FFMPEG", fps=fps, codec=codec, quality=quality,
                          macro_block_size=1, pixelformat=pixelformat,
                          ffmpeg_log_level="error", output_params=aspect_option(size, sar))


@contextmanager
def _third_party_warnings():
    """imageio and imageio-ffmpeg report through ``logging`` (printed raw on stderr):
    turn their records into Python warnings, which the command line prints in its own
    one-line format and a library user filters as usual. imageio's note that the frame
    size read differs from the stored one is dropped: it means the frames are rotated
    upright, which :func:`colorize_video` expects."""
    import logging

    class ToWarnings(logging.Handler):
        def emit(self, record):
            text = " ".join(record.getMessage().split())
            if "frame size for reading" not in text:
                warnings.warn(f"ffmpeg: {text}", RuntimeWarning, stacklevel=2)

    handler = ToWarnings(logging.WARNING)
    loggers = [logging.getLogger(name) for name in ("imageio", "imageio_ffmpeg")]
    saved = [(lg.propagate, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.propagate = False
    try:
        yield
    finally:
        for lg, (propagate, _) in zip(loggers, saved):
            lg.removeHandler(handler)
            lg.propagate = propagate


def _expected_frames(meta, max_frames):
    """Frame count for the progress bar: an estimate from duration x fps, or None."""
    duration = meta.get("duration") or 0
    estimate = round(duration * meta["fps"]) or None
    if max_frames is not None:
        return min(max_frames, estimate) if estimate else max_frames
    return estimate


def _progress(enabled, total, name):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="frame", desc=f"colorizing {name}", disable=not enabled)


@contextmanager
def _sibling_temp(path):
    """A temporary file name beside ``path`` (same folder and extension), removed on exit."""
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.video.", suffix=path.suffix,
                                dir=path.parent)
    os.close(fd)
    try:
        yield Path(name)
    finally:
        if os.path.exists(name):
            os.unlink(name)


def _run_ffmpeg(ffmpeg, args):
    """Run the bundled ffmpeg; returns (exit status, stderr text)."""
    return run_ffmpeg(ffmpeg.get_ffmpeg_exe(), args)


def probe_streams(path):
    """The kinds of streams in a media file, e.g. ``{"video", "audio"}`` (ffmpeg's view;
    :func:`nncolor.container.probe` tells more)."""
    _, ffmpeg = _backend()
    return {s.kind for s in probe(ffmpeg.get_ffmpeg_exe(), path).streams}


def _check_written(ffmpeg, path):
    """ffmpeg's writer can fail without an exception (e.g. an encoder that refuses the
    frame size): make sure a video stream was written before the file is published."""
    _, log = _run_ffmpeg(ffmpeg, ["-i", str(path)])
    if not parse_ffmpeg_log(log).of_kind("video"):
        raise RuntimeError(f"ffmpeg wrote no video to {path}: {last_error(log)}")
