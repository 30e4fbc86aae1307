"""GPU benchmark (issue 8): the device colorize path against the CPU path, same run.

    python -m pipelines.gpu_benchmark                     # on a CUDA GPU with CuPy
    python -m pipelines.gpu_benchmark --namespace numpy   # the same code on the CPU

Figures, each the median of ``--repeats`` runs after a warm-up:

1. one 1024 x 1024 gray image, 5x5 patches, 3x3 SOM, (50, 50) MLP, MRF decoder with 10
   sweeps, including the copies of input and output (target <= 10 ms);
2. ``--frames`` frames of 1024 x 1024 without the MRF (mode decoder), in Mpix/s
   (target >= 200 Mpix/s);
3. the speed-up of each over the CPU path (``device="cpu"``, ``n_jobs=2``);
4. device memory: the CuPy memory pool's peak during the runs.

With ``--namespace numpy`` the array-API path runs on NumPy on the CPU: it proves the
script and the path work where there is no GPU, and its figures are not GPU figures.
Writes ``<out>/benchmark.csv``.
"""
import argparse
from pathlib import Path

import numpy as np

from nncolor import gpu
from nncolor.device import cuda_problem, device_namespace, to_numpy
from pipelines.benchmark import fit_colorizer, gray_test_image, median_time, report, row

COLORIZE_TARGET_MS = 10.0
FRAMES_TARGET_MPIX = 200.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m pipelines.gpu_benchmark",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("--namespace", choices=("cupy", "numpy"), default="cupy",
                   help="cupy: a CUDA GPU (default); numpy: the same code on the CPU")
    p.add_argument("--size", type=int, default=1024, help="image side (default: 1024)")
    p.add_argument("--frames", type=int, default=16, help="frames per batch (default: 16)")
    p.add_argument("--repeats", type=int, default=5, help="runs per figure (default: 5)")
    p.add_argument("--out", type=Path, default=Path("out/gpu_benchmark"))
    args = p.parse_args(argv)
    if min(args.size, args.frames, args.repeats) < 1:
        p.error("--size, --frames and --repeats must be >= 1")
    if args.namespace == "cupy" and cuda_problem() is not None:
        p.exit(2, f"gpu_benchmark: no GPU here: it needs {cuda_problem()} "
                  "(--namespace numpy runs the same code on the CPU)\n")
    return args


def device_run(col, model, gray):
    """One image through the device path, copies in and out included."""
    if col.decoder == "mrf":
        return gpu.colorize_image(col, model, gray * np.float32(1 / 255))
    return to_numpy(gpu.colorize(model, gray * np.float32(1 / 255), col.decoder,
                                 col.temperature))


def pool_peak(name):
    if name != "cupy":
        return float("nan")
    import cupy

    return cupy.get_default_memory_pool().total_bytes() / 1e6


def main(argv=None):
    args = parse_args(argv)
    xp = device_namespace("cuda" if args.namespace == "cupy" else "cpu")
    col = fit_colorizer(patch_size=5, n_jobs=2)
    gray = gray_test_image(args.size)
    frames = [np.roll(gray, 8 * i, axis=1) for i in range(args.frames)]
    mpix = gray.size / 1e6
    rows = []
    where = "GPU (CuPy)" if args.namespace == "cupy" else "CPU, array-API code on NumPy"
    for decoder, figure in (("mrf", "one image + MRF"), ("mode", "frames, no MRF")):
        col.set_params(decoder=decoder)
        model = gpu.DeviceModel(col, xp)
        if decoder == "mrf":
            device_run(col, model, gray)  # warm-up: kernels compiled, pool filled
            t, _ = median_time(lambda: device_run(col, model, gray), args.repeats)
            t_cpu, _ = median_time(lambda: col.predict(gray), args.repeats)
            rows += [
                row(figure, f"device path ({where}), {args.size}^2, 10 sweeps", t * 1e3, "ms",
                    f"<= {COLORIZE_TARGET_MS:g} ms", "yes" if t * 1e3 <= COLORIZE_TARGET_MS
                    else "no", "copies in and out included"),
                row(figure, "CPU path, n_jobs=2", t_cpu * 1e3, "ms"),
                row(figure, "speed-up over the CPU path", t_cpu / t, "x"),
            ]
        else:
            device_run(col, model, frames[0])
            t, _ = median_time(lambda: [device_run(col, model, f) for f in frames], args.repeats)
            t_cpu, _ = median_time(lambda: col.predict(frames), max(1, args.repeats // 2))
            rate, rate_cpu = len(frames) * mpix / t, len(frames) * mpix / t_cpu
            rows += [
                row(figure, f"device path ({where}), {len(frames)} frames", rate, "Mpix/s",
                    f">= {FRAMES_TARGET_MPIX:g} Mpix/s",
                    "yes" if rate >= FRAMES_TARGET_MPIX else "no", "copies included"),
                row(figure, "CPU path, n_jobs=2", rate_cpu, "Mpix/s"),
                row(figure, "speed-up over the CPU path", rate / rate_cpu, "x"),
            ]
    rows.append(row("memory", "CuPy memory pool after the runs", pool_peak(args.namespace),
                    "MB", "", "", "n/a on NumPy"))
    report(rows, args.out)


if __name__ == "__main__":
    main()
