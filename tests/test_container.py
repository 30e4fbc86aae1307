"""nncolor.container: films keep what their container carries: display geometry
(non-square pixels, rotation), every audio track (in a codec the output's players play),
subtitles, chapters and tags; what the output cannot hold is named in one line, and every
message, imageio's too, comes out in nncolor's one-line format. And the frames in and out:
reading, the exact frame rate, the writer's pixel format, the checks around them.

Each input is built here with the bundled ffmpeg (lavfi test sources, under a second).
"""
import copy
import importlib.util
import subprocess
import sys
import warnings
from fractions import Fraction

import pytest

from nncolor import container
from nncolor.container import parse_ffmpeg_log, probe

HAVE_FFMPEG = all(importlib.util.find_spec(m) for m in ("imageio", "imageio_ffmpeg"))
pytestmark = pytest.mark.skipif(
    not HAVE_FFMPEG, reason="imageio and imageio-ffmpeg are not installed (nncolor[video])")


def ffmpeg_exe():
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def make(*args):
    """Run the bundled ffmpeg to build an input; fail the test with its message."""
    run = subprocess.run([ffmpeg_exe(), "-hide_banner", "-y", "-v", "error", *map(str, args)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-500:]


def lavfi_film(size="360x240", seconds=0.8):
    """ffmpeg's moving test picture at 25 fps, as input options."""
    return ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={seconds}"]


@pytest.fixture
def col(fitted):
    return copy.deepcopy(fitted)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, fitted):
    from nncolor.model_file import make_card, save_model

    path = tmp_path_factory.mktemp("model") / "tiny.skops"
    return save_model(fitted, path, make_card(fitted, sources={"photos": 4}, n_photos=4))


def colorize(col, src, dst, **kwargs):
    from nncolor.video import colorize_video

    return colorize_video(col, src, dst, progress=False, measure_flicker=False, **kwargs)


# ------------------------------------------------------------------ geometry
def test_non_square_pixels_keep_the_display_aspect(col, tmp_path):
    """The issue's recipe: 20 frames of 360 x 240 gray H.264 with SAR 8:9 (shown 4:3)."""
    src = tmp_path / "in.mp4"
    make(*lavfi_film(), "-vf", "format=gray,setsar=8/9,format=yuv420p", "-c:v", "libx264",
         src)
    assert probe(ffmpeg_exe(), src).video.sar == Fraction(8, 9)
    report = colorize(col, src, tmp_path / "out.mp4")
    out = probe(ffmpeg_exe(), tmp_path / "out.mp4")
    assert report.frames == 20 and report.size == (360, 240)
    assert out.video.sar == Fraction(8, 9)  # 360 x 8/9 : 240 = 4:3
    assert out.video.codec == "h264"
    assert "yuv420p" in _stream_line(tmp_path / "out.mp4", "Video")


