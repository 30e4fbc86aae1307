"""Benchmark scale-out (Dask) and scale-up (tiles) of colorization with the default model.

Figures (timings: median of ``--repeats`` runs, ``time.perf_counter``):

1. batch     ``nncolor.distributed.colorize_files``: ``--images`` gray PNGs of
             ``--image-size``^2 from files to files, on a ``LocalCluster`` of 1 and of 2
             worker processes (1 thread each; cluster start-up not timed), and the same
             files colorized one after the other in this process (the baseline):
             images/s and the speed-up over 1 worker.
2. size      ``nncolor.tiling.colorize_image`` (what ``nncolor colorize`` runs) on gray
             images of 256^2 ... 4096^2 (``--sizes``): seconds and microseconds per
             pixel; per-pixel cost relative to the smallest size (1.0 = linear time).
3. memory    ``nncolor colorize BIG.png`` of a ``--huge``^2 gray PNG (generated, never
             committed) in a fresh process: peak RSS (``ru_maxrss`` of the child), wall
             time, and the same for a 1024^2 image (the baseline: imports and model).
             Target: < 2 GB.
4. transfer  Bytes moved per task: the pickled model (sent once per worker), the input
             and output files of a batch image, a video frame and its probabilities;
             a no-op task's round trip (scheduler overhead). With the measured
             per-image cost they give the throughput model for N workers printed at
             the end (README, "Scaling out and up").

Run from the repository root (about 12 minutes; ``--quick``: 2 minutes, 4096 px huge image
and sizes to 2048)::

    .venv/bin/python -m pipelines.scale_benchmark [--repeats 3] [--quick] [--out out/scale]
"""
import argparse
import os
import pickle
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

from pipelines.benchmark import median_time

#: The shared storage bandwidth assumed by the printed throughput model (bytes/s): 1 Gbit/s.
BANDWIDTH = 125e6
#: The scheduler's own cost per task that dask.distributed documents ("about 1 ms"): it
#: caps a single scheduler at about 1000 tasks/s, whatever the number of workers.
SCHEDULER_TASK_S = 1e-3
MEMORY_TARGET_MB = 2048


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--images", type=int, default=12, help="images in the batch")
    parser.add_argument("--image-size", type=int, default=512, help="side of batch images")
    parser.add_argument("--sizes", default="256,512,1024,2048,4096",
                        help="image sides for the cost-per-pixel figure")
    parser.add_argument("--huge", type=int, default=10_000, help="side of the memory figure")
    parser.add_argument("--quick", action="store_true",
                        help="sizes to 2048, a 4096 px huge image, 2 repeats")
    parser.add_argument("--out", type=Path, default=Path("out/scale"),
                        help="folder for scale_benchmark.csv")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.huge, args.repeats = "256,512,1024,2048", 4096, 2
    args.sizes = [int(s) for s in args.sizes.split(",")]
    if min(args.repeats, args.images, args.image_size, args.huge, *args.sizes) < 1:
        parser.error("counts and sizes must be positive")
    return args


