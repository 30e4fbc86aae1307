"""Benchmark nncolor's hot paths against the project's performance targets.

Figures (every timing is the median of ``--repeats`` runs timed with
``time.perf_counter``; all data are float32):

1. prep      Build the paper's training set from a folder of photos: read them
             (``skimage.io.imread``), convert to L*u*v* (``nncolor.color.rgb2luv``),
             draw 2500 pixels per image with their 5x5 patches
             (``PatchExtractor.sample``) and label their chroma with a 3x3 SOM that
             was fitted beforehand (only ``SOMQuantizer.predict`` is timed).
             Target: <= 10 s in total.
2. labels    ``SOMQuantizer(10x10).predict`` on 10 M (u, v) rows of real photo
             chroma (tiled), in Mpix/s; ``brute_force_argmin`` on 1 M of the same
             rows is the vectorized brute-force baseline. Target: >= 10 Mpix/s.
3. colorize  ``make_colorizer(...).predict`` on a 1024x1024 uint8 gray image, end
             to end, with n_jobs=2 and n_jobs=1, plus the MLP's forward FLOP count and
             the implied GFLOP/s. Target: <= 0.3 s.
4. memory    Peak RSS of a fresh Python process that fits a small 11x11-patch
             colorizer and colorizes a 4096x4096 uint8 gray image
             (``ru_maxrss`` before and after predict). Target: < 1.5 GB (1500 MB).
6. mrf       ``PottsMRF.smooth``: 10 red-black mean-field sweeps over a 1024x1024
             image with 9 codebook colors, against a composed-NumPy red-black
             implementation on full (K, H, W) arrays with checkerboard masks (the
             baseline, run in the same process on the same input; the two results
             are checked equal). Target: <= 0.5 s.
7. working   The working resolution (``SOMColorizer(working_size=...)``) against full
             resolution (``working_size=None``), in the same run, with the shipped
             default model: ``predict`` of a 1024x1024 uint8 gray photo (n_jobs=2; the
             working path's stages timed apart), and ``nncolor.tiling.colorize_image``
             (what ``nncolor colorize`` runs) of a 10 000 x 10 000 scan (4096 with
             ``--quick``) in a fresh process each: seconds and peak RSS.
             Targets: <= 0.1 s at 1024; <= 20 s and <= 1 GB at 10 000.
8. fit       The paper-scale fit: the paper's colorizer (5x5 patches, 3x3 SOM, (50, 50)
             MLP) on 1 025 000 pixels of the training part of ``scenes-256``
             (``../shared/data``; split by file name), with ``make_colorizer``'s
             defaults (Adam steps of 1000 pixels at rate 0.004, 12 epochs, then 3 at a
             tenth of the rate), against the same fit with early stopping at a constant
             rate (the previous default), in the same run; both measured on the
             held-out part (PSNR over gray, colorfulness, default decoder). Medians of
             three seeds (minutes); ``--quick``: 40 photos, one seed. Target: <= 60 s,
             no loss of held-out quality.
5. naive     Per-pixel Python loops, as the paper's code does it (slice each patch
             from the padded L image; argmin of one pixel's distances to the
             codebook), against the vectorized code on the same pixels: per-pixel
             costs, speed-ups, and a check that the results are identical.
9. auto      The shipped ``auto`` mixture (``nncolor.mixture``) against the shipped
             default model, in the same run: ``predict`` of five package photos
             (scikit-image's astronaut, coffee, chelsea, rocket; scikit-learn's china)
             as 1024x1024 uint8 gray images (256 with ``--quick``), n_jobs=2, with the
             experts each ran; and ``nncolor.tiling.colorize_image`` of a 10 000 x
             10 000 scan (the rocket's gray version upscaled; 4200 with ``--quick``:
             just over what it takes whole) in a fresh process per model: seconds and
             peak RSS (one run each), and their ratios. No target: what the
             mixture's quality costs.
10. film     ``nncolor.video.colorize_frames`` (smoothing 0.7, with the raw decode, as
             ``nncolor video`` runs it) of 24 gray frames with grain (a pan over
             scikit-image's coffee) at 640x480 and 1280x720 (6 frames at 320x240 with
             ``--quick``), the shipped default model classifying the frames at its
             working resolution against full resolution (how films were colorized
             before), in the same run: frames per second, the speed-up, and the flicker
             with and without smoothing. No target.

Run from the repository root::

    .venv/bin/python -m pipelines.benchmark [--data ../shared/data/scenes-256]
        [--repeats 5] [--quick] [--out out/benchmark]

``--quick`` (about a minute) uses the first 100 images, 2 M label rows, a 2048x2048
image for the memory figure and 3 repeats. The full table is printed and written to
``<out>/benchmark.csv``; a compact summary (figure | measured | target | met) ends the
output.
"""
import argparse
import copy
import json
import math
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from skimage import data as skdata
from skimage import io
from skimage.transform import resize

from nncolor import PatchExtractor, SOMQuantizer, make_colorizer
from nncolor.color import rgb2luv
from nncolor.mlp import mlp_logits
from nncolor.nearest import brute_force_argmin

REPO = Path(__file__).resolve().parents[1]
F32 = np.float32

PREP_TARGET_S = 10.0
LABELS_TARGET_MPIX = 10.0
COLORIZE_TARGET_S = 0.3
MEMORY_TARGET_MB = 1500.0  # 1.5 GB, MB = 10**6 bytes

# MLP (25 -> 50 -> 50 -> 9) multiply-adds per pixel, counted as 2 FLOPs each
MLP_FLOPS_PER_PIXEL = 2 * (25 * 50 + 50 * 50 + 50 * 9)


