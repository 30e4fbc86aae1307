"""``nncolor colorize``: colorize files, folders and patterns, locally or on a cluster.

The batch is planned by :mod:`nncolor.batch` (the same plan as
:func:`nncolor.distributed.colorize_folder`); this module prints what the plan refused and
runs it, in worker processes or on a Dask cluster.
"""
import sys
import time
from pathlib import Path

from ..batch import colorize_file, drop_earlier_outputs, plan_outputs
from .cluster import check_cluster, cluster_results, on_cluster
from .errors import FAILED, CommandError, stopping_workers, worker_processes
from .inputs import expand, load_model
from .options import (
    PROG,
    WORKING_SIZE,
    add_cluster_options,
    add_decoder,
    add_inputs,
    add_model,
    add_n_jobs,
    add_output_format,
    add_overwrite,
    add_trust_model,
)
from .report import finish, passed_over_note, progress, report

NAME = "colorize"
DESCRIPTION = (
    "Writes one image per input, named <stem><suffix>.<format>: into the -o folder "
    "(mirroring sub-folders with --recursive), or next to each input. Images keep their "
    "size; EXIF orientation is applied; 16-bit inputs give 16-bit PNG/TIFF outputs. Files "
    "named *<suffix>.* found in folders are earlier outputs and are skipped.")
EXAMPLE = "nncolor colorize old_photos/ -o colorized/ -j 2"


def add_arguments(sub):
    """This command's options, on its subparser."""
    add_inputs(sub, "images to colorize")
    sub.add_argument("-o", "--output", type=Path, metavar="OUT",
                     help="output folder (default: next to each input); with one input, "
                          "an image file name also works")
    add_model(sub, "-m", "--model")
    add_trust_model(sub)
    add_decoder(sub)
    sub.add_argument("--working-size", type=WORKING_SIZE, metavar="SIZE",
                     help="classify large photos at this side in pixels and upsample the "
                          "colors guided by the full-resolution lightness (docs/"
                          "working-resolution.md); auto: the model's training size; full: "
                          "always full resolution (default: the model's own)")
    sub.add_argument("--hints", type=Path, metavar="HINTS",
                     help="RGBA image of color hints (alpha > 0.5 marks hinted pixels), "
                          "or a folder of <stem>.png hints, one per input")
    sub.add_argument("--reference", type=Path, metavar="REF",
                     help="color photo whose colors the output should lean towards")
    add_output_format(sub)
    add_n_jobs(sub, "images")
    add_overwrite(sub, "output (or an input)")
    add_cluster_options(sub, "the images")


class Batch:
    """The outputs a batch plans to write: if it ends early, which were written, and the
    temporary files of the others (a worker killed while writing leaves one) removed.

    Parameters
    ----------
    outputs : list of Path
    total : int
        Images in the batch (also those that failed before being planned).
    """

    def __init__(self, outputs, total):
        from ..io import leftover_temporaries

        self.outputs, self.total = outputs, total
        self._before = {dst: _mtime(dst) for dst in outputs}  # --overwrite: replaced or not
        self._stale = set(leftover_temporaries(outputs))  # not this run's to remove

    def written(self):
        """The outputs written (or replaced) since the batch was planned."""
        return [dst for dst in self.outputs if _mtime(dst) not in (None, self._before[dst])]

    def remove_temporaries(self):
        """Remove the temporary files this run left; how many there were."""
        from ..io import leftover_temporaries

        removed = 0
        for tmp in set(leftover_temporaries(self.outputs)) - self._stale:
            tmp.unlink(missing_ok=True)
            removed += 1
        return removed


def _mtime(path):
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def run(args, argv):
    """Plan the batch, then colorize it; a batch that ends early says what was written,
    and leaves no partial file."""
    from ..io import read_image

    prefix = f"{PROG} {NAME}"
    check_cluster(args)  # a missing extra, before loading anything
    model = load_model(args, inference_only=True)  # no scikit-learn to import: it starts fast
    reference = None if args.reference is None else read_image(
        args.reference, require_color=True, max_pixels=args.max_pixels)
    found, missing, passed_over = expand(args.images, args.recursive, prefix)
    jobs, n_inputs, existing = _plan(args, found, prefix)
    if existing and _one_file_named(args.images):  # its output is in the way
        report(prefix, existing[0][1])
        return FAILED
    if not args.quiet:
        _warn_color_inputs(prefix, [src for src, _, _ in jobs])
    # images only: earlier outputs set aside and items that named no image are not images
    batch = Batch([dst for _, dst, _ in jobs], n_inputs - len(existing))
    start = time.perf_counter()
    try:
        done, failed = _colorize(args, model, jobs, reference, prefix)
    except BaseException as exc:
        _stopped_early(batch, exc)
        raise
    failed += n_inputs - len(jobs) - len(existing)  # refused when planned
    if n_inputs + missing == 1 and failed:  # one image given: its error line says it all
        return FAILED
    if n_inputs or not missing:
        print(f"colorized {done} of {n_inputs} images ({_where(args.output, jobs)}) in "
              f"{time.perf_counter() - start:.1f} s{_existing_note(existing)}"
              f"{passed_over_note(passed_over)}")
    return finish(prefix, failed, n_inputs, "images", missing)


