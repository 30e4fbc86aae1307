"""``nncolor train``: fit a colorizer on color photos, measure it, save it with its card."""
import shlex
from pathlib import Path

from .errors import CommandError
from .inputs import check_new_file, load_photos
from .options import (
    N_JOBS,
    PATCH_SIZE,
    PROG,
    SOM_SHAPE,
    TEST_SIZE,
    add_decoder,
    add_inputs,
    add_model_options,
    add_overwrite,
)
from .report import finish, print_metrics

NAME = "train"
DESCRIPTION = (
    "The photos are split by file name (nncolor.datasets.split_by_name) into training and "
    "held-out ones; the model is fitted on the first and measured on the second, and "
    "saved with a model card (see `nncolor info`).")
EXAMPLE = "nncolor train photos/ more/*.jpg -o model.skops --som-shape 5x5"


def add_arguments(sub):
    """This command's options, on its subparser."""
    add_inputs(sub, "color photos to learn from")
    sub.add_argument("-o", "--output", required=True, type=Path, metavar="MODEL",
                     help="the model file to write: model.skops (safe to share: loads "
                          "without running code) or model.joblib (a pickle, for trusted "
                          "use in notebooks)")
    sub.add_argument("--patch-size", type=PATCH_SIZE, default=5,
                     help="odd side of the lightness patch (default: 5)")
    add_model_options(sub)
    sub.add_argument("--som-shape", type=SOM_SHAPE, default=(3, 3),
                     help="SOM grid ROWSxCOLS: ROWS*COLS codebook colors (default: 3x3)")
    add_decoder(sub, default="annealed")
    sub.add_argument("--test-size", type=TEST_SIZE, default=0.25,
                     help="held-out share (0.25) or count (20) of photos; 0: none "
                          "(default: 0.25)")
    sub.add_argument("-j", "--n-jobs", type=N_JOBS,
                     help="threads for training (BLAS) and for colorizing the held-out "
                          "photos (default: BLAS's own, usually all cores)")
    add_overwrite(sub, "model file")


def run(args, argv):
    """Train (:func:`nncolor.training.train_and_evaluate`) and save; ``argv`` goes into
    the card."""
    from threadpoolctl import threadpool_limits

    from ..colorizer import make_colorizer
    from ..model_file import model_format, save_model
    from ..training import train_and_evaluate

    prefix = f"{PROG} {NAME}"
    check_model_name(args.output)  # before minutes of training
    check_new_file(args.output, args.overwrite)
    photos = load_photos(args, prefix)
    images, names, sources = photos.images, photos.names, photos.sources
    if len(images) < 2:
        raise CommandError(f"need at least 2 color photos to train on; got {len(images)}")
    model = make_colorizer(
        patch_size=args.patch_size, som_shape=args.som_shape, hidden_layer_sizes=args.hidden,
        n_samples=args.n_samples, max_iter=args.max_iter, som_iterations=args.som_iterations,
        chroma_shrinkage=args.chroma_scale, decoder=args.decoder, n_jobs=args.n_jobs,
        random_state=args.seed)
    print(f"training on {len(images)} photos (split by name, test size {args.test_size}, "
          f"seed {args.seed}) ...", flush=True)
    # None or -1: BLAS keeps its own thread count (usually all cores)
    limit = None if args.n_jobs is None or args.n_jobs < 0 else args.n_jobs
    with threadpool_limits(limits=limit):
        # prints progress and the verdict; a weak model's verdict is a warning line
        trained = train_and_evaluate(model, images, names, test_size=args.test_size,
                                     seed=args.seed, sources=sources,
                                     command=shlex.join([PROG, *argv]),
                                     verbose=not args.quiet, prefix=prefix)
    model.set_params(n_jobs=None)  # a model file should not carry this machine's threads
    card = trained.card
    save_model(model, args.output, card, overwrite=args.overwrite)
    print(f"trained on {card['training_data']['n_photos']} photos ({model.n_training_pixels_} "
          f"pixels, {model.n_colors_} codebook colors) in {card['fit_seconds']:.1f} s")
    if trained.held_out is not None:
        print(f"held-out photos ({card['split']['n_test']}), means per photo:")
        print_metrics(trained.held_out, means_only=True)
        if trained.better and args.quiet:  # else printed already, or a warning
            print(trained.verdict)
    print(f"model written to {args.output}")
    if model_format(args.output) == "joblib":
        print("it is a joblib pickle: the commands load it only with --trust-model; save it "
              "as .skops to share it")
    return finish(prefix, photos.failed, photos.total, "photos", photos.empty)


def check_model_name(path):
    """Refuse a model file name whose extension is neither skops nor a joblib pickle: the
    file would be written in a format its name does not say."""
    from ..defaults import MODEL_SUFFIXES

    if path.suffix.lower() not in MODEL_SUFFIXES:
        raise CommandError(
            f"{path}: a model file name must end in .skops (safe to share) or "
            f"{', '.join(MODEL_SUFFIXES[1:])} (a pickle); got "
            f"{repr(path.suffix) if path.suffix else 'no extension'}")
