"""Where the colorize path runs: the CPU (NumPy) or a CUDA GPU (CuPy).

One code path serves both: the functions that run on a GPU are written against the Python
array API standard and take their namespace from their input (:func:`namespace`, through
``array_api_compat``, the library scikit-learn uses for the same purpose), so they run on
NumPy, CuPy or the reference ``array_api_strict`` arrays alike; the tests run them on the
last to prove that no NumPy-only call slipped in. Fitted state always stays NumPy, so a
model made on either machine loads and runs on the other.

``device="cuda"`` fails with a message that names what is missing (CuPy, or a GPU);
``device="auto"`` takes the GPU when both are there and otherwise runs on the CPU, saying
so once in the ``nncolor`` log.
"""
import functools
import logging

import array_api_compat
import array_api_compat.numpy as numpy_namespace
import numpy as np

DEVICES = ("cpu", "cuda", "auto")
GPU_EXTRA = "pip install 'nncolor[gpu]' (CuPy for CUDA 12; see the README for others)"

logger = logging.getLogger("nncolor")


def namespace(*arrays):
    """The array-API namespace of ``arrays``; NumPy's for lists, scalars and NumPy arrays."""
    arrays = [a for a in arrays if hasattr(a, "__array_namespace__") or _is_cupy(a)]
    return array_api_compat.array_namespace(*arrays) if arrays else numpy_namespace


def _is_cupy(a):
    return type(a).__module__.startswith("cupy")


def to_numpy(a):
    """A NumPy copy of a device array (``cupy.ndarray.get``), or ``a`` itself if on the host."""
    return a.get() if _is_cupy(a) else np.asarray(a)


def resolve_device(device):
    """``"cpu"`` or ``"cuda"``: where a colorizer with ``device`` runs on this machine.

    Raises
    ------
    ValueError
        ``device`` is not one of ``"cpu"``, ``"cuda"``, ``"auto"``.
    RuntimeError
        ``device="cuda"`` and CuPy or a CUDA GPU is missing; the message says which.
    """
    if device not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(map(repr, DEVICES))}; "
                         f"got {device!r}")
    if device == "cpu":
        return "cpu"
    problem = cuda_problem()
    if problem is None:
        return "cuda"
    if device == "cuda":
        raise RuntimeError(f"device='cuda' needs {problem}")
    _log_fallback(problem)
    return "cpu"


@functools.lru_cache(maxsize=1)
def cuda_problem():
    """Why the GPU path cannot run here (a sentence), or None when it can. Probed once."""
    try:
        import cupy
    except ImportError:
        return f"CuPy, which is not installed: {GPU_EXTRA}"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDARuntimeError: no driver, or no device visible
        return f"a CUDA GPU, and CuPy cannot reach one ({exc})"
    return None if count > 0 else "a CUDA GPU, and none is visible"


@functools.lru_cache(maxsize=None)
def _log_fallback(problem):
    # cached: one message per process, however many images a batch colorizes
    logger.info("device='auto': running on the CPU; the GPU path needs %s", problem)


def device_namespace(device):
    """The array-API namespace for a resolved device: CuPy's for "cuda", else NumPy's."""
    if device == "cuda":
        import cupy

        return array_api_compat.array_namespace(cupy.empty(0))
    return numpy_namespace
