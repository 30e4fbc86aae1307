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
"""
import re
import subprocess
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

#: Audio codecs MP4 players (browsers, QuickTime) play; others are re-encoded to AAC there.
MP4_AUDIO = {"aac", "mp3", "alac", "ac3", "eac3"}
#: QuickTime (.mov) plays these and uncompressed PCM.
MOV_AUDIO = MP4_AUDIO | {"pcm_s16le", "pcm_s16be", "pcm_s24le", "pcm_s24be", "pcm_f32le"}
#: Text subtitles MP4 and QuickTime hold only as their own timed text (mov_text).
TEXT_SUBTITLES = {"subrip", "srt", "ass", "ssa", "webvtt", "mov_text", "text"}

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
    """Run ffmpeg ``exe`` (imageio-ffmpeg's); returns (exit status, stderr text)."""
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
    """A :class:`MediaInfo` from the text ``ffmpeg -i FILE`` writes about its input."""
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
    by a quarter turn, which ffmpeg applies on decoding, swaps the pixel's sides)."""
    if stream is None or stream.sar <= 0:
        return Fraction(1)
    return 1 / stream.sar if stream.rotation % 180 == 90 else stream.sar


def aspect_option(size, sar):
    """ffmpeg's ``-aspect`` (display aspect ratio) for frames of ``size`` and pixel ``sar``;
    [] for square pixels."""
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
    """The last line of an ffmpeg log that says what went wrong."""
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    errors = [ln for ln in lines if re.search(r"error|invalid|not found|could not", ln, re.I)]
    return (errors or lines or ["no message"])[-1]
