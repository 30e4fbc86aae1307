"""Film containers: what a media file carries, and a colorized picture put back beside it.

:func:`probe` reads what ffmpeg says about a file (``ffmpeg -i``; imageio-ffmpeg ships
ffmpeg but no ffprobe): its streams (kind, codec, language, sample aspect ratio,
rotation), chapters, global metadata and duration. :func:`remux` puts a newly encoded
picture together with everything else the input carries that the output container can
hold: every audio track (copied, or re-encoded to AAC where the container or common
players need it, such as PCM in MP4), subtitles (converted to MP4's text format where
needed), data and attachment streams, the global and per-stream metadata (title,
language tags, creation time) and the chapters. What the container cannot hold is
compared afterwards and named in one warning line.

The frames themselves go in and out through imageio's ffmpeg plugin: :func:`read_frames`
(or :func:`open_reader` and :func:`iter_frames` when the metadata is wanted first) and
:func:`open_writer`, with :func:`closed_on_exit` around either so that no ffmpeg process
outlives an error, :func:`ffmpeg_log_as_warnings` so that imageio's log lines come out as
Python warnings, and :func:`check_written` before a written file is published. imageio and
imageio-ffmpeg (which ships its own ffmpeg) are imported only when a film is read or written
(:func:`backend`), so nncolor works without them (``pip install 'nncolor[video]'``).
"""
import os
import re
import subprocess
import tempfile
import warnings
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

#: Audio codecs MP4 players (browsers, QuickTime) play; others are re-encoded to AAC there.
MP4_AUDIO = {"aac", "mp3", "alac", "ac3", "eac3"}
#: QuickTime (.mov) plays these and uncompressed PCM.
MOV_AUDIO = MP4_AUDIO | {"pcm_s16le", "pcm_s16be", "pcm_s24le", "pcm_s24be", "pcm_f32le"}
#: Text subtitles MP4 and QuickTime hold only as their own timed text (mov_text).
TEXT_SUBTITLES = {"subrip", "srt", "ass", "ssa", "webvtt", "mov_text", "text"}

_INSTALL = "pip install 'nncolor[video]'"  # or: pip install imageio imageio-ffmpeg

# global tags every muxer rewrites: not the input's to keep
_MUXER_TAGS = {"encoder", "major_brand", "minor_version", "compatible_brands", "duration",
               "handler_name", "vendor_id", "software"}  # software: AVI's name for encoder


@dataclass(frozen=True)
class Stream:
    """One stream of a media file, as ffmpeg describes it."""

    index: int  #: its number in the file (``0:index``)
    kind: str  #: "video", "audio", "subtitle", "data" or "attachment"
    codec: str  #: ffmpeg's codec name, e.g. "h264", "pcm_s16le", "subrip"
    language: str | None = None  #: ISO 639-2 code, e.g. "fra"
    sar: Fraction = Fraction(1)  #: sample (pixel) aspect ratio, width / height
    rotation: int = 0  #: display rotation in degrees, counter-clockwise (0, 90, 180, 270)
    attached_pic: bool = False  #: a cover picture, not a film

    def describe(self):
        language = f" ({self.language})" if self.language else ""
        return f"{self.kind} stream #{self.index} ({self.codec}){language}"


@dataclass(frozen=True)
class MediaInfo:
    """What :func:`probe` found in a file."""

    streams: tuple = ()
    chapters: tuple = ()  #: each chapter's start, in seconds
    metadata: dict = field(default_factory=dict)  #: global tags, lower-case keys
    duration: float | None = None  #: seconds

    def of_kind(self, kind):
        return [s for s in self.streams if s.kind == kind]

    @property
    def video(self):
        """The picture stream that is colorized (the first that is no cover picture)."""
        return next((s for s in self.streams if s.kind == "video" and not s.attached_pic),
                    None)


def run_ffmpeg(exe, args):
    """Run ffmpeg ``exe`` (imageio-ffmpeg's); returns (exit status, stderr text).

    Parameters
    ----------
    exe : str or Path
        The ffmpeg program.
    args : list
        Its arguments after ``-hide_banner``; each is passed as ``str(arg)``.

    Returns
    -------
    returncode : int
        ffmpeg's exit status (not checked: a failure is the caller's to judge).
    stderr : str
        What ffmpeg wrote on stderr, undecodable bytes replaced.

    Raises
    ------
    OSError
        ``exe`` cannot be run (``FileNotFoundError`` when it does not exist).
    """
    proc = subprocess.run([str(exe), "-hide_banner", *map(str, args)], capture_output=True,
                          text=True, errors="replace", check=False)
    return proc.returncode, proc.stderr


