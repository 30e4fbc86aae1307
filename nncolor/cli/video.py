"""``nncolor video``: colorize a film, frame by frame, with temporal smoothing."""
from pathlib import Path

from .cluster import check_cluster, cluster, on_cluster
from .errors import CommandError
from .inputs import load_model
from .options import (
    POSITIVE_INT,
    SMOOTHING,
    add_cluster_options,
    add_decoder,
    add_max_pixels,
    add_model,
    add_overwrite,
    add_trust_model,
)

NAME = "video"
DESCRIPTION = (
    "Frame by frame through ffmpeg (the imageio-ffmpeg package's own binary), keeping "
    "frame rate, size and audio; each pixel's color distribution is averaged over frames "
    "where its patch does not move, to stop flicker. Prints the flicker (mean "
    "frame-to-frame (u, v) change on static pixels) with and without that smoothing.")
EXAMPLE = "nncolor video old_film.mp4 -o old_film_color.mp4"


def add_arguments(sub):
    """This command's options, on its subparser."""
    sub.add_argument("input", type=Path, metavar="IN", help="the video to colorize")
    sub.add_argument("-o", "--output", type=Path, required=True, metavar="OUT",
                     help="the colorized video (its extension picks the container)")
    add_model(sub, default="default")
    add_trust_model(sub)
    add_decoder(sub)
    sub.add_argument("--smoothing", type=SMOOTHING, default=0.7,
                     help="temporal smoothing weight in [0, 1) (default 0.7; 0 turns it off)")
    sub.add_argument("--max-frames", type=POSITIVE_INT, help="stop after this many frames")
    add_max_pixels(sub, "a video")
    sub.add_argument("--no-flicker", action="store_true",
                     help="skip the flicker of the frames decoded without smoothing (it "
                          "decodes every frame a second time); the output's is still given")
    add_overwrite(sub, "output video")
    add_cluster_options(sub, "the frames' color probabilities")


def run(args, argv):
    from ..mixture import MixtureOfExperts
    from ..video import check_video_name, colorize_video

    check_cluster(args)  # a missing extra, before loading anything
    check_video_name(args.output)  # before telling to overwrite what could not be written
    if args.output.exists() and not args.overwrite:  # the option named, before any work
        raise CommandError(f"{args.output} exists; pass --overwrite to replace it")
    model = load_model(args)
    if on_cluster(args) and isinstance(model, MixtureOfExperts):  # before starting one
        raise CommandError(f"--model {args.model} mixes several models, which colorize a film "
                           "on this machine only: drop --scheduler/--dask, or name one model")
    with cluster(args) as client:
        # None: a bar only on a terminal (tqdm's rule), so that logs stay clean
        bar = False if args.quiet else None
        report = colorize_video(model, args.input, args.output, smoothing=args.smoothing,
                                overwrite=args.overwrite, progress=bar,
                                max_frames=args.max_frames, measure_flicker=not args.no_flicker,
                                client=client, max_pixels=args.max_pixels)
    print(report.summary())
    return 0
