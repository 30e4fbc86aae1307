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

Each frame is classified, smoothed and decoded at the colorizer's working resolution
(:meth:`~nncolor.SOMColorizer.working_probabilities`, the shrunk frame a photo of its
size would get), and the chroma is upsampled along the frame's full-resolution lightness
(:meth:`~nncolor.SOMColorizer.working_rgb`): a frame decoded alone is what ``predict``
gives for it. Frames are streamed: memory holds one frame, its probabilities and the
smoother's state (``h x w x K`` float32 each, at the working resolution), whatever the
length of the film. imageio and
imageio-ffmpeg (which ships its own ffmpeg) are imported only when a video is read or
written, so nncolor works without them (``pip install 'nncolor[video]'``). Reading and
writing the film, and keeping what else its container carries, is :mod:`nncolor.container`'s
work; this module colorizes the frames in between.
"""
import time
from dataclasses import asdict, dataclass
from numbers import Real
from pathlib import Path
from typing import NamedTuple

import numpy as np
from scipy.ndimage import maximum_filter, uniform_filter
from sklearn.utils.validation import check_is_fitted

from . import container
from ._images import check_image
# read_frames and probe_streams live with the rest of the ffmpeg plumbing in
# nncolor.container; they are importable from here too, where they were first
from .container import probe_streams, read_frames  # noqa: F401
from .io import atomic_path, check_pixel_count
from .luv import lightness
from .mixture import MixtureOfExperts

#: Output extensions :func:`colorize_video` writes (containers ffmpeg writes H.264 into).
VIDEO_SUFFIXES = (".mp4", ".mkv", ".mov", ".avi")


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

    def new_shot(self, L):
        """Whether this frame starts a shot: the first frame, or a scene cut.

        Records ``L`` as the last frame seen and counts the cut in ``n_cuts_``; called by
        :meth:`__call__` (do not call both for one frame).

        Parameters
        ----------
        L : ndarray of float32, shape (H, W)
            The frame's lightness.

        Returns
        -------
        bool
        """
        return self._change(L) is None

    def _change(self, L):
        """``|L - L_prev|`` of this frame, or None when it starts a shot (see new_shot)."""
        L = np.asarray(L, dtype=np.float32)
        prev_L, self._L = self._L, L
        if prev_L is None or prev_L.shape != L.shape:
            return None
        change = np.abs(L - prev_L)
        if change.mean() > self.cut_threshold:  # its past is not ours
            self.n_cuts_ += 1
            return None
        return change

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
        prev, change = self._state, self._change(L)  # cuts are counted even unsmoothed
        if self.smoothing == 0:
            return proba
        if change is None or prev is None or prev.shape != proba.shape:
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
    #: H x W x 2 float32 (u, v) after temporal smoothing (upsampled from the working
    #: resolution, before the output's gamut mapping)
    chroma: np.ndarray
    raw_chroma: np.ndarray | None  #: the same frame decoded alone (only with ``raw=True``)


def colorize_frames(colorizer, frames, *, smoothing=0.7, raw=False, client=None):
    """Colorize a sequence of frames with temporal smoothing; a generator.

    Works on any iterable of images (a video reader, a list, a chunk of a film in a batch
    job: give each chunk a few frames of the previous one to warm the smoother up, and
    drop their output).

    A mixture of models (:class:`nncolor.MixtureOfExperts`) colorizes a film the same
    way, twice over: the gate's probabilities of each kind are smoothed from frame to frame
    with the same weight of the past (and reset at the same cuts), and an expert in the mix
    stays in it until its weight falls under half ``min_weight``, so a shot does not hop
    between experts; each expert in the mix smooths its own distributions (a
    :class:`TemporalSmoother` with the given settings over the expert's patch size,
    started afresh when the expert comes back after frames without it); and the frame's
    chroma is the experts' decoded chroma weighted by the gate.

    Parameters
    ----------
    colorizer : fitted SOMColorizer or MixtureOfExperts
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
        the same as without a client. Not with a mixture of models.

    Yields
    ------
    ColorizedFrame

    Raises
    ------
    ValueError
        A frame is not an image, or ``client`` is given with a mixture of models.
    """
    check_is_fitted(colorizer)
    smoother = _smoother(smoothing, colorizer)
    _check_client(colorizer, client)
    if isinstance(colorizer, MixtureOfExperts):
        yield from _mixture_frames(colorizer, frames, smoother, raw)
        return
    for L, L_work, proba, scale in _probabilities(colorizer, frames, client):
        chroma = colorizer.decode_proba(smoother(proba, L_work), L_work, scale=scale)
        rgb = colorizer.working_rgb(L, L_work, chroma)
        full = colorizer.working_chroma(L, L_work, chroma)
        raw_chroma = None
        if raw:  # without smoothing the raw frame is the output: no second decode
            raw_chroma = full if smoother.smoothing == 0 else colorizer.working_chroma(
                L, L_work, colorizer.decode_proba(proba, L_work, scale=scale))
        yield ColorizedFrame(_to_uint8(rgb), L, full, raw_chroma)


def _check_client(colorizer, client):
    if client is not None and isinstance(colorizer, MixtureOfExperts):
        raise ValueError("a mixture of models colorizes film on this machine only; "
                         "leave out the Dask cluster, or use one of its models")


def _mixture_frames(mixture, frames, smoother, raw):
    """:func:`colorize_frames` for a mixture of models: the gate's probabilities smoothed
    over time (reset when ``smoother`` sees a new shot), each expert's distributions
    smoothed by a smoother of its own."""
    film = _ExpertsOnFilm(mixture, smoother)
    gate = None
    for _, pixels in _checked(frames):
        L = lightness(pixels)
        proba = mixture.kind_proba_of_lightness([L])[0]
        film.frame(pixels)
        # new_shot on every frame: it keeps the last frame's L and counts the cuts
        shot = smoother.new_shot(L) or smoother.smoothing == 0
        gate = proba if shot or gate is None else \
            smoother.smoothing * gate + (1 - smoother.smoothing) * proba
        weights = mixture.weights_of_kind_proba(gate[None], kept=film.smoothers)[0]
        film.keep(weights)
        chroma = film.chroma(weights, smooth=True)
        raw_chroma = None
        if raw:  # the frame alone: its own gate, its experts' own distributions
            raw_chroma = chroma if smoother.smoothing == 0 else film.chroma(
                mixture.weights_of_kind_proba(proba[None])[0], smooth=False)
        top = film.expert(max(weights, key=weights.get))
        yield ColorizedFrame(_to_uint8(top.to_rgb(L, chroma)), L, chroma, raw_chroma)


class _ExpertsOnFilm:
    """A mixture's experts along a film: each loaded once, and each smoothed by a
    :class:`TemporalSmoother` of its own (``template``'s settings over its own patch size,
    at its own working resolution) while the gate keeps it in the mix."""

    def __init__(self, mixture, template):
        self.mixture, self.template = mixture, template
        self.experts, self.smoothers = {}, {}
        self.pixels, self.stages = None, {}

    def frame(self, pixels):
        """The next frame: each expert's stages of it are computed when first asked for."""
        self.pixels, self.stages = pixels, {}

    def expert(self, kind):
        if kind not in self.experts:
            self.experts[kind] = self.mixture.expert(kind)
        return self.experts[kind]

    def keep(self, kinds):
        """Smoothers for the experts in the mix; an expert out of it loses its past, so
        that one coming back starts afresh, as at a cut."""
        for kind in set(self.smoothers) - set(kinds):
            del self.smoothers[kind]
        t = self.template
        for kind in kinds:
            if kind not in self.smoothers:
                self.smoothers[kind] = TemporalSmoother(
                    t.smoothing, t.motion_scale, t.cut_threshold,
                    window=self.expert(kind).features_.patch_size)

    def chroma(self, weights, smooth):
        """The frame's (u, v): the experts' full-size chroma weighted by ``weights``
        ({kind: weight}), each from its smoothed (or its own) distributions."""
        out = 0
        for kind, w in weights.items():
            expert = self.expert(kind)
            if kind not in self.stages:
                self.stages[kind] = expert.working_probabilities(self.pixels)
            L, L_work, proba, scale = self.stages[kind]
            p = self.smoothers[kind](proba, L_work) if smooth else proba
            chroma = expert.working_chroma(L, L_work,
                                           expert.decode_proba(p, L_work, scale=scale))
            out = out + np.float32(w) * chroma
        return out