def probe(exe, path):
    """What ``path`` carries: streams, chapters, global metadata, duration.

    Parameters
    ----------
    exe : str or Path
        The ffmpeg program.
    path : str or Path

    Returns
    -------
    MediaInfo
        Empty (no streams) for a file ffmpeg cannot read.
    """
    return parse_ffmpeg_log(run_ffmpeg(exe, ["-i", path])[1])


_STREAM = re.compile(r"^\s*Stream #\d+:(\d+)(?:\[0x[0-9a-fA-F]+\])?(?:\((\w+)\))?: "
                     r"(Video|Audio|Subtitle|Data|Attachment): (\w+)")
_SAR = re.compile(r"\[SAR (\d+):(\d+) DAR \d+:\d+\]")
_ROTATION = re.compile(r"rotation of (-?[\d.]+) degrees", re.I)
_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_TAG = re.compile(r"^(\s*)([^:]+?)\s*: (.*)$")


def parse_ffmpeg_log(log):
    """A :class:`MediaInfo` from the text ``ffmpeg -i FILE`` writes about its input.

    Parameters
    ----------
    log : str
        ffmpeg's stderr (:func:`run_ffmpeg`); anything from ``Output #`` on is ignored.

    Returns
    -------
    MediaInfo
        The input's streams (with language, sample aspect ratio, rotation in degrees
        and whether a cover picture), chapter starts in seconds, global tags (keys in
        lower case) and duration in seconds (None when ffmpeg gives none); empty for
        text that describes no input.
    """
    streams, chapters, metadata, duration = [], [], {}, None
    current, section = None, None
    for line in log.splitlines():
        if line.startswith("Output #"):
            break
        indent = len(line) - len(line.lstrip())
        text = line.strip()
        found = _STREAM.match(line)
        if found:
            current = _new_stream(found, line)
            streams.append(current)
            section = "stream"
            continue
        chapter = re.match(r"Chapter #\d+:\d+: start (-?[\d.]+)", text)
        if chapter:
            chapters.append(float(chapter.group(1)))
            section = "chapter"
        elif text == "Chapters:":
            section = "chapter"
        elif text.startswith("Duration:"):
            time = _DURATION.match(text)  # "Duration: N/A" for a stream without one
            if time:
                hours, minutes, seconds = time.groups()
                duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
            section = None
        elif text == "Metadata:" and indent == 2:
            section = "global"
        elif section == "global" and indent == 4 and _TAG.match(line):
            key, value = _TAG.match(line).group(2, 3)
            metadata[key.strip().lower()] = value.strip()
        elif section == "stream" and _ROTATION.search(text):
            degrees = round(float(_ROTATION.search(text).group(1))) % 360
            streams[-1] = current = _with(current, rotation=degrees)
    return MediaInfo(tuple(streams), tuple(chapters), metadata, duration)


def _new_stream(found, line):
    index, language, kind, codec = found.groups()
    sar = _SAR.search(line)
    return Stream(index=int(index), kind=kind.lower(), codec=codec,
                  language=None if language in (None, "und") else language,
                  sar=Fraction(int(sar.group(1)), int(sar.group(2)) or 1) if sar else Fraction(1),
                  attached_pic="(attached pic)" in line)


def _with(stream, **changes):
    return Stream(**{**stream.__dict__, **changes})


def display_sar(stream):
    """The sample aspect ratio of the picture as ffmpeg hands it out (upright: a rotation
    by a quarter turn, which ffmpeg applies on decoding, swaps the pixel's sides).

    Parameters
    ----------
    stream : Stream or None
        The picture stream (:attr:`MediaInfo.video`).

    Returns
    -------
    Fraction
        Pixel width / height of the upright frames; 1 when ``stream`` is None or its
        sample aspect ratio is not positive.
    """
    if stream is None or stream.sar <= 0:
        return Fraction(1)
    return 1 / stream.sar if stream.rotation % 180 == 90 else stream.sar


def aspect_option(size, sar):
    """ffmpeg's ``-aspect`` (display aspect ratio) for frames of ``size`` and pixel ``sar``;
    [] for square pixels.

    Parameters
    ----------
    size : (int, int)
        (width, height) of the frames in pixels.
    sar : Fraction or int
        Sample (pixel) aspect ratio, width / height (:func:`display_sar`).

    Returns
    -------
    list of str
        ``["-aspect", "W:H"]`` with the display aspect ratio reduced, or [] when ``sar``
        is 1.

    Raises
    ------
    ZeroDivisionError
        ``size`` has a height of 0 (and ``sar`` is not 1).
    """
    if sar == 1:
        return []
    width, height = size
    dar = Fraction(width, height) * sar
    return ["-aspect", f"{dar.numerator}:{dar.denominator}"]