WORKING_1024_TARGET_S = 0.1
WORKING_HUGE_TARGET_S = 20.0
WORKING_HUGE_TARGET_MB = 1000.0

STEPS = ("prep", "labels", "colorize", "memory", "naive", "mrf", "working", "fit", "auto",
         "film")
# the steps that need the photo set-up and the fitted SOMs
_NEED_PHOTOS = {"prep", "labels", "naive"}


# ------------------------------------------------------------------ helpers
def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m pipelines.benchmark",
        description="Time nncolor's hot paths (median of --repeats runs) and compare "
        "them with the project's targets; writes <out>/benchmark.csv.",
    )
    p.add_argument("--data", type=Path, default=Path("../shared/data/scenes-256"),
                   help="folder of JPEG photos for the prep figure (default: %(default)s)")
    p.add_argument("--repeats", type=int, default=None,
                   help="runs per timing, the median is reported (default 5, 3 with --quick)")
    p.add_argument("--quick", action="store_true",
                   help="smaller sizes: 100 images, 2M label rows, 2048^2 memory image")
    p.add_argument("--out", type=Path, default=Path("out/benchmark"),
                   help="output folder for benchmark.csv (default: %(default)s)")
    p.add_argument("--only", nargs="+", choices=STEPS, default=list(STEPS), metavar="STEP",
                   help=f"run only these steps, of {', '.join(STEPS)} (default: all)")
    args = p.parse_args(argv)
    if args.repeats is None:
        args.repeats = 3 if args.quick else 5
    if args.repeats < 1:
        p.error("--repeats must be >= 1")
    return args


def median_time(fn, repeats, number=1):
    """Median seconds of one ``fn()`` call over ``repeats`` runs of ``number`` calls."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            result = fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times), result


def calls_for(fn, min_seconds=0.02):
    """How many calls of a fast ``fn`` make one timing run last about ``min_seconds``."""
    start = time.perf_counter()
    fn()
    return max(1, math.ceil(min_seconds / max(time.perf_counter() - start, 1e-7)))


def row(figure, metric, value, unit, target="", met="", note=""):
    return dict(figure=figure, metric=metric, value=value, unit=unit, target=target,
                met=met, note=note)


def yes_no(ok):
    return "yes" if ok else "no"


def fit_colorizer(patch_size=5, n_jobs=2):
    """The benchmark's small colorizer, fitted on three scikit-image color photos.

    Decodes by mode: the paper's pipeline, which the issue's speed targets describe.
    """
    col = make_colorizer(
        patch_size=patch_size, som_shape=(3, 3), hidden_layer_sizes=(50, 50),
        n_samples=2000, max_iter=30, som_iterations=2000, decoder="mode", random_state=0,
        n_jobs=n_jobs,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: max_iter=30 on purpose
        return col.fit([skdata.astronaut(), skdata.coffee(), skdata.chelsea()])


def gray_test_image(size, smooth=True):
    """skimage's camera as a size x size uint8 image.

    ``smooth`` resizes it (float64 temporaries); otherwise it is upscaled by pixel
    repetition in uint8, which keeps the memory child's baseline RSS clean.
    """
    cam = skdata.camera()
    if smooth or size % cam.shape[0]:
        return (resize(cam, (size, size)) * 255).round().astype(np.uint8)
    k = size // cam.shape[0]
    return cam.repeat(k, axis=0).repeat(k, axis=1)


def as_float(rgb_uint8):
    return rgb_uint8 * F32(1 / 255)


# ------------------------------------------------------------ photo set-up
def load_photo_setup(files, n_rows, seed=0):
    """One untimed pass over the photos (it also warms the OS file cache).

    Returns ``pool`` (real (u, v) rows of whole images, at least ``n_rows`` unless the
    photos have fewer pixels), ``som_train`` (40 random chroma rows per image) and the
    L channel of the first image (for the naive figure).
    """
    rng = np.random.default_rng(seed)
    pool, pool_rows, som_train, first_L, first_uv = [], 0, [], None, None
    for f in files:
        luv = rgb2luv(as_float(io.imread(f)))
        uv = luv[..., 1:].reshape(-1, 2)
        if first_L is None:
            first_L, first_uv = luv[..., 0].copy(), luv[..., 1:].copy()
        if pool_rows < n_rows:
            pool.append(uv.copy())
            pool_rows += len(uv)
        som_train.append(uv[rng.choice(len(uv), 40, replace=False)])
    return np.concatenate(pool), np.concatenate(som_train), first_L, first_uv


def synthetic_setup(n_rows, seed=0):
    """Stand-ins when the photo folder is missing: normal*30 chroma, astronaut's L."""
    rng = np.random.default_rng(seed)
    pool = (rng.standard_normal((min(n_rows, 1 << 22), 2)) * 30).astype(F32)
    luv = rgb2luv(as_float(skdata.astronaut()))
    return pool, pool[:20_000], luv[..., 0].copy(), luv[..., 1:].copy()


def fit_som(shape, chroma):
    return SOMQuantizer(shape=shape, n_iterations=10_000, random_state=0).fit(chroma)


# ----------------------------------------------------------------- 1. prep
def prep_once(files, som3):
    """One timed run of the training-set preparation; returns seconds per stage."""
    t = {}
    start = time.perf_counter()
    images = [io.imread(f) for f in files]
    t["read"] = time.perf_counter() - start

    start = time.perf_counter()
    luvs = [rgb2luv(as_float(im)) for im in images]
    t["luv"] = time.perf_counter() - start

    start = time.perf_counter()
    extractor = PatchExtractor(patch_size=5, n_samples=2500)
    feats, chroma, _ = extractor.sample_luv(luvs, random_state=0)
    t["patches"] = time.perf_counter() - start

    start = time.perf_counter()
    labels = som3.predict(chroma)
    t["labels"] = time.perf_counter() - start
    assert feats.dtype == np.float32 and feats.shape == (len(labels), 25)
    t["total"] = sum(t.values())
    t["n_pixels"] = len(labels)
    return t