def test_rotated_film_comes_out_upright_with_its_shape(tmp_path, model_file):
    """A phone film: stored 360 x 240 with SAR 8:9 and a quarter-turn flag. The frames come
    out upright (240 x 360), still shown 3:4, and nothing is printed outside nncolor's
    one-line format (imageio's note about the frame size is not shown)."""
    plain = tmp_path / "plain.mp4"
    make(*lavfi_film(seconds=0.4), "-vf", "format=gray,setsar=8/9,format=yuv420p",
         "-c:v", "libx264", plain)
    src = tmp_path / "phone.mp4"
    make("-display_rotation", "90", "-i", plain, "-c", "copy", src)
    assert probe(ffmpeg_exe(), src).video.rotation == 90
    result = subprocess.run([sys.executable, "-m", "nncolor", "video", src, "-o",
                             tmp_path / "out.mp4", "--model", model_file, "-q", "--no-flicker"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert all(ln.startswith("nncolor video: ") for ln in result.stderr.splitlines()), \
        result.stderr
    out = probe(ffmpeg_exe(), tmp_path / "out.mp4").video
    assert out.rotation == 0 and out.sar == Fraction(9, 8)  # 240 x 9/8 : 360 = 3:4
    assert "240x360" in _stream_line(tmp_path / "out.mp4", "Video")


def test_imageio_log_messages_become_one_line_warnings(col, tmp_path, monkeypatch):
    import logging

    from nncolor import container

    src = tmp_path / "in.mp4"
    make(*lavfi_film(size="64x48", seconds=0.2), "-vf", "format=yuv420p", src)
    real = container.iter_frames

    def noisy(reader, path, max_frames):  # imageio-ffmpeg logs while frames are read
        logging.getLogger("imageio_ffmpeg").warning("something\nodd happened")
        yield from real(reader, path, max_frames)

    monkeypatch.setattr(container, "iter_frames", noisy)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        colorize(col, src, tmp_path / "out.mp4")
    assert [str(w.message) for w in caught if w.category is RuntimeWarning] == [
        "ffmpeg: something odd happened"]
    assert logging.getLogger("imageio_ffmpeg").propagate  # restored


# --------------------------------------------------------------------- sound
def test_capture_card_avi_gives_an_mp4_with_aac_of_the_same_length(col, tmp_path):
    """The issue's recipe: MJPEG (yuvj420p) with a 48 kHz pcm_s16le track -> MP4."""
    src = tmp_path / "capture.avi"
    make(*lavfi_film(size="320x240"), "-f", "lavfi", "-i",
         "sine=frequency=440:sample_rate=48000:duration=0.8", "-vf", "format=gray,format=yuvj420p",
         "-c:v", "mjpeg", "-c:a", "pcm_s16le", src)
    before = probe(ffmpeg_exe(), src)
    assert [s.codec for s in before.of_kind("audio")] == ["pcm_s16le"]
    report = colorize(col, src, tmp_path / "out.mp4")
    after = probe(ffmpeg_exe(), tmp_path / "out.mp4")
    assert report.audio and report.left_out == ()
    assert [s.codec for s in after.of_kind("audio")] == ["aac"]
    assert "48000 Hz" in _stream_line(tmp_path / "out.mp4", "Audio")
    assert abs(after.duration - before.duration) <= 0.05
    # Matroska plays PCM: it is copied there, untouched
    colorize(col, src, tmp_path / "out.mkv")
    assert [s.codec for s in probe(ffmpeg_exe(), tmp_path / "out.mkv").of_kind("audio")] == [
        "pcm_s16le"]


# ---------------------------------------------- tracks, subtitles, chapters, tags
@pytest.fixture
def rich_film(tmp_path):
    """Two audio tracks (French, German), English subtitles, a title, a creation time and
    two chapters, in Matroska."""
    subs = tmp_path / "subs.srt"
    subs.write_text("1\n00:00:00,000 --> 00:00:00,500\nhello\n")
    meta = tmp_path / "meta.txt"
    meta.write_text(";FFMETADATA1\ntitle=Old film\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\n"
                    "END=400\ntitle=one\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=400\nEND=800\n"
                    "title=two\n")
    src = tmp_path / "rich.mkv"
    make(*lavfi_film(size="160x120"), "-f", "lavfi", "-i", "sine=duration=0.8", "-f",
         "lavfi", "-i", "sine=frequency=880:duration=0.8", "-i", subs, "-i", meta,
         "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:s", "-map_metadata", "4",
         "-map_chapters", "4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le",
         "-c:s", "srt", "-metadata:s:a:0", "language=fra", "-metadata:s:a:1", "language=deu",
         "-metadata:s:s:0", "language=eng", "-metadata", "creation_time=2001-02-03T04:05:06Z",
         src)
    return src


def test_mp4_keeps_every_track_language_subtitle_chapter_and_tag(col, rich_film, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # nothing is left out: no warning
        report = colorize(col, rich_film, tmp_path / "out.mp4")
    out = probe(ffmpeg_exe(), tmp_path / "out.mp4")
    assert [(s.codec, s.language) for s in out.of_kind("audio")] == [("aac", "fra"),
                                                                      ("aac", "deu")]
    assert [(s.codec, s.language) for s in out.of_kind("subtitle")] == [("mov_text", "eng")]
    assert len(out.chapters) == 2 and out.metadata["title"] == "Old film"
    assert out.metadata["creation_time"].startswith("2001-02-03T04:05:06")
    assert report.left_out == ()


def test_what_the_container_cannot_hold_is_named_in_one_line(col, rich_film, tmp_path):
    with pytest.warns(RuntimeWarning) as caught:
        report = colorize(col, rich_film, tmp_path / "out.avi")
    (message,) = [str(w.message) for w in caught if "left out" in str(w.message)]
    assert "\n" not in message
    for words in ("subtitle stream #3 (subrip) (eng)", "2 chapters", "the language (fra)"):
        assert words in message
    assert report.left_out and report.audio
    out = probe(ffmpeg_exe(), tmp_path / "out.avi")
    assert len(out.of_kind("audio")) == 2 and out.metadata["title"] == "Old film"


def test_cutting_a_film_does_not_count_later_chapters_as_lost(col, rich_film, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        report = colorize(col, rich_film, tmp_path / "out.mkv", max_frames=5)
    out = probe(ffmpeg_exe(), tmp_path / "out.mkv")
    assert report.frames == 5 and len(out.chapters) == 1 and report.left_out == ()
    assert [s.language for s in out.of_kind("audio")] == ["fra", "deu"]


# ------------------------------------------------------------------ parsing
def test_parse_ffmpeg_log():
    log = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':
  Metadata:
    title           : A: B
    creation_time   : 2001-02-03T04:05:06.000000Z
  Duration: 00:01:02.50, start: 0.000000, bitrate: 199 kb/s
  Chapters:
    Chapter #0:0: start 0.000000, end 30.000000
      Metadata:
        title           : one
    Chapter #0:1: start 30.000000, end 62.500000
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), \
360x240 [SAR 8:9 DAR 4:3], 199 kb/s, 25 fps, 25 tbr, 12800 tbn (default)
    Metadata:
      title           : picture
    Side data:
      Display Matrix: rotation of -90.00 degrees
  Stream #0:1[0x2](fra): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp
  Stream #0:2(eng): Subtitle: mov_text (tx3g / 0x67337874), 0 kb/s
  Stream #0:3: Video: mjpeg (Baseline), yuvj420p, 100x100 (attached pic)
"""
    info = parse_ffmpeg_log(log)
    assert info.duration == 62.5 and info.chapters == (0.0, 30.0)
    assert info.metadata == {"title": "A: B", "creation_time": "2001-02-03T04:05:06.000000Z"}
    video, audio, subtitle, cover = info.streams
    assert (video.kind, video.codec, video.sar, video.rotation) == ("video", "h264", Fraction(8, 9), 270)
    assert (audio.kind, audio.codec, audio.language) == ("audio", "aac", "fra")
    assert (subtitle.kind, subtitle.language) == ("subtitle", "eng")
    assert cover.attached_pic and info.video is video


def _stream_line(path, kind):
    log = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True,
                         text=True, check=False).stderr
    return next(ln for ln in log.splitlines() if f": {kind}:" in ln)


# ------------------------------------------------------------- frames in and out
def test_frames_are_read_streamed_and_cut(tmp_path):
    src = tmp_path / "in.mkv"
    make(*lavfi_film(size="64x48", seconds=0.4), "-c:v", "ffv1", src)
    frames = container.read_frames(src, max_frames=4)
    first = next(frames)
    assert first.shape == (48, 64, 3) and first.dtype.name == "uint8"
    assert len(list(frames)) == 3
    assert len(list(container.read_frames(src))) == 10
    assert container.probe_streams(src) == {"video"}


def test_unreadable_films_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.mp4: no such video file"):
        container.read_frames(tmp_path / "nothing.mp4")
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a film\n")
    with pytest.raises(ValueError, match=r"notes\.mp4 is not a readable video"):
        container.open_reader(fake)
    assert container.probe_streams(fake) == set()


def test_without_imageio_ffmpeg_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # import now fails
    with pytest.raises(ImportError, match=r"pip install 'nncolor\[video\]'"):
        container.read_frames(tmp_path / "nothing.mp4")  # before the missing file


@pytest.mark.parametrize("fps,exact", [(23.98, Fraction(24000, 1001)),
                                       (29.97, Fraction(30000, 1001)),
                                       (59.94, Fraction(60000, 1001)),
                                       (25.0, Fraction(25)), (12.5, Fraction(25, 2))])
def test_exact_frame_rate(fps, exact):
    assert container.exact_frame_rate(fps) == exact


def test_odd_sizes_are_written_as_yuv444p_with_a_warning(tmp_path):
    import numpy as np

    path = tmp_path / "odd.mp4"
    with pytest.warns(RuntimeWarning, match="63 x 47 pixels.*yuv444p.*even sides"):
        writer = container.open_writer(path, Fraction(10), (63, 47), sar=Fraction(8, 9))
    with container.closed_on_exit(writer):
        for value in (0, 128, 255):
            writer.append_data(np.full((47, 63, 3), value, np.uint8))
    container.check_written(path)
    assert "yuv444p" in _stream_line(path, "Video") and "63x47" in _stream_line(path, "Video")
    assert probe(ffmpeg_exe(), path).video.sar == Fraction(8, 9)


def test_check_written_refuses_a_file_without_a_picture(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(RuntimeError, match="ffmpeg wrote no video to .*empty.mp4"):
        container.check_written(empty)


def test_closed_on_exit_closes_once_and_keeps_the_first_error():
    class Resource:
        closed = 0

        def close(self):
            self.closed += 1
            raise OSError("broken pipe")  # ffmpeg already gone

    ok, failing = Resource(), Resource()
    with pytest.raises(OSError, match="broken pipe"):  # after success, close's own error
        with container.closed_on_exit(ok):
            pass
    with pytest.raises(ValueError, match="the first"):
        with container.closed_on_exit(failing):
            raise ValueError("the first")
    assert ok.closed == failing.closed == 1


def test_ffmpeg_log_lines_become_warnings_within_only():
    import logging

    log = logging.getLogger("imageio")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with container.ffmpeg_log_as_warnings():
            log.warning("two\n  lines")
            log.warning("The frame size for reading (240, 360) is different from the "
                        "source frame size (360, 240).")  # the upright frames: expected
            log.info("chatter")  # below WARNING: not shown
    assert [str(w.message) for w in caught] == ["ffmpeg: two lines"]
    assert log.propagate and not [h for h in log.handlers if type(h).__name__ == "ToWarnings"]


def test_expected_frames():
    assert container.expected_frames({"fps": 25.0, "duration": 2.0}) == 50
    assert container.expected_frames({"fps": 25.0, "duration": 2.0}, 10) == 10
    assert container.expected_frames({"fps": 25.0}) is None
    assert container.expected_frames({"fps": 25.0}, 7) == 7


def test_temporary_sibling_keeps_the_folder_and_extension(tmp_path):
    with container.temporary_sibling(tmp_path / "film.mkv") as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".mkv" and tmp.name.startswith(".")
        tmp.write_bytes(b"frames")
    assert list(tmp_path.iterdir()) == []