def _audio_codec(stream, suffix):
    """"copy", or "aac" where the output container or its players need it."""
    if suffix in (".mp4", ".m4v"):
        return "copy" if stream.codec in MP4_AUDIO else "aac"
    if suffix == ".mov":
        return "copy" if stream.codec in MOV_AUDIO else "aac"
    return "copy"


def _subtitle_codec(stream, suffix):
    if suffix in (".mp4", ".m4v", ".mov") and stream.codec in TEXT_SUBTITLES:
        return "mov_text"
    return "copy"


def remux(exe, picture, src, dst, info, seconds=None):
    """Write ``dst``: the colorized ``picture`` (a file with one video stream) with what
    ``src`` carries besides its picture, as far as ``dst``'s container holds it.

    Parameters
    ----------
    exe : str or Path
        The ffmpeg program.
    picture, src, dst : Path
        ``dst``'s extension picks the container; it is written, not published (the caller
        writes to a temporary name).
    info : MediaInfo
        :func:`probe` of ``src``.
    seconds : float, optional
        Cut everything to this length (the picture was cut to it).

    Returns
    -------
    kept : list of Stream
        The streams of ``src`` that ``dst`` carries besides the picture.
    left_out : list of str
        What ``src`` carries and ``dst`` does not (streams, chapters, metadata), in words;
        also given as one warning line when not empty.
    """
    suffix = Path(dst).suffix.lower()
    extra = [s for s in info.streams if s is not info.video]
    aac, refused = [], []
    code, log = _mux(exe, picture, src, dst, info, extra, suffix, seconds)
    if code != 0:  # find the streams the container refuses, one by one
        extra, aac, refused = _sort_out(exe, picture, src, dst, info, extra, suffix)
        code, log = _mux(exe, picture, src, dst, info, extra, suffix, seconds, aac)
        if code != 0:  # the picture alone, as a last resort: nothing else is kept
            refused, extra = refused + extra, []
            code, log = _mux(exe, picture, src, dst, info, [], suffix, seconds)
            if code != 0:
                raise RuntimeError(f"ffmpeg could not write {dst}: {last_error(log)}")
    left_out = [s.describe() for s in refused] + _lost(info, probe(exe, dst), extra, refused,
                                                        seconds)
    if left_out:
        warnings.warn(f"{suffix} files cannot hold everything {Path(src).name} carries; "
                      f"left out: {', '.join(left_out)}", RuntimeWarning, stacklevel=3)
    return extra, left_out


def _sort_out(exe, picture, src, dst, info, streams, suffix):
    """(kept, audio to re-encode to AAC, refused): each stream tried alone, briefly."""
    kept, aac, refused = [], [], []
    for stream in streams:
        if _mux(exe, picture, src, dst, info, [stream], suffix, 0.1)[0] == 0:
            kept.append(stream)
        elif stream.kind == "audio" and _mux(exe, picture, src, dst, info, [stream], suffix,
                                             0.1, [stream])[0] == 0:
            kept.append(stream)
            aac.append(stream)
        else:
            refused.append(stream)
    return kept, aac, refused


def _mux(exe, picture, src, dst, info, streams, suffix, seconds, aac=()):
    args = ["-y", "-v", "error", "-i", picture, "-i", src, "-map", "0:v:0"]
    codecs = ["-c:v", "copy"]
    tags = [] if info.video is None else ["-map_metadata:s:0", f"1:s:{info.video.index}"]
    for n, stream in enumerate(streams):
        args += ["-map", f"1:{stream.index}"]
        if stream.kind == "audio":
            codec = "aac" if stream in aac else _audio_codec(stream, suffix)
        elif stream.kind == "subtitle":
            codec = _subtitle_codec(stream, suffix)
        else:
            codec = "copy"
        codecs += [f"-c:{n + 1}", codec]
        tags += [f"-map_metadata:s:{n + 1}", f"1:s:{stream.index}"]
    # global tags, chapters, and each stream's tags (language, title): the picture's from
    # the input's picture (any per-stream mapping turns off ffmpeg's own, so all are given)
    args += codecs + tags + ["-map_metadata", "1", "-map_chapters", "1"]
    if suffix in (".mp4", ".m4v", ".mov"):
        args += ["-movflags", "+faststart"]  # browsers start playing before the end
    if seconds is not None:
        args += ["-t", f"{seconds:.6f}"]
    return run_ffmpeg(exe, args + [dst])


