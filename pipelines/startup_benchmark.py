"""Start-up benchmark: how long a new process takes to answer, load a model and colorize.

Each figure is the median of ``--repeats`` fresh Python processes (a warm disk cache; the
first run is a warm-up and not counted), because start-up is what a user of the command
line pays on every call:

* ``python -c "import numpy"``: the yardstick, to compare figures taken on machines of
  other speeds or loads (the ratio of a figure to it moves less than the figure);
* ``nncolor --help``: the parser alone (no NumPy, no scikit-learn);
* ``import nncolor.model_file`` and the first ``load_model("default")`` in the process,
  each timed inside the child with ``time.perf_counter``, and the whole child's wall time:
  with the cache of shipped models filled by the warm-up (:mod:`nncolor.model_cache`,
  what every run after the first one after an install meets), and with the cache off
  (the skops file read, as on the very first run);
* the whole process of ``load_model("default", inference_only=True)``: the model's
  inference form (:class:`nncolor.inference.FittedColorizer`), from the cache, without
  scikit-learn (which ``nncolor colorize`` uses);
* ``nncolor colorize`` of one 1-megapixel gray photo (1024 x 1024, made from
  ``skimage.data.astronaut``), start to finish.

The model cache lives in a temporary folder (``NNCOLOR_CACHE_DIR``), never the user's.
It also lists which optional libraries (torch, Dask, imageio, CuPy) the loading child
imported (none should be), and which heavy ones (scikit-learn, scipy.stats, pandas) the
inference form's child imported (none should be).

Run: ``python -m pipelines.startup_benchmark`` (``make startup``).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"help": 0.3, "load": 0.3, "colorize": 1.5}
OPTIONAL = ("torch", "dask", "distributed", "imageio", "imageio_ffmpeg", "cupy")
HEAVY = ("sklearn", "scipy.stats", "pandas", "torch")

def load_child(call, modules):
    """A child's code: import ``nncolor.model_file``, run ``call`` (``load_model(...)``), and
    print the seconds of each and which of ``modules`` are imported, as JSON (``null`` for
    a checkout whose ``load_model`` does not take the call's keywords)."""
    return f"""
import json, sys, time
start = time.perf_counter()
from nncolor.model_file import load_model
imported = time.perf_counter()
try:
    {call}
except TypeError:  # a checkout from before that keyword: nothing to time
    print("null")
    sys.exit()
loaded = time.perf_counter()
print(json.dumps(dict(import_s=imported - start, load_s=loaded - imported,
                      imported=[m for m in {modules!r} if m in sys.modules])))
"""


#: The full colorizer (the optional libraries it must not import), and its inference form
#: (the heavy ones it must not import).
LOAD_CHILD = load_child('load_model("default")', OPTIONAL)
INFERENCE_CHILD = load_child('load_model("default", inference_only=True)', HEAVY)


def _env(source, cache):
    # that checkout's nncolor, whatever is installed; the model cache in ``cache`` ("": off)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))
    env["NNCOLOR_CACHE_DIR"] = str(cache)
    return env


def wall(command, source=ROOT, cache=""):
    """Seconds one run of ``command`` takes, and its stdout; raises if it fails."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=source, env=_env(source, cache), capture_output=True,
                          text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"{' '.join(map(str, command))} failed: {done.stderr.strip()}")
    return seconds, done.stdout


def medians(command, repeats, source=ROOT, cache=""):
    # warm-up: the disk cache, Python's bytecode cache and (with one) the model cache
    wall(command, source, cache)
    runs = [wall(command, source, cache) for _ in range(repeats)]
    return statistics.median(s for s, _ in runs), [out for _, out in runs]


def one_megapixel_photo(folder):
    """A 1024 x 1024 gray PNG (1.05 MP) from scikit-image's astronaut."""
    from skimage import data
    from skimage.color import rgb2gray
    from skimage.io import imsave
    from skimage.transform import resize
    from skimage.util import img_as_ubyte

    gray = resize(rgb2gray(data.astronaut()), (1024, 1024), anti_aliasing=True)
    path = Path(folder) / "photo_1mp.png"
    imsave(path, img_as_ubyte(gray), check_contrast=False)
    return path


def _measure(py, src, repeats, tmp):
    """The figures (seconds), with the model cache in ``tmp``."""
    cache = tmp / "model-cache"
    results = {}
    results["numpy"], _ = medians([py, "-c", "import numpy"], repeats, src)
    results["help"], _ = medians([py, "-m", "nncolor", "--help"], repeats, src, cache)
    load_wall, outs = medians([py, "-c", LOAD_CHILD], repeats, src, cache)
    children = [json.loads(out) for out in outs]
    results["import"] = statistics.median(c["import_s"] for c in children)
    results["load"] = statistics.median(c["load_s"] for c in children)
    results["load_process"] = load_wall
    results["optional"] = sorted({m for c in children for m in c["imported"]})
    _, outs = medians([py, "-c", LOAD_CHILD], repeats, src, "")  # "": no cache
    results["load_skops"] = statistics.median(json.loads(out)["load_s"] for out in outs)
    results["inference"], outs = medians([py, "-c", INFERENCE_CHILD], repeats, src, cache)
    children = [json.loads(out) for out in outs]
    if None in children:
        results["inference"] = results["inference_load"] = results["heavy"] = None
    else:
        results["inference_load"] = statistics.median(c["load_s"] for c in children)
        results["heavy"] = sorted({m for c in children for m in c["imported"]})
    photo = one_megapixel_photo(tmp)
    results["colorize"], _ = medians(
        [py, "-m", "nncolor", "colorize", str(photo), "-o", str(tmp / "out"), "--overwrite",
         "--quiet"], repeats, src, cache)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs per figure (default: 7)")
    parser.add_argument("--source", type=Path, default=ROOT,
                        help="the checkout whose nncolor to time, e.g. an older one to "
                             "compare with (default: this one)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        sys.exit("startup_benchmark: --repeats must be a positive integer")
    py = sys.executable
    src = args.source.resolve()
    load_avg = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        results = _measure(py, src, args.repeats, Path(tmp))
    rows = [
        ('python -c "import numpy" (the yardstick)', results["numpy"], None),
        ("nncolor --help (whole process)", results["help"], TARGETS["help"]),
        ("import nncolor.model_file (in the process)", results["import"], None),
        ('first load_model("default") after it (in the process)', results["load"], None),
        ("  the same, model cache off (skops; a first run)", results["load_skops"], None),
        ('python -c "load_model(\'default\')" (whole process)', results["load_process"],
         None),
        ('first load_model("default", inference_only=True) after it', results["inference_load"],
         TARGETS["load"]),
        ("  its whole process", results["inference"], None),
        ("nncolor colorize one 1 MP photo (whole process)", results["colorize"],
         TARGETS["colorize"]),
    ]
    print(f"nncolor from {src}: medians of {args.repeats} fresh processes (after one "
          f"warm-up), {os.cpu_count()} CPUs, load average {load_avg:.1f} before and "
          f"{os.getloadavg()[0]:.1f} after, Python {sys.version.split()[0]}; Nx: the figure "
          "over the yardstick's")
    for name, seconds, target in rows:
        if seconds is None:
            print(f"  {name:<54} (not in this checkout)")
            continue
        verdict = "" if target is None else (
            f"  target <= {target} s: {'met' if seconds <= target else 'NOT met'}")
        ratio = seconds / results["numpy"]
        print(f"  {name:<54} {seconds:6.3f} s {ratio:5.1f}x{verdict}")
    print("optional libraries imported by loading a model: "
          + (", ".join(results["optional"]) if results["optional"] else "none"))
    if results["heavy"] is not None:
        print("heavy libraries imported by loading its inference form: "
              + (", ".join(results["heavy"]) if results["heavy"] else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