def bench_prep(files, n_all, som3, repeats):
    runs = [prep_once(files, som3) for _ in range(repeats)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    n = len(files)
    projected = med["total"] * n_all / n
    scaled = n != n_all
    note = f"{n} images, {med['n_pixels']:.0f} pixels, file cache warm"
    if scaled:
        note += f"; {projected:.2f} s projected to all {n_all} images"
    rows = [row("prep", "total", med["total"], "s", f"<= {PREP_TARGET_S:g} s",
                yes_no(projected <= PREP_TARGET_S), note)]
    rows += [row("prep", stage, med[stage], "s") for stage in ("read", "luv", "patches", "labels")]
    return rows


# --------------------------------------------------------------- 2. labels
def bench_labels(pool, som10, n_rows, n_brute, repeats, source):
    X = np.resize(pool, (n_rows, 2)).astype(F32, copy=False)  # tiles the real rows
    start = time.perf_counter()
    som10.predict(X[:1000])  # first call builds the VoronoiGrid index
    build = time.perf_counter() - start
    t, labels = median_time(lambda: som10.predict(X), repeats)
    n_b = min(n_brute, n_rows)
    tb, brute = median_time(lambda: brute_force_argmin(X[:n_b], som10.cluster_centers_), repeats)
    mismatches = int((labels[:n_b] != brute).sum())
    mpix = n_rows / t / 1e6
    return [
        row("labels", "SOMQuantizer(10x10).predict", mpix, "Mpix/s",
            f">= {LABELS_TARGET_MPIX:g} Mpix/s", yes_no(mpix >= LABELS_TARGET_MPIX),
            f"{n_rows / 1e6:g}M rows of {source}, {t:.3f} s"),
        row("labels", "brute_force_argmin", n_b / tb / 1e6, "Mpix/s", "", "",
            f"{n_b / 1e6:g}M rows, {tb:.3f} s; baseline"),
        row("labels", "speed-up vs brute force", (n_rows / t) / (n_b / tb), "x"),
        row("labels", "mismatches vs brute force", mismatches, "rows", "0",
            yes_no(mismatches == 0), f"on the first {n_b / 1e6:g}M rows"),
        row("labels", "first predict (builds VoronoiGrid)", build, "s", "", "", "one-off"),
    ]


# ------------------------------------------------------------- 3. colorize
def bench_colorize(repeats):
    col = fit_colorizer(patch_size=5, n_jobs=2)
    gray = gray_test_image(1024)
    n_pix = gray.size
    flops = MLP_FLOPS_PER_PIXEL * n_pix
    rows = []
    for n_jobs in (2, 1):
        col.set_params(n_jobs=n_jobs)
        col.predict(gray)  # warm-up
        t, out = median_time(lambda: col.predict(gray), repeats)
        assert out.shape == (1024, 1024, 3) and out.dtype == np.float32
        target = f"<= {COLORIZE_TARGET_S:g} s" if n_jobs == 2 else ""
        met = yes_no(t <= COLORIZE_TARGET_S) if n_jobs == 2 else ""
        rows.append(row("colorize 1024", f"predict n_jobs={n_jobs}", t, "s", target, met,
                        f"{n_pix / t / 1e6:.2f} Mpix/s, {flops / t / 1e9:.1f} GFLOP/s implied"))
    # where the time goes: the MLP forward pass alone, on precomputed patches
    L = col.color_space_.lightness(gray.astype(F32) / F32(255))
    feats = PatchExtractor(patch_size=5).fit().transform([L])
    t_mlp, _ = median_time(lambda: mlp_logits(col.classifier_, feats), repeats)
    rows += [
        row("colorize 1024", "MLP FLOPs per megapixel", MLP_FLOPS_PER_PIXEL * 2**20 / 1e9,
            "GFLOP", "", "", "2*(25*50+50*50+50*9)*1024*1024"),
        row("colorize 1024", "MLP forward alone (1 call, BLAS default threads)", t_mlp, "s",
            "", "", f"{flops / t_mlp / 1e9:.1f} GFLOP/s on precomputed 1M x 25 patches"),
    ]
    return rows


# ------------------------------------------------------------------ 6. mrf
MRF_TARGET_S = 0.5


def numpy_mrf(proba, L, grid, mrf):
    """Baseline: the same red-black mean field, composed from NumPy array operations.

    Full (K, H, W) arrays, a checkerboard mask per colour, every neighbour sum computed
    for all pixels: the straightforward vectorized way, ~15 passes over K x H x W per sweep.
    """
    from nncolor.mrf import similarity_matrix

    S = similarity_matrix(grid, mrf.pairwise_weight, mrf.near_score)
    theta = mrf.unary_potential(proba).transpose(2, 0, 1)
    q = np.ascontiguousarray(proba.transpose(2, 0, 1))
    h, w = L.shape
    wr = np.zeros((h, w), F32)  # weight to the right / down neighbour
    wd = np.zeros((h, w), F32)
    wr[:, :-1] = np.exp(-((L[:, 1:] - L[:, :-1]) ** 2) / F32(mrf.sigma))
    wd[:-1] = np.exp(-((L[1:] - L[:-1]) ** 2) / F32(mrf.sigma))
    red = (np.indices((h, w)).sum(0) % 2) == 0
    for _ in range(mrf.n_iter):
        for mask in (red, ~red):
            msg = np.zeros_like(q)
            msg[:, :, :-1] += wr[:, :-1] * q[:, :, 1:]
            msg[:, :, 1:] += wr[:, :-1] * q[:, :, :-1]
            msg[:, :-1] += wd[:-1] * q[:, 1:]
            msg[:, 1:] += wd[:-1] * q[:, :-1]
            logits = np.tensordot(S, msg, axes=1) + theta
            logits -= logits.max(axis=0)
            np.exp(logits, out=logits)
            logits /= logits.sum(axis=0)
            q[:, mask] = logits[:, mask]
    return q.transpose(1, 2, 0)


def bench_mrf(repeats, size=1024, k=9):
    from nncolor.mrf import PottsMRF

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(size, size, k)).astype(F32) * 2
    proba = np.exp(logits)
    proba /= proba.sum(-1, keepdims=True)
    # lightness of a real photo, so the edge weights are realistic
    L = gray_test_image(size).astype(F32) / F32(2.55)
    grid = np.indices((3, 3)).reshape(2, -1).T
    mrf = PottsMRF(n_iter=10, tol=0)
    mrf.smooth(proba[:8, :8], L[:8, :8], grid)  # JIT compile / cache load, not timed
    t, q = median_time(lambda: mrf.smooth(proba, L, grid), repeats)
    t_np, q_np = median_time(lambda: numpy_mrf(proba, L, grid, mrf), max(1, repeats // 2))
    diff = float(np.abs(q - q_np).max())
    # one sweep compares the arithmetic; ten also let the coupling amplify float32 noise
    one = PottsMRF(n_iter=1, tol=0)
    diff1 = float(np.abs(one.smooth(proba, L, grid) - numpy_mrf(proba, L, grid, one)).max())
    return [
        row("mrf", f"PottsMRF.smooth, 10 sweeps, K={k}, {size}^2", t, "s",
            f"<= {MRF_TARGET_S:g} s", yes_no(t <= MRF_TARGET_S),
            f"{size * size * 10 / t / 1e6:.1f} Mpix-sweeps/s; numba kernel, (K, h/2, w/2) sub-lattices"),
        row("mrf", "baseline: composed NumPy, full (K, H, W) + masks", t_np, "s", "", "",
            "same sweeps, same input"),
        row("mrf", "speed-up vs NumPy baseline", t_np / t, "x"),
        row("mrf", "max |q - q_numpy| after 1 sweep", diff1, "", "< 1e-5", yes_no(diff1 < 1e-5),
            "float32; the kernel's polynomial exp is within 3e-7 of np.exp"),
        row("mrf", "max |q - q_numpy| after 10 sweeps", diff, "", "< 1e-3", yes_no(diff < 1e-3),
            "the strong coupling amplifies rounding differences sweep by sweep"),
    ]


# --------------------------------------------------------------- 4. memory
_MEMORY_CHILD = """
import json, resource, sys, time
from pipelines.benchmark import fit_colorizer, gray_test_image, vm_hwm_kib
size, repeats = int(sys.argv[1]), int(sys.argv[2])
maxrss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
imports = maxrss()
col = fit_colorizer(patch_size=11, n_jobs=2)
gray = gray_test_image(size, smooth=False)
before, hwm_before = maxrss(), vm_hwm_kib()
times, after = [], None
for i in range(repeats):
    start = time.perf_counter()
    out = col.predict(gray)
    times.append(time.perf_counter() - start)
    if after is None:
        after, hwm_after = maxrss(), vm_hwm_kib()
        shape, dtype = list(out.shape), str(out.dtype)
    del out
print(json.dumps(dict(imports_kib=imports, before_kib=before, after_kib=after,
                      hwm_before_kib=hwm_before, hwm_after_kib=hwm_after,
                      times=times, shape=shape, dtype=dtype)))
"""


def vm_hwm_kib():
    """Peak RSS of this process's address space (VmHWM, KiB), or -1 if unavailable."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return -1


def bench_memory(size, repeats, quick):
    # Linux keeps ru_maxrss across execve: a child exec'd straight from this process
    # (hundreds of MB by now) would report our peak as its own. sh forks the child
    # from a small process instead, so its ru_maxrss starts fresh.
    child = [sys.executable, "-c", _MEMORY_CHILD, str(size), str(repeats)]
    proc = subprocess.run(
        ["/bin/sh", "-c", '"$@"; exit $?', "sh", *child],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"memory child failed:\n{proc.stderr}")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    mb = lambda kib: kib * 1024 / 1e6 if kib >= 0 else float("nan")  # noqa: E731  (KiB)
    peak, base = mb(r["after_kib"]), mb(r["before_kib"])
    t = statistics.median(r["times"])
    fig = f"memory {size}"
    met = "n/a (quick: 2048^2)" if quick else yes_no(peak < MEMORY_TARGET_MB)
    return [
        row(fig, "peak RSS (ru_maxrss after predict)", peak, "MB",
            f"< {MEMORY_TARGET_MB:g} MB (4096^2)", met,
            f"fresh process, 11x11 patches, n_jobs=2, output {r['shape']} {r['dtype']}"),
        row(fig, "RSS increase over pre-predict baseline", peak - base, "MB"),
        row(fig, "baseline (imports + fit + image)", base, "MB", "", "",
            f"imports alone {mb(r['imports_kib']):.0f} MB"),
        row(fig, "peak RSS cross-check (VmHWM after predict)", mb(r["hwm_after_kib"]), "MB"),
        row(fig, "predict", t, "s", "", "", f"{size * size / t / 1e6:.2f} Mpix/s"),
    ]


# ---------------------------------------------------------------- 5. naive
def naive_patches(L, patch_size):
    """Patch rows of every pixel, one pixel at a time (the paper's loop)."""
    r = patch_size // 2
    padded = np.pad(np.asarray(L, dtype=F32) / F32(100), r, mode="reflect")
    h, w = L.shape
    out = np.empty((h * w, patch_size * patch_size), dtype=F32)
    for i in range(h):
        for j in range(w):
            out[i * w + j] = padded[i : i + patch_size, j : j + patch_size].ravel()
    return out


def naive_labels(X, centers):
    """Nearest codeword of each row, one pixel at a time."""
    out = np.empty(len(X), dtype=np.intp)
    for n in range(len(X)):
        out[n] = np.argmin(((centers - X[n]) ** 2).sum(axis=1))
    return out


def bench_naive(L, uv, som10, repeats, side=64):
    i0, j0 = (L.shape[0] - side) // 2, (L.shape[1] - side) // 2
    crop = np.ascontiguousarray(L[i0 : i0 + side, j0 : j0 + side])
    chroma = np.ascontiguousarray(uv[i0 : i0 + side, j0 : j0 + side].reshape(-1, 2))
    n = crop.size
    extractor = PatchExtractor(patch_size=5).fit()
    centers = som10.cluster_centers_

    tp_naive, p_naive = median_time(lambda: naive_patches(crop, 5), repeats)
    vec_p = lambda: extractor.transform([crop])  # noqa: E731
    tp_vec, p_vec = median_time(vec_p, repeats, calls_for(vec_p))
    tl_naive, l_naive = median_time(lambda: naive_labels(chroma, centers), repeats)
    vec_l = lambda: som10.predict(chroma)  # noqa: E731
    tl_vec, l_vec = median_time(vec_l, repeats, calls_for(vec_l))

    same_p = np.array_equal(p_naive, p_vec)
    same_l = np.array_equal(l_naive, l_vec)
    us = lambda t: t / n * 1e6  # noqa: E731
    where = f"{side}x{side} crop = {n} pixels"
    rows = [
        row("naive", "patches: naive per pixel", us(tp_naive), "us/px", "", "", where),
        row("naive", "patches: PatchExtractor dense per pixel", us(tp_vec), "us/px"),
        row("naive", "patches speed-up", tp_naive / tp_vec, "x"),
        row("naive", "labels: naive per pixel", us(tl_naive), "us/px", "", "", "10x10 SOM"),
        row("naive", "labels: SOMQuantizer.predict per pixel", us(tl_vec), "us/px"),
        row("naive", "labels speed-up", tl_naive / tl_vec, "x"),
        row("naive", "patches identical", same_p, "", "identical", yes_no(same_p)),
        row("naive", "labels identical", same_l, "", "identical", yes_no(same_l),
            "" if same_l else f"{int((l_naive != l_vec).sum())} of {n} differ"),
    ]
    print(f"naive vs vectorized on {where}: patches identical={same_p}, "
          f"labels identical={same_l}")
    print(f"  speed-up x{tp_naive / tp_vec:.0f} for patches, x{tl_naive / tl_vec:.0f} for labelling")
    assert same_p, "naive and vectorized patches differ"
    assert same_l, f"naive and vectorized labels differ at {np.flatnonzero(l_naive != l_vec)}"
    return rows


# -------------------------------------------------------------- 7. working
def default_working_model(working_size="auto"):
    """The shipped default model, and how its working size was chosen.

    A model saved before the working resolution existed has no ``training_size_``:
    its card's training photos (``scenes-256``, 256 px) give the size instead.
    """
    from nncolor.model_file import load_model

    model = load_model(None)
    if working_size == "auto" and getattr(model, "training_size_", None) is None:
        return model.set_params(working_size=256), "256 (the card's scenes-256 photos)"
    model.set_params(working_size=working_size)
    return model, str(working_size)


def bench_working(repeats, huge, quick):
    from nncolor import upsample

    model, chosen = default_working_model()
    model.set_params(n_jobs=2)
    full = copy.deepcopy(model).set_params(working_size=None)
    gray = gray_test_image(1024)
    for m in (model, full):
        m.predict(gray)  # warm-up (and the numba cache load)
    t_full, _ = median_time(lambda: full.predict(gray), repeats)
    t_work, out = median_time(lambda: model.predict(gray), repeats)
    assert out.shape == (1024, 1024, 3) and out.dtype == np.float32
    factor = model.reduction_factor(gray.shape)
    # the working path's stages
    pixels = gray * F32(1 / 255)
    t_L, L = median_time(lambda: model.color_space_.lightness(pixels), repeats)
    t_down, small = median_time(lambda: upsample.block_mean(L, factor), repeats)
    t_small, (coef, bounds) = median_time(lambda: upsample.fit_guide(
        small, model.chroma(small, prior=None, scale=1.0)), repeats)
    t_up, _ = median_time(lambda: upsample.guided_rgb(coef, L, factor, bounds=bounds), repeats)
    fig = "working 1024"
    rows = [
        row(fig, "predict, full resolution (working_size=None)", t_full, "s", "", "",
            "default model, n_jobs=2"),
        row(fig, f"predict, working resolution (working_size={chosen})", t_work, "s",
            f"<= {WORKING_1024_TARGET_S:g} s", yes_no(t_work <= WORKING_1024_TARGET_S),
            f"classified at {small.shape[1]}x{small.shape[0]} (factor {factor})"),
        row(fig, "speed-up over full resolution", t_full / t_work, "x"),
        row(fig, "  stage: lightness (full size)", t_L, "s"),
        row(fig, "  stage: block mean (shrink)", t_down, "s"),
        row(fig, "  stage: classify + decode + guided-filter coefficients (small)", t_small, "s"),
        row(fig, "  stage: guided upsampling + Luv->RGB (full size, numba)", t_up, "s"),
    ]
    for label, working in (("working resolution", "auto"), ("full resolution", None)):
        r = _run_child(_WORKING_CHILD, str(huge), repr(working))
        peak = max(r["hwm_after_kib"], r["maxrss_kib"]) * 1024 / 1e6
        fig = f"working {huge}"
        targets = label == "working resolution" and not quick
        rows += [
            row(fig, f"colorize_image, {label}", r["seconds"], "s",
                f"<= {WORKING_HUGE_TARGET_S:g} s" if targets else "",
                yes_no(r["seconds"] <= WORKING_HUGE_TARGET_S) if targets else "",
                f"fresh process, default model (working_size={r['chosen']}), "
                f"output {r['shape']} {r['dtype']}"),
            row(fig, f"peak RSS, {label}", peak, "MB",
                f"<= {WORKING_HUGE_TARGET_MB:g} MB" if targets else "",
                yes_no(peak <= WORKING_HUGE_TARGET_MB) if targets else "",
                f"imports + model {r['base_kib'] * 1024 / 1e6:.0f} MB, "
                f"with the {huge}^2 uint8 input {r['input_kib'] * 1024 / 1e6:.0f} MB"),
        ]
    return rows


_WORKING_CHILD = """
import ast, json, resource, sys, time
import numpy as np
from skimage import data
from pipelines.benchmark import default_working_model, vm_hwm_kib
from nncolor.tiling import colorize_image
size, working = int(sys.argv[1]), ast.literal_eval(sys.argv[2])
maxrss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
if len(sys.argv) > 3:  # a shipped model by name, as it is
    from nncolor.model_file import load_model
    model, chosen = load_model(sys.argv[3]), "its own"
else:
    model, chosen = default_working_model(working)
model.set_params(n_jobs=2)  # as the 1024 figure: blocks in 2 threads, BLAS in 1 each
colorize_image(model, data.camera())  # imports, numba cache load: not timed
base = vm_hwm_kib()
if len(sys.argv) > 4:  # a package photo's gray version, upscaled (one photo to the gate)
    from PIL import Image
    photo = getattr(data, sys.argv[4])()
    photo = Image.fromarray(photo).convert("L").resize((size, size), Image.BICUBIC)
    gray = np.asarray(photo)
    del photo
else:
    cam = data.camera()  # a photo-like scan: camera mirrored into tiles, no seams
    tile = np.block([[cam, cam[:, ::-1]], [cam[::-1], cam[::-1, ::-1]]])
    reps = -(-size // tile.shape[0])
    gray = np.ascontiguousarray(np.tile(tile, (reps, reps))[:size, :size])
input_kib = vm_hwm_kib()
start = time.perf_counter()
out = colorize_image(model, gray)
seconds = time.perf_counter() - start
# a mixture's experts, from the decimated copy its gate reads
from nncolor.guidance import descriptor_step
step = descriptor_step(gray.shape)
experts = model.expert_weights(gray[::step, ::step]) if hasattr(model, "expert_weights") \
    else None
print(json.dumps(dict(seconds=seconds, base_kib=base, input_kib=input_kib,
                      hwm_after_kib=vm_hwm_kib(), maxrss_kib=maxrss(), chosen=chosen,
                      shape=list(out.shape), dtype=str(out.dtype), experts=experts)))
"""


PAPER_PIXELS = 1_025_000


#: The seeds of the paper-scale fit: where an epoch ends depends on them, and so do the
#: time and the held-out figures; the benchmark reports medians over them.
FIT_SEEDS = (0, 1, 2)


def bench_fit(quick):
    """Paper-scale fit with the defaults against early stopping at a constant rate (the
    previous default), same data, same run; medians over :data:`FIT_SEEDS`."""
    from pipelines.quality import DATA, held_out, training_part

    folder = DATA / "scenes-256"
    if not folder.is_dir():
        print(f"  fit: {folder} not found, skipped", flush=True)
        return []
    train = training_part(folder)[: 40 if quick else None]
    test, names = held_out(folder, limit=20 if quick else None)
    per_photo = -(-(PAPER_PIXELS // 10 if quick else PAPER_PIXELS) // len(train))
    seeds = FIT_SEEDS[:1] if quick else FIT_SEEDS
    rows, seconds = [], {}
    for label, extra in (("defaults (12 epochs, then 3 at a tenth of the rate; "
                          "chroma scale at 0.25)", {}),
                         ("early stopping at a constant rate, full chroma scale (the "
                          "previous defaults)", {"max_iter": 200, "early_stopping": True,
                                                 "decay_epochs": 0, "chroma_shrinkage": True})):
        runs = [_fit_once(train, test, names, per_photo, seed, extra) for seed in seeds]
        for seed, run in zip(seeds, runs):
            print(f"  {label}, seed {seed}: {run['seconds']:.0f} s, {run['epochs']} epochs, "
                  f"held-out {run['gain_db']:+.2f} dB over gray, colorfulness "
                  f"{run['colorfulness']:.2f} (full chroma scale: {run['gain_db_full']:+.2f} "
                  f"dB, {run['colorfulness_full']:.2f})", flush=True)
        median = {k: float(np.median([r[k] for r in runs]))
                  for k in ("seconds", "gain_db", "colorfulness", "epochs", "gain_db_full",
                            "colorfulness_full")}
        seconds[label] = median["seconds"]
        note = (f"median of seeds {', '.join(map(str, seeds))}; "
                f"{runs[0]['pixels']} pixels, {median['epochs']:.0f} epochs")
        target = "" if extra else "<= 60"
        # the targets are the defaults'; the baseline's rows say where it stood
        met = yes_no if target else (lambda ok: "")
        rows += [row("fit", f"paper-scale fit, {label}", median["seconds"], "s", target,
                     met(median["seconds"] <= 60), note),
                 row("fit", f"held-out gain over gray, {label}", median["gain_db"], "dB",
                     ">= 1.0", met(median["gain_db"] >= 1.0),
                     f"{len(test)} photos of scenes-256; {note}"),
                 row("fit", f"held-out colorfulness / truth's, {label}",
                     median["colorfulness"], "", ">= 0.5", met(median["colorfulness"] >= 0.5),
                     note)]
        if not extra:  # the same fits, their learned chroma scale at full strength
            rows += [row("fit", f"held-out gain over gray, {label}, full chroma scale",
                         median["gain_db_full"], "dB", note=note),
                     row("fit", f"held-out colorfulness / truth's, {label}, full chroma "
                         "scale", median["colorfulness_full"], "", note=note)]
    first, second = seconds.values()
    rows.append(row("fit", "speed-up vs early stopping at a constant rate", second / first, "x"))
    return rows


def _fit_once(train, test, names, per_photo, seed, extra):
    """One paper-scale fit: its seconds, epochs and held-out figures."""
    from nncolor import make_colorizer
    from pipelines.quality import measure

    col = make_colorizer(5, (3, 3), (50, 50), n_samples=per_photo, random_state=seed, **extra)
    start = time.perf_counter()
    col.fit(train)
    seconds = time.perf_counter() - start
    figures = measure(col, test, names)
    full = figures if col.chroma_shrinkage is True else \
        measure(col.set_params(chroma_shrinkage=True), test, names)
    return dict(seconds=seconds, epochs=col.classifier_.n_iter_, pixels=col.n_training_pixels_,
                gain_db_full=full["gain_db"], colorfulness_full=full["colorfulness"], **figures)


def _run_child(code, *argv):
    """Run ``code`` in a fresh Python process (see bench_memory); its last line as JSON."""
    child = [sys.executable, "-c", code, *argv]
    proc = subprocess.run(["/bin/sh", "-c", '"$@"; exit $?', "sh", *child],
                          cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- output
def fmt(value):
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "-"
    return f"{value:.4g}"


def summary(rows):
    """figure | measured | target | met, for the rows that carry a target."""
    return [
        dict(figure=f"{r['figure']}: {r['metric']}", measured=f"{fmt(r['value'])} {r['unit']}",
             target=r["target"], met=r["met"])
        for r in rows if r["target"]
    ]


# ----------------------------------------------------------------- 9. auto
def bench_auto(repeats, size, huge):
    """The shipped mixture against the shipped default model on size x size photos, and
    on a huge x huge scan in a fresh process each (time and peak memory)."""
    from skimage import data
    from sklearn.datasets import load_sample_images

    from nncolor.model_file import load_model

    photos = {"astronaut": data.astronaut(), "coffee": data.coffee(),
              "chelsea": data.chelsea(), "rocket": data.rocket(),
              "china": load_sample_images().images[0]}
    default, auto = (load_model(name).set_params(n_jobs=2) for name in ("default", "auto"))
    rows, ratios = [], []
    for name, rgb in photos.items():
        gray = np.round(resize(rgb.mean(axis=2), (size, size))).astype(np.uint8)
        times = {}
        for label, model in (("default", default), ("auto", auto)):
            model.predict(gray)  # warm-up (the experts' first load)
            times[label] = median_time(lambda model=model: model.predict(gray), repeats)[0]
        ratios.append(times["auto"] / times["default"])
        weights = auto.expert_weights(gray)
        rows.append(row(f"auto {size}", f"{name}: auto / default", ratios[-1], "x", "", "",
                        f"auto {times['auto']:.3f} s, default {times['default']:.3f} s; "
                        "experts " + ", ".join(f"{k} {w:.2f}" for k, w in weights.items())))
    rows.append(row(f"auto {size}", "median over the photos: auto / default",
                    float(np.median(ratios)), "x"))
    # the rocket: every expert at 1024, the mixture's costliest photo here
    scans = {name: _run_child(_WORKING_CHILD, str(huge), "None", name, "rocket")
             for name in ("default", "auto")}
    peaks = {name: max(r["hwm_after_kib"], r["maxrss_kib"]) * 1024 / 1e6
             for name, r in scans.items()}
    for name, r in scans.items():
        experts = "; experts " + ", ".join(f"{k} {w:.2f}" for k, w in r["experts"].items()) \
            if r["experts"] else ""
        rows += [row(f"auto {huge}", f"colorize_image, {name}", r["seconds"], "s", "", "",
                     f"fresh process, rocket upscaled, output {r['shape']} {r['dtype']}"
                     + experts),
                 row(f"auto {huge}", f"peak RSS, {name}", peaks[name], "MB")]
    return rows + [
        row(f"auto {huge}", "auto / default, time", scans["auto"]["seconds"]
            / scans["default"]["seconds"], "x"),
        row(f"auto {huge}", "auto / default, peak RSS", peaks["auto"] / peaks["default"], "x")]


# ----------------------------------------------------------------- 10. film
def film_frames(n, height, width, seed=0):
    """n gray frames of a slow pan over skimage's coffee, with film grain (uint8)."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    gray = Image.fromarray(skdata.coffee()).convert("L")
    wide = np.asarray(gray.resize((width + 2 * n, height), Image.BICUBIC), dtype=np.float32)
    return [np.clip(wide[:, 2 * i:2 * i + width] + rng.normal(0, 3, (height, width)), 0, 255)
            .astype(np.uint8) for i in range(n)]


def bench_film(repeats, sizes, n_frames):
    """colorize_frames (temporal smoothing 0.7) with the shipped default model, frames
    classified at its working resolution against full resolution, in the same run."""
    from nncolor.video import colorize_frames, flicker

    rows = []
    for height, width in sizes:
        frames = film_frames(n_frames, height, width)
        fps = {}
        for label, working in (("working resolution", "auto"), ("full resolution", None)):
            model = default_working_model(working)[0].set_params(n_jobs=2)

            def run(model=model):
                return list(colorize_frames(model, frames, smoothing=0.7, raw=True))
            run()  # warm-up: the numba cache, the face detector
            seconds, outs = median_time(run, repeats)
            smoothed = flicker([o.chroma for o in outs], [o.L for o in outs])
            raw = flicker([o.raw_chroma for o in outs], [o.L for o in outs])
            fps[label] = n_frames / seconds
            rows.append(row(f"film {width}x{height}", f"frames per second, {label}",
                            fps[label], "frame/s", "", "",
                            f"{n_frames} frames, with the raw decode (as nncolor video "
                            f"measures flicker); flicker {raw:.3f} -> {smoothed:.3f}"))
        rows.append(row(f"film {width}x{height}", "speed-up of the working resolution",
                        fps["working resolution"] / fps["full resolution"], "x"))
    return rows


def report(rows, out_dir):
    import pandas as pd  # imported here so the memory child's baseline stays small

    table = pd.DataFrame(rows)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv = out_dir / "benchmark.csv"
    table.to_csv(csv, index=False)
    shown = table.assign(value=table["value"].map(fmt))
    with pd.option_context("display.width", 250, "display.max_colwidth", 90):
        print("\n" + shown.to_string(index=False))
        print(f"\nwritten: {csv}\n\nSummary")
        print(pd.DataFrame(summary(rows)).to_string(index=False))


def git_head():
    """Short commit of the checkout, "+dirty nncolor" if tracked library files changed."""
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                          capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "-uno", "--", "nncolor"], cwd=REPO,
                           capture_output=True, text=True, check=False).stdout.strip()
    return (proc.stdout.strip() or "?") + ("+dirty nncolor" if dirty else "")


# ------------------------------------------------------------------ main
def photo_setup(args, n_rows):
    """Photos, label rows and fitted 3x3 and 10x10 SOMs for the prep, labels and naive
    steps: from ``--data`` when it has photos, else synthetic (prep is then skipped)."""
    rows = []
    start = time.perf_counter()
    files = sorted(args.data.glob("*.jpg")) if args.data.is_dir() else []
    n_all = len(files)
    if files:
        files = files[:100] if args.quick else files
        print(f"set-up: {len(files)} photos from {args.data} ...", flush=True)
        pool, som_train, L, uv = load_photo_setup(files, n_rows)
        source = "real photo chroma"
    else:
        reason = "not found" if not args.data.is_dir() else "has no *.jpg"
        print(f"prep: skipped: {args.data} {reason}", flush=True)
        rows.append(row("prep", "total", float("nan"), "s", f"<= {PREP_TARGET_S:g} s", "n/a",
                        f"skipped: {args.data} {reason}"))
        pool, som_train, L, uv = synthetic_setup(n_rows)
        source = "synthetic normal*30 chroma"
    som3 = fit_som((3, 3), som_train)
    som10 = fit_som((10, 10), som_train)
    print(f"  set-up and SOM fits: {time.perf_counter() - start:.1f} s (not measured)", flush=True)
    return rows, (files, n_all, pool, L, uv, som3, som10, source)


def main(argv=None):
    args = parse_args(argv)
    n_rows = 2_000_000 if args.quick else 10_000_000
    n_brute = 1_000_000
    mem_size = 2048 if args.quick else 4096
    print(f"nncolor benchmark: repeats={args.repeats}, quick={args.quick}, "
          f"median of repeats, float32, commit {git_head()}", flush=True)

    rows = []
    if _NEED_PHOTOS & set(args.only):
        rows, setup = photo_setup(args, n_rows)
        files, n_all, pool, L, uv, som3, som10, source = setup
    steps = {
        "prep": lambda: bench_prep(files, n_all, som3, args.repeats) if files else [],
        "labels": lambda: bench_labels(pool, som10, n_rows, n_brute, args.repeats, source),
        "colorize": lambda: bench_colorize(args.repeats),
        "memory": lambda: bench_memory(mem_size, args.repeats, args.quick),
        "naive": lambda: bench_naive(L, uv, som10, args.repeats),
        "mrf": lambda: bench_mrf(args.repeats, size=512 if args.quick else 1024),
        "working": lambda: bench_working(args.repeats, 4096 if args.quick else 10_000,
                                         args.quick),
        "fit": lambda: bench_fit(args.quick),
        # the quick scan is just over the 4096 x 4096 that colorize_image takes whole
        "auto": lambda: bench_auto(args.repeats, 256 if args.quick else 1024,
                                   4200 if args.quick else 10_000),
        "film": lambda: bench_film(args.repeats, [(240, 320)] if args.quick else
                                   [(480, 640), (720, 1280)], 6 if args.quick else 24),
    }
    steps = [(f"{i}/{len(args.only)} {name}", steps[name])
             for i, name in enumerate((n for n in STEPS if n in args.only), 1)]
    for name, step in steps:
        print(f"{name} ...", flush=True)
        start = time.perf_counter()
        rows += step()
        print(f"  ({time.perf_counter() - start:.1f} s)", flush=True)
    report(rows, args.out)


if __name__ == "__main__":
    main()