def _lost(before, after, kept, refused, seconds):
    """What ``after`` lacks of ``before`` besides the ``refused`` streams: streams by
    kind, the languages of the ``kept`` streams, chapters (those that start within
    ``seconds`` when the film was cut), global tags."""
    lost = []
    for kind in ("audio", "subtitle", "data", "attachment"):
        missing = (len(before.of_kind(kind)) - len(after.of_kind(kind))
                   - sum(s.kind == kind for s in refused))
        if missing > 0:
            lost.append(f"{missing} {kind} stream{'s' if missing > 1 else ''}")
    # the output holds the picture first, then the kept streams in their order
    written = [s for s in after.streams if s.kind != "video" or s.attached_pic]
    for old, new in zip(kept, written):
        if old.language and old.language != new.language:
            lost.append(f"the language ({old.language}) of {old.kind} stream #{old.index}")
    chapters = sum(seconds is None or start < seconds for start in before.chapters)
    if chapters > len(after.chapters):
        missing = chapters - len(after.chapters)
        lost.append(f"{missing} chapter{'s' if missing > 1 else ''}")
    tags = sorted(k for k in before.metadata if k not in _MUXER_TAGS
                  and k not in after.metadata)
    if tags:
        lost.append("the tag" + ("s " if len(tags) > 1 else " ") + ", ".join(tags))
    return lost


def last_error(text):
    """The last line of an ffmpeg log that says what went wrong.

    Parameters
    ----------
    text : str or object
        ffmpeg's log, or an exception (read as ``str(text)``).

    Returns
    -------
    str
        The last non-blank line that contains "error", "invalid", "not found" or
        "could not" (in any case); else the last non-blank line; else ``"no message"``.
        Stripped.
    """
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    errors = [ln for ln in lines if re.search(r"error|invalid|not found|could not", ln, re.I)]
    return (errors or lines or ["no message"])[-1]


# ------------------------------------------------------------------ frames
def backend():
    """imageio (its v2 API) and imageio_ffmpeg, imported on first use.

    Returns
    -------
    iio : module
        ``imageio.v2``.
    imageio_ffmpeg : module
        Its ``get_ffmpeg_exe()`` is the ffmpeg program it ships.

    Raises
    ------
    ImportError
        Either is not installed; the message names the ``pip install`` that adds them.
    """
    try:
        import imageio.v2 as iio
        import imageio_ffmpeg
    except ImportError as exc:
        raise ImportError(
            f"video support needs imageio and imageio-ffmpeg ({exc}); install them with "
            f"`{_INSTALL}`") from exc
    return iio, imageio_ffmpeg


def ffmpeg_exe():
    """The path of the ffmpeg program imageio-ffmpeg ships (ImportError without it).

    Returns
    -------
    str
        ``imageio_ffmpeg.get_ffmpeg_exe()``.

    Raises
    ------
    ImportError
        imageio or imageio-ffmpeg is not installed (:func:`backend`); the message names
        the ``pip install`` that adds them.
    RuntimeError
        imageio-ffmpeg finds no ffmpeg program.
    """
    return backend()[1].get_ffmpeg_exe()


def check_video_file(src):
    """``src`` as a Path, or FileNotFoundError when no such file exists.

    Parameters
    ----------
    src : str or Path
        The video file.

    Returns
    -------
    Path

    Raises
    ------
    FileNotFoundError
        ``src`` is not an existing file (missing, or a folder); the message names it.
    """
    src = Path(src)
    if not src.is_file():
        raise FileNotFoundError(f"{src}: no such video file")
    return src


def open_reader(src):
    """An imageio ffmpeg reader of the film ``src``; close it (:func:`closed_on_exit`).

    Its ``get_meta_data()`` gives ``fps`` (float), ``size`` ((width, height) of the
    upright frames) and ``duration`` (seconds), before any frame is decoded.

    Parameters
    ----------
    src : str or Path
        The film (any container and codec ffmpeg reads).

    Returns
    -------
    imageio reader
        Iterating it yields ``H x W x 3`` uint8 frames (:func:`iter_frames`).

    Raises
    ------
    ValueError
        ``src`` is not a film ffmpeg reads, or ffmpeg cannot tell its frame rate; the
        message names the file.
    ImportError
        imageio or imageio-ffmpeg is not installed.
    """
    iio, _ = backend()
    try:
        reader = iio.get_reader(src, format="FFMPEG")
    except Exception as exc:  # imageio raises OSError, RuntimeError or IndexError here
        raise ValueError(f"{src} is not a readable video: {last_error(exc)}") from None
    if not reader.get_meta_data().get("fps"):
        reader.close()
        raise ValueError(f"{src}: ffmpeg cannot tell the frame rate of this video")
    return reader