def _checked(frames):
    """(frame, its checked pixels) of each frame, in order."""
    return ((frame, check_image(frame, name=f"frame {i}")[0]) for i, frame in enumerate(frames))


def _probabilities(colorizer, frames, client):
    """(lightness, working lightness, probabilities, chroma scale) of each frame
    (:meth:`~nncolor.SOMColorizer.working_probabilities`), in order: here or on the
    workers."""
    checked = _checked(frames)
    if client is None:
        return (colorizer.working_probabilities(pixels) for _, pixels in checked)
    from .distributed import map_frames

    def here(pixels, proba, scale):  # the lightness is cheaper to compute than to send
        L = colorizer.color_space_.lightness(pixels)
        return L, colorizer.working_lightness(L)[0], proba, scale

    # the smoother is sequential: only the classifier runs on the workers
    return (here(pixels, *result) for pixels, result in map_frames(client, colorizer, checked))


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
        cuts = f"{self.scene_cuts} scene cut{'' if self.scene_cuts == 1 else 's'}"
        return line + f" (u, v) on static pixels; {cuts}"


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
    colorizer : fitted SOMColorizer or MixtureOfExperts
    src : path-like
        Input video (any format ffmpeg reads; gray or color frames).
    dst : path-like
        Output video; the container follows its extension (``.mp4``, ``.mkv``, ...).
    smoothing : float or TemporalSmoother, default=0.7
        See :func:`colorize_frames`; 0 colorizes every frame alone.
    overwrite : bool, default=False
        Replace an existing ``dst``.
    progress : bool or None, default=True
        Show a progress bar (frames and frames per second); None: only when stderr is a
        terminal (or in a notebook), so that a log or a pipe gets no carriage returns.
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
        ``src`` is not a readable video, ``dst`` is ``src``, the video has no frames, its
        frames are larger than ``max_pixels``, or ``client`` is given with a mixture of
        models.
    ImportError
        imageio or imageio-ffmpeg is not installed.
    """
    container.backend()  # the missing library is named before anything else
    check_is_fitted(colorizer)
    _check_client(colorizer, client)
    src, dst = container.check_video_file(src), check_video_name(dst)
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
    with atomic_path(dst, overwrite) as tmp, container.ffmpeg_log_as_warnings(), \
            container.closed_on_exit(container.open_reader(src)) as reader:
        meta = reader.get_meta_data()
        check_pixel_count(src, meta["size"], max_pixels)
        fps = container.exact_frame_rate(meta["fps"])
        exe = container.ffmpeg_exe()
        info = container.probe(exe, src)
        # the frames go to a second temporary file; the last pass puts the input's sound,
        # subtitles, chapters and tags beside them
        with container.temporary_sibling(dst) as video_tmp:
            with container.closed_on_exit(container.open_writer(
                    video_tmp, fps, meta["size"], quality=quality, codec=codec,
                    sar=container.display_sar(info.video))) as writer, \
                    _progress(progress, container.expected_frames(meta, max_frames),
                              src.name) as bar:
                frames = container.iter_frames(reader, src, max_frames)
                for out in colorize_frames(colorizer, frames, smoothing=smoother,
                                           raw=measure_flicker, client=client):
                    writer.append_data(out.rgb)
                    meter.update(out.chroma, out.L)
                    if measure_flicker:
                        raw_meter.update(out.raw_chroma, out.L)
                    n += 1
                    bar.update()
            if n == 0:
                raise ValueError(f"{src} holds no video frames")
            container.check_written(video_tmp)
            seconds = float(n / fps) if max_frames is not None else None
            kept, left_out = container.remux(exe, video_tmp, src, tmp, info, seconds)
    w, h = meta["size"]
    return VideoReport(src=src, dst=dst, frames=n, fps=float(fps), size=(w, h),
                       audio=any(s.kind == "audio" for s in kept), scene_cuts=smoother.n_cuts_,
                       flicker_raw=raw_meter.value if measure_flicker else None,
                       flicker_smoothed=meter.value, seconds=time.perf_counter() - start,
                       left_out=tuple(left_out))


def check_video_name(path):
    """The name of a video to write, checked to tell its format.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        Its extension is none of :data:`VIDEO_SUFFIXES` (a folder's name, an image's).
    """
    path = Path(path)
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        raise ValueError(f"{path}: cannot tell the video format from its name; end it with "
                         f"{', '.join(VIDEO_SUFFIXES)}")
    return path


def _smoother(smoothing, colorizer):
    """A TemporalSmoother as given, or one of weight ``smoothing`` over the patch size (a
    mixture's experts each smooth over their own)."""
    if isinstance(smoothing, TemporalSmoother):
        return smoothing
    if isinstance(colorizer, MixtureOfExperts):
        return TemporalSmoother(smoothing)
    return TemporalSmoother(smoothing, window=colorizer.features_.patch_size)


def _progress(enabled, total, name):
    from tqdm.auto import tqdm

    # None: tqdm's own rule, no bar where stderr is no terminal
    disable = None if enabled is None else not enabled
    return tqdm(total=total, unit="frame", desc=f"colorizing {name}", disable=disable)