def gray_image(side):
    """A ``side`` x ``side`` uint8 photo-like image: ``camera`` tiled (mirrored, no seams)."""
    cam = data.camera()
    reps = -(-side // cam.shape[0])
    tile = np.block([[cam, cam[:, ::-1]], [cam[::-1], cam[::-1, ::-1]]])
    return np.tile(tile, (reps, reps))[:side, :side]


# ---------------------------------------------------------------------- batch
def bench_batch(args, model, work):
    from distributed import Client, LocalCluster

    from nncolor.batch import colorize_file
    from nncolor.distributed import colorize_files

    src = work / "batch"
    src.mkdir()
    inputs = []
    for i in range(args.images):
        path = src / f"img{i:03d}.png"
        Image.fromarray(np.roll(gray_image(args.image_size), 37 * i, axis=1)).save(path)
        inputs.append(path)
    runs = iter(range(10**6))

    def jobs():
        out = work / f"out{next(runs)}"
        return [(p, out / f"{p.stem}_colorized.png") for p in inputs]

    def local():
        for s, d in jobs():
            assert colorize_file(model, s, d)[1] is None

    rows = [("batch", "local, 1 process", median_time(local, args.repeats)[0])]
    for n in (1, 2):
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            def remote():
                errors = [e for _, e in colorize_files(client, jobs(), "default") if e]
                assert not errors, errors
            remote()  # warm-up: workers import nncolor and load the model
            rows.append(("batch", f"dask, {n} worker{'s' * (n > 1)}",
                         median_time(remote, args.repeats)[0]))
            if n == 2:
                transfer = bench_overhead(client, args.repeats)
    base = rows[1][2]
    out = []
    for figure, what, seconds in rows:
        out.append((figure, what, f"{args.images / seconds:.2f}", "images/s",
                    f"{base / seconds:.2f}x of 1 worker; {seconds:.1f} s for {args.images} "
                    f"images of {args.image_size}^2"))
    in_bytes = np.mean([p.stat().st_size for p in inputs])
    out_bytes = np.mean([p.stat().st_size for p in (work / "out0").glob("*.png")])
    return out, transfer, rows, (in_bytes, out_bytes)


def bench_overhead(client, repeats):
    """Round trip of a no-op task (seconds): the scheduler's cost per task."""
    def noop():
        client.submit(int, 0, pure=False).result()
    noop()
    return median_time(noop, max(20, repeats))[0]


# ----------------------------------------------------------------------- size
def bench_sizes(args, model):
    from nncolor.tiling import colorize_image

    out, per_pixel = [], []
    for side in args.sizes:
        image = gray_image(side)
        seconds = median_time(lambda: colorize_image(model, image), args.repeats)[0]
        per_pixel.append(seconds / image.size * 1e6)
        out.append(("size", f"{side}x{side}", f"{seconds:.3f}", "s",
                    f"{per_pixel[-1]:.3f} us/pixel, {per_pixel[-1] / per_pixel[0]:.2f}x the "
                    f"per-pixel cost at {args.sizes[0]}^2"))
        print(f"  {out[-1]}", flush=True)
    return out, per_pixel


# --------------------------------------------------------------------- memory
def peak_of_command(argv):
    """Peak RSS (MB) and wall time of a command run by a fresh Python process."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "r = subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
             "time.perf_counter() - t, r.returncode)")
    result = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True,
                            text=True, check=True)
    kb, seconds, status = result.stdout.split()[-3:]
    if status != "0":
        raise RuntimeError(f"{' '.join(argv)} failed: {result.stderr[-2000:]}")
    return int(kb) / 1024, float(seconds)


def bench_memory(args, work):
    out = []
    for side in (1024, args.huge):
        path = work / f"gray{side}.png"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Image.fromarray(gray_image(side)).save(path, compress_level=1)
        dst = work / f"gray{side}_out.png"
        mb, seconds = peak_of_command([sys.executable, "-m", "nncolor", "colorize", str(path),
                                       "-o", str(dst), "-q"])
        target = f"target < {MEMORY_TARGET_MB} MB: {'met' if mb < MEMORY_TARGET_MB else 'NOT met'}"
        note = "baseline (imports, model)" if side == 1024 else target
        out.append(("memory", f"nncolor colorize {side}x{side}", f"{mb:.0f}", "MB peak RSS",
                    f"{seconds:.1f} s, {seconds / side**2 * 1e6:.2f} us/pixel; {note}"))
        print(f"  {out[-1]}", flush=True)
        path.unlink()
        dst.unlink()
    return out


# ------------------------------------------------------------------- transfer
def throughput_model(model, per_image, overhead, in_bytes, out_bytes, side):
    """The transfer rows, and expected images/s for N workers: the least of the compute
    bound (N / the measured seconds per image on one worker, which includes the worker's
    own file reads and writes), the shared storage's bound and the scheduler's."""
    model_bytes = len(pickle.dumps(model))
    frame = side * side
    rows = [
        ("transfer", "model (once per worker)", f"{model_bytes / 1e3:.1f}", "kB", "pickled"),
        ("transfer", f"input file {side}^2", f"{in_bytes / 1e3:.1f}", "kB", "PNG, gray"),
        ("transfer", f"output file {side}^2", f"{out_bytes / 1e3:.1f}", "kB", "PNG, RGB"),
        ("transfer", f"video frame {side}^2", f"{frame * 3 / 1e3:.1f}", "kB",
         f"RGB uint8 to a worker; {frame * model.n_colors_ * 4 / 1e6:.1f} MB of float32 "
         f"probabilities back (K = {model.n_colors_})"),
        ("transfer", "no-op task round trip", f"{overhead * 1e3:.1f}", "ms",
         "scheduler overhead per task"),
    ]
    io_bound = BANDWIDTH / (in_bytes + out_bytes)
    scheduler_bound = 1 / SCHEDULER_TASK_S
    for n in (1, 2, 8, 32, 128, 1024):
        compute = n / per_image
        rows.append(("model", f"N = {n} workers",
                     f"{min(compute, io_bound, scheduler_bound):.1f}", "images/s",
                     f"min(N / {per_image:.3f} s, {BANDWIDTH / 1e6:.0f} MB/s / "
                     f"{(in_bytes + out_bytes) / 1e3:.0f} kB, 1 / 1 ms) = min({compute:.1f}, "
                     f"{io_bound:.0f}, {scheduler_bound:.0f})"))
    return rows


def main(argv=None):
    args = parse_args(argv)
    import pandas as pd

    from nncolor.model_file import load_default_model

    model = load_default_model()
    print(f"scale benchmark: default model ({model.decoder} decoder, patch "
          f"{model.features_.patch_size}, K = {model.n_colors_}), repeats={args.repeats}, "
          f"{os.cpu_count()} CPUs", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="nncolor-scale-") as tmp:
        work = Path(tmp)
        print("1/4 batch ...", flush=True)
        batch, overhead, timings, (in_bytes, out_bytes) = bench_batch(args, model, work)
        rows += batch
        for r in batch:
            print(f"  {r}", flush=True)
        print("2/4 size ...", flush=True)
        size_rows, _ = bench_sizes(args, model)
        rows += size_rows
        print("3/4 memory ...", flush=True)
        rows += bench_memory(args, work)
    per_image = timings[1][2] / args.images  # one worker's seconds per image
    print("4/4 transfer and model ...", flush=True)
    rows += throughput_model(model, per_image, overhead, in_bytes, out_bytes, args.image_size)
    table = pd.DataFrame(rows, columns=["figure", "what", "value", "unit", "note"])
    args.out.mkdir(parents=True, exist_ok=True)
    from nncolor.io import save_table

    save_table(args.out / "scale_benchmark.csv", table, overwrite=True)
    with pd.option_context("display.width", 200, "display.max_colwidth", 120):
        print(table.to_string(index=False))
    print(f"written: {args.out / 'scale_benchmark.csv'}")


if __name__ == "__main__":
    main()