def iter_frames(reader, src, max_frames=None):
    """The frames of an open reader, up to ``max_frames``; a generator.

    Parameters
    ----------
    reader : imageio reader
        From :func:`open_reader`.
    src : path-like
        The film's name, for error messages.
    max_frames : int, optional
        Stop after this many frames.

    Yields
    ------
    ndarray of uint8, shape (H, W, 3)
        Upright (ffmpeg applies a rotation flag).

    Raises
    ------
    ValueError
        A frame cannot be decoded; the message names the file and the frame.
    """
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


def read_frames(src, max_frames=None):
    """The frames of a video file as ``H x W x 3`` uint8 arrays, streamed.

    The file is checked now (a missing or unreadable file raises at once); the frames
    are read one at a time as the returned iterator is consumed, for
    :func:`nncolor.video.colorize_frames` or a batch job.

    Parameters
    ----------
    src : path-like
    max_frames : int, optional
        Stop after this many frames.

    Returns
    -------
    iterator of ndarray of uint8, shape (H, W, 3)

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        Not a film ffmpeg reads (now), or a frame that cannot be decoded (while iterating).
    ImportError
        imageio or imageio-ffmpeg is not installed.
    """
    backend()  # the missing library is named before the missing file
    src = check_video_file(src)
    reader = open_reader(src)

    def frames():
        with closed_on_exit(reader):
            yield from iter_frames(reader, src, max_frames)

    return frames()


@contextmanager
def closed_on_exit(resource):
    """Close an imageio reader or writer on every exit.

    Their own ``with`` closes them only on success: after an error ffmpeg would keep
    running until garbage collection, and a writer could create its file after
    :func:`~nncolor.io.atomic_path` removed it. An error in ``close`` after another error
    is dropped: the first error is the one to report.

    Parameters
    ----------
    resource : imageio reader or writer
        Anything with a ``close()`` method.

    Yields
    ------
    resource
        The same object.

    Raises
    ------
    BaseException
        Whatever the ``with`` body raises, unchanged (after the close is tried); when
        the body succeeds, whatever ``close`` raises (for a writer, ffmpeg failing to
        finish the file).
    """
    try:
        yield resource
    except BaseException:
        with suppress(Exception):
            resource.close()
        raise
    resource.close()


def exact_frame_rate(fps):
    """The exact frame rate behind ffmpeg's rounded one (it prints 23.98 for 24000/1001).

    Writing 23.98 fps instead of 24000/1001 would drift the picture 0.3 s from the
    copied sound every 30 minutes; the NTSC rates are snapped back to their fractions.

    Parameters
    ----------
    fps : float
        Frames per second, as imageio's metadata gives it.

    Returns
    -------
    Fraction

    Examples
    --------
    >>> exact_frame_rate(23.98), exact_frame_rate(25.0)
    (Fraction(24000, 1001), Fraction(25, 1))
    """
    for base in (24, 30, 48, 60, 120):
        if abs(fps - base * 1000 / 1001) < 0.006:
            return Fraction(base * 1000, 1001)
    return Fraction(fps).limit_denominator(1001)