def _one_file_named(items):
    """Whether the command named one image file (not a folder or a pattern that found one)."""
    return len(items) == 1 and Path(items[0]).is_file()


def _existing_note(existing):
    """The summary's word on the inputs left out because their outputs exist (a batch run
    again after it stopped early goes on where it stopped)."""
    if not existing:
        return ""
    return (f"; skipped {len(existing)} whose output exists, e.g. {existing[0][0]} (pass "
            "--overwrite to colorize them again)")


def _where(output, jobs):
    """Where the summary says the outputs went."""
    if output is None:
        return "next to the inputs"
    if len(jobs) == 1 and jobs[0][1] == output:  # -o named the output file itself
        return f"as {output}"
    return f"into {output.as_posix().rstrip('/')}/"


def _plan(args, found, prefix):
    """(input, output, hints) per input (:mod:`nncolor.batch`), the refused reported; how
    many inputs are left once earlier outputs are set aside; and the inputs whose output
    exists, as (input, message)."""
    found, earlier = drop_earlier_outputs(found, args.suffix)
    if earlier:  # say so: a user's own file may carry the suffix
        print(f"skipped {len(earlier)} earlier outputs (*{args.suffix}.*), e.g. "
              f"{earlier[0]}", file=sys.stderr)
    hints = _hints_for(args, found)  # first: planning creates the output folders
    plan = plan_outputs(found, args.output, suffix=args.suffix, format=args.format,
                        overwrite=args.overwrite)
    for _, problem in plan.refused:
        report(prefix, problem)
    return [(src, dst, hints.get(src)) for src, dst in plan.jobs], len(found), plan.existing


def _colorize(args, model, jobs, reference, prefix):
    """Colorize the planned jobs: (outputs written, files that failed)."""
    from joblib import delayed

    parallel = len(jobs) > 1
    # one image: its pixels in threads; several: whole images in worker processes
    model.set_params(n_jobs=1 if parallel else args.n_jobs)
    if on_cluster(args):
        results = cluster_results(args, model, jobs, reference)
    else:
        results = worker_processes(args.n_jobs if parallel else 1,
                                   return_as="generator_unordered")(
            delayed(colorize_file)(model, src, dst, hints, reference, args.overwrite,
                                   args.debug, args.max_pixels) for src, dst, hints in jobs)
    done = failed = 0
    with stopping_workers(results), progress(args.quiet, len(jobs), "colorizing", "img") as bar:
        for _, error in results:
            if error:
                report(prefix, error)
                failed += 1
            else:
                done += 1
            bar.update()
    return done, failed


def _stopped_early(batch, exc):
    """A batch that ends early: what was written, no partial files left; a dead worker
    becomes a :class:`CommandError` saying so."""
    # a refusal before any image started (a cluster that cannot be reached): as it is
    if isinstance(exc, CommandError) and not batch.written():
        return
    batch.remove_temporaries()
    written = batch.written()
    print(f"{PROG} {NAME}: stopped early: {len(written)} of {batch.total} images were "
          "written, the others were not (no partial files left)", file=sys.stderr)
    if _worker_died(exc):
        raise CommandError(
            "a worker process died (killed, or out of memory: try fewer --n-jobs); run "
            "the command again for the images not written") from exc


def _worker_died(exc):
    """A process pool lost a worker (loky's TerminatedWorkerError is a BrokenProcessPool)."""
    from concurrent.futures.process import BrokenProcessPool

    return isinstance(exc, BrokenProcessPool)


def _warn_color_inputs(prefix, paths):
    """One line when inputs are in color: the colorizer keeps only their lightness."""
    from ..io import is_color_file

    for i, path in enumerate(paths):  # stop at the first: one line, not a scan of all
        if is_color_file(path):
            rest = len(paths) - i - 1
            more = f" (of the {rest} inputs after it, others may be too)" if rest else ""
            print(f"{prefix}: warning: {path} is a color image{more}: only its lightness is "
                  "used, and its colors are replaced by the colorizer's", file=sys.stderr)
            return


def _hints_for(args, found):
    """The hints file of each input: the one given, or ``<stem>.png`` in a hints folder."""
    if args.hints is None:
        return {}
    if args.hints.is_dir():
        return {path: args.hints / f"{path.stem}.png" for path, _, _ in found
                if (args.hints / f"{path.stem}.png").is_file()}
    if not args.hints.is_file():
        raise CommandError(f"hints not found: {args.hints}")
    if len(found) != 1:
        raise CommandError(f"--hints {args.hints} is one image for {len(found)} inputs; pass a "
                           "folder of <stem>.png hints to colorize several images")
    return {found[0][0]: args.hints}