def open_writer(path, fps, size, *, quality=8, codec="libx264", sar=1):
    """An imageio ffmpeg writer at the input's frame rate, size and pixel shape.

    ``macro_block_size=1``: imageio would otherwise scale frames up to a multiple of 16.
    yuv420p (what every player reads) needs even sides; odd ones get yuv444p, which
    browsers and QuickTime do not play (said in a RuntimeWarning).

    Parameters
    ----------
    path : path-like
        The film to write; its extension picks the container.
    fps : Fraction or float
        Frames per second (:func:`exact_frame_rate`).
    size : (int, int)
        (width, height) of the frames in pixels.
    quality : float in [1, 10], default=8
        imageio's scale: 10 is lossless H.264, 8 is CRF 10.
    codec : str, default="libx264"
    sar : Fraction, default=1
        The input's sample aspect ratio (:func:`display_sar`), kept as the display aspect
        ratio (``-aspect``), so a 4:3 film stored in 360 x 240 pixels still shows at 4:3.

    Returns
    -------
    imageio writer
        ``append_data(frame)`` takes ``H x W x 3`` uint8 frames; close it
        (:func:`closed_on_exit`).
    """
    iio, _ = backend()
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
def ffmpeg_log_as_warnings():
    """Within it, imageio's and imageio-ffmpeg's log records become Python warnings.

    They report through ``logging``, printed raw on stderr; as RuntimeWarnings
    (``"ffmpeg: ..."``, on one line) the command line prints them in its own one-line
    format and a library user filters them as usual. imageio's note that the frame size
    read differs from the stored one is dropped: it means the frames are rotated upright,
    which :func:`nncolor.video.colorize_video` expects. The loggers are restored on exit.

    Yields
    ------
    None
        Within the block, records of level WARNING and above that the ``imageio`` and
        ``imageio_ffmpeg`` loggers pass on are warned as ``RuntimeWarning`` and not
        propagated to the root logger.
    """
    import logging

    class ToWarnings(logging.Handler):
        def emit(self, record):
            text = " ".join(record.getMessage().split())
            if "frame size for reading" not in text:
                warnings.warn(f"ffmpeg: {text}", RuntimeWarning, stacklevel=2)

    handler = ToWarnings(logging.WARNING)
    loggers = [logging.getLogger(name) for name in ("imageio", "imageio_ffmpeg")]
    saved = [lg.propagate for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.propagate = False
    try:
        yield
    finally:
        for lg, propagate in zip(loggers, saved):
            lg.removeHandler(handler)
            lg.propagate = propagate


def expected_frames(meta, max_frames=None):
    """How many frames a film holds, estimated from its metadata (for a progress bar).

    Parameters
    ----------
    meta : dict
        A reader's ``get_meta_data()``: ``fps`` and, if known, ``duration`` (seconds).
    max_frames : int, optional
        The most frames that will be read.

    Returns
    -------
    int or None
        ``duration x fps`` rounded (at most ``max_frames``), ``max_frames`` when the
        duration is unknown, or None when neither is known.
    """
    duration = meta.get("duration") or 0
    estimate = round(duration * meta["fps"]) or None
    if max_frames is not None:
        return min(max_frames, estimate) if estimate else max_frames
    return estimate


@contextmanager
def temporary_sibling(path):
    """A temporary file name beside ``path`` (same folder and extension), removed on exit.

    ffmpeg picks the container from the extension, so an intermediate film keeps it.

    Parameters
    ----------
    path : str or Path
        The file the temporary one stands in for; its folder must exist and be writable.

    Yields
    ------
    Path
        ``<folder>/.<stem>.video.<random><suffix>``, created empty (mode ``0o600``) so that
        no other process takes the name; removed on exit if it still exists.

    Raises
    ------
    OSError
        The temporary file cannot be created in ``path``'s folder.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.video.", suffix=path.suffix,
                                dir=path.parent)
    os.close(fd)
    try:
        yield Path(name)
    finally:
        if os.path.exists(name):
            os.unlink(name)


def check_written(path):
    """Make sure a video stream was written to ``path`` before it is published.

    ffmpeg's writer can fail without an exception (an encoder that refuses the frame
    size, say).

    Parameters
    ----------
    path : str or Path
        The film just written (under its temporary name).

    Raises
    ------
    RuntimeError
        ``path`` holds no video stream; the message quotes ffmpeg's last error.
    ImportError
        imageio or imageio-ffmpeg is not installed (:func:`ffmpeg_exe`).
    """
    _, log = run_ffmpeg(ffmpeg_exe(), ["-i", str(path)])
    if not parse_ffmpeg_log(log).of_kind("video"):
        raise RuntimeError(f"ffmpeg wrote no video to {path}: {last_error(log)}")


def probe_streams(path):
    """The kinds of streams in a media file, e.g. ``{"video", "audio"}`` (ffmpeg's view;
    :func:`probe` tells more).

    Parameters
    ----------
    path : str or Path
        The media file.

    Returns
    -------
    set of str
        Among "video", "audio", "subtitle", "data" and "attachment" (a cover picture
        counts as "video"); empty for a file ffmpeg cannot read.

    Raises
    ------
    ImportError
        imageio or imageio-ffmpeg is not installed (:func:`ffmpeg_exe`).
    """
    return {s.kind for s in probe(ffmpeg_exe(), path).streams}
