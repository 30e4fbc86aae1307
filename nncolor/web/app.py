"""The endpoints of ``nncolor serve``: a Starlette application.

Everything the page sends is kept in memory and only as long as it is needed: an
uploaded photo, model or reference photo is written to a private temporary folder only
for :func:`nncolor.io.read_image` (with the pixel limit) or
:func:`nncolor.model_file.load_model` (skops only, never a pickle) to read it, and the
folder is deleted at once; the arrays read are held in small least-recently-used stores
(:class:`Held`), so memory stays bounded and nothing is left on disk when the server
stops. A bad file is a one-line message (HTTP 400, ``{"error": ...}``) and the server
goes on serving.

Endpoints (JSON unless said):

* ``GET /``: the page; ``GET /static/...``: its script and style;
* ``GET /api/options``: the shipped models and the decoders;
* ``GET /api/palette?model=...``: the colors a model can paint (its codebook);
* ``POST /api/photo`` (multipart ``file``): read a photo; its id, size and gray preview;
* ``POST /api/model`` (multipart ``file``, ``.skops``): load a model; its id;
* ``POST /api/reference`` (multipart ``file``): a color photo whose palette to lean to;
* ``POST /api/colorize``: the preview colorized with the hints, model, decoder, reference;
* ``POST /api/explore``: the preview's uncertainty map and a few alternatives;
* ``POST /api/download``: the full-size result as a PNG file (16-bit for a 16-bit input).
"""
import copy
import itertools
import re
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..batch import describe
from ..decode import DECODERS
from ..io import MAX_PIXELS, bit_depth, png_bytes, read_image
from ..model_file import DEFAULT_MODEL_PATH, load_model, shipped_models
from . import pictures

STATIC = Path(__file__).resolve().parent / "static"

#: Largest upload (bytes) the server reads: the pixel limit guards memory after
#: decoding, this one the disk and memory before it.
MAX_UPLOAD_BYTES = 1 << 30

#: Photos, models and reference photos held at once (the oldest unused goes first).
KEEP_PHOTOS, KEEP_MODELS, KEEP_REFERENCES = 4, 4, 4

#: Longest side of a reference photo as held: only its histogram of colors is used.
REFERENCE_SIDE = 256

#: Alternatives shown by ``/api/explore``.
N_ALTERNATIVES = 3

_CHUNK = 1 << 20


class Problem(Exception):
    """A request the server refuses, with the line the page shows."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


@dataclass
class Photo:
    """A photo as read (full size) and its preview (gray, at most ``preview_side``)."""

    name: str
    image: np.ndarray
    preview: np.ndarray
    color: np.ndarray | None  # the preview's original colors, for a color photo

    @property
    def download_name(self):
        return f"{Path(self.name).stem or 'photo'}_colorized.png"


class Held:
    """A least-recently-used store of at most ``size`` items under generated ids."""

    def __init__(self, size, kind):
        self.size, self.kind = size, kind
        self._items = OrderedDict()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, item):
        with self._lock:
            key = f"{self.kind}-{next(self._ids)}"
            self._items[key] = item
            while len(self._items) > self.size:
                self._items.popitem(last=False)
            return key

    def get(self, key):
        with self._lock:
            if key not in self._items:
                raise Problem(f"this {self.kind} is no longer held by the server (it keeps the "
                              f"last {self.size}): pick it again", status=404)
            self._items.move_to_end(key)
            return self._items[key]


class Models:
    """The shipped models (loaded on first use) and the uploaded ones."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.uploaded = Held(KEEP_MODELS, "model")
        self._shipped = {}
        self._lock = threading.Lock()

    def names(self):
        """Stems of the ``.skops`` files in the models folder, ``default`` first."""
        return sorted(sorted(p.stem for p in self.folder.glob("*.skops")),
                      key=lambda s: s != "default")

    def get(self, name):
        if isinstance(name, str) and name.startswith("model-"):
            return self.uploaded.get(name)["model"]
        if name not in self.names():
            raise Problem(f"no model named {name!r}; the shipped ones are "
                          f"{', '.join(self.names()) or 'none'}")
        return self._load(name)

    def _load(self, name):
        with self._lock:  # one load per model, even when the first requests race
            if name not in self._shipped:
                self._shipped[name] = load_model(self.folder / f"{name}.skops")
            return self._shipped[name]


def create_app(*, max_pixels=None, max_upload_bytes=MAX_UPLOAD_BYTES,
               preview_side=pictures.PREVIEW_SIDE, models_folder=None, allowed_hosts=None):
    """The ``nncolor serve`` application.

    Parameters
    ----------
    max_pixels : int, optional
        Refuse photos declaring more pixels (:func:`nncolor.io.read_image`); None: 2**28.
    max_upload_bytes : int, default=2**30
        Refuse larger uploads before reading them.
    preview_side : int, default=512
        Longest side of the preview colorized while hints are painted.
    models_folder : path, optional
        Where the shipped ``*.skops`` models are; None: the package's own.
    allowed_hosts : list of str, optional
        Host names the server answers to (a guard against DNS rebinding: a web site
        that names itself 127.0.0.1 cannot use the page); None: the loopback names.

    Returns
    -------
    starlette.applications.Starlette
    """
    limit = MAX_PIXELS if max_pixels is None else max_pixels
    photos = Held(KEEP_PHOTOS, "photo")
    references = Held(KEEP_REFERENCES, "reference")
    models = Models(models_folder or DEFAULT_MODEL_PATH.parent)

    async def index(request):
        return FileResponse(STATIC / "index.html")

    async def options(request):
        return JSONResponse({"models": models.names(), "decoders": list(DECODERS),
                             "preview_side": preview_side})

    async def palette(request):
        loaded = await run_in_threadpool(models.get, request.query_params.get("model")
                                         or "default")
        return JSONResponse({"colors": pictures.palette(loaded)})

    async def photo(request):
        name, image = await _read_upload(request, max_upload_bytes,
                                         lambda path: read_image(path, max_pixels=limit))
        item = await run_in_threadpool(_make_photo, name, image, preview_side)
        key = photos.add(item)
        h, w = image.shape[:2]
        return JSONResponse({
            "id": key, "name": name, "width": w, "height": h, "bit_depth": bit_depth(image),
            "is_color": item.color is not None, "download_name": item.download_name,
            "preview_width": item.preview.shape[1], "preview_height": item.preview.shape[0],
            "gray": pictures.data_url(item.preview),
            "original": None if item.color is None else pictures.data_url(item.color)})

    async def model(request):
        def load(path):
            if path.suffix.lower() != ".skops":
                raise Problem(f"{path.name}: only .skops model files are accepted (loading a "
                              "pickle could run any code it holds)")
            return _checked_upload(load_model(path), path.name)

        name, loaded = await _read_upload(request, max_upload_bytes, load)
        key = models.uploaded.add({"name": name, "model": loaded})
        n_colors = getattr(loaded, "n_colors_", None)  # a mixture of models has none
        return JSONResponse({"id": key, "name": name,
                             "n_colors": None if n_colors is None else int(n_colors)})

    async def reference(request):
        def read(path):
            image = read_image(path, require_color=True, max_pixels=limit)
            return pictures.reduce_image(image, REFERENCE_SIDE)

        name, image = await _read_upload(request, max_upload_bytes, read)
        return JSONResponse({"id": references.add(image), "name": name,
                             "thumbnail": pictures.data_url(image)})

    async def colorize(request):
        job = await _job(request, photos, models, references)

        def work():
            start = time.perf_counter()
            hints = pictures.hint_image(job["strokes"], job["photo"].preview.shape)
            out = job["model"].predict(job["photo"].preview, reference=job["reference"],
                                       hints=hints)
            return {"image": pictures.data_url(out),
                    "seconds": round(time.perf_counter() - start, 3)}

        return JSONResponse(await run_in_threadpool(work))

    async def explore(request):
        job = await _job(request, photos, models, references)

        def work():
            model, preview = job["model"], job["photo"].preview
            if not hasattr(model, "sample"):  # a mixture: each expert has its own colors
                raise Problem("uncertainty and alternatives are one model's, and this model "
                              "mixes several: choose a single model to explore them")
            uncertainty = model.predict_uncertainty(preview)
            samples = model.sample(preview, n_samples=N_ALTERNATIVES, random_state=0)
            return {"uncertainty": pictures.data_url(pictures.uncertainty_picture(uncertainty)),
                    "mean_uncertainty": round(float(uncertainty.mean()), 4),
                    "samples": [pictures.data_url(s) for s in samples]}

        return JSONResponse(await run_in_threadpool(work))

    async def download(request):
        from ..tiling import colorize_image

        job = await _job(request, photos, models, references)
        item = job["photo"]

        def work():
            hints = pictures.hint_image(job["strokes"], item.image.shape)
            out = colorize_image(job["model"], item.image, reference=job["reference"],
                                 hints=hints)
            return png_bytes(out, bit_depth=bit_depth(item.image))

        data = await run_in_threadpool(work)
        return Response(data, media_type="image/png",
                        headers={"Content-Disposition": _attachment(item.download_name)})

    routes = [
        Route("/", index),
        Route("/api/options", options),
        Route("/api/palette", palette),
        Route("/api/photo", photo, methods=["POST"]),
        Route("/api/model", model, methods=["POST"]),
        Route("/api/reference", reference, methods=["POST"]),
        Route("/api/colorize", colorize, methods=["POST"]),
        Route("/api/explore", explore, methods=["POST"]),
        Route("/api/download", download, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    hosts = allowed_hosts or ["127.0.0.1", "localhost", "[::1]", "::1"]
    return Starlette(
        routes=routes,
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)],
        exception_handlers={Problem: _problem, HTTPException: _http_problem,
                            ValueError: _bad_input, OSError: _bad_input,
                            Exception: _unexpected})


# ------------------------------------------------------------------ requests
async def _read_upload(request, max_bytes, read):
    """``(name, read(path))`` of the file in a multipart upload's ``file`` field.

    The file is written to a private temporary folder that is deleted as soon as ``read``
    returns; messages name the file as the user called it, not the temporary path.
    """
    size = request.headers.get("content-length")
    if size is not None and size.isdigit() and int(size) > max_bytes:
        raise Problem(f"the upload is {_megabytes(int(size))}, over the limit of "
                      f"{_megabytes(max_bytes)}", status=413)
    async with request.form(max_files=1, max_fields=2) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Problem("no file was sent (a multipart form with a 'file' field)")
        name = _safe_name(upload.filename)
        with tempfile.TemporaryDirectory(prefix="nncolor-serve-") as folder:
            path = Path(folder) / name
            written = 0
            with open(path, "wb") as f:
                while chunk := await upload.read(_CHUNK):
                    written += len(chunk)
                    if written > max_bytes:
                        raise Problem(f"{name} is over the upload limit of "
                                      f"{_megabytes(max_bytes)}", status=413)
                    f.write(chunk)
            try:
                return name, await run_in_threadpool(read, path)
            except (OSError, ValueError) as exc:
                raise Problem(describe(exc).replace(str(path), name)) from None


async def _job(request, photos, models, references):
    """The photo, model (with the decoder asked for), reference and strokes of a request."""
    try:
        body = await request.json()
    except ValueError:
        raise Problem("the request is not JSON") from None
    if not isinstance(body, dict):
        raise Problem("the request must be a JSON object")
    model = models.get(body.get("model") or "default")
    decoder = body.get("decoder") or None
    if decoder is not None:
        if decoder not in DECODERS:
            raise Problem(f"decoder must be one of {', '.join(DECODERS)}; got {decoder!r}")
        if "decoder" not in model.get_params():  # a mixture of models
            raise Problem("this model mixes several models, each with its own decoder: "
                          "choose the model's own decoder")
        model = copy.copy(model)  # a shallow copy: the held model is shared by requests
        model.set_params(decoder=decoder)
    ref = body.get("reference")
    return {"photo": photos.get(body.get("photo")), "model": model,
            "reference": None if not ref else references.get(ref),
            "strokes": _strokes(body.get("strokes"))}


def _checked_upload(model, name):
    """An uploaded model, or a Problem: a mixture of models may name only shipped models
    (a name or path of its own would have this machine open files the uploader chose),
    and each of its experts is loaded now, so that a broken one is said at once."""
    experts = getattr(model, "experts", None)
    if experts is None:  # a single model
        return model
    shipped = shipped_models()
    if any(isinstance(e, str) and e not in shipped for _, e in experts):
        raise Problem(f"{name} mixes model files by name; an uploaded mixture may name only "
                      f"the shipped models ({', '.join(sorted(shipped))}) or hold its models")
    for kind in model.classes_:
        model.expert(kind)
    return model


def _strokes(strokes):
    try:
        return pictures.check_strokes(strokes)
    except ValueError as exc:
        raise Problem(str(exc)) from None


def _make_photo(name, image, side):
    preview = pictures.reduce_image(image, side)
    color = preview if preview.ndim == 3 and _has_color(preview) else None
    return Photo(name, image, pictures.gray_version(preview), color)


def _has_color(rgb):
    # a gray photo saved as RGB has equal channels: show it as gray, offer no "original"
    return bool(np.abs(rgb - rgb.mean(axis=-1, keepdims=True)).max() > 1 / 255)


def _safe_name(filename):
    """A file name to show and to read with: the last part, without odd characters."""
    name = Path(str(filename or "").replace("\\", "/")).name
    name = re.sub(r"[^\w.\- ]", "_", name).strip(" .")
    return name[:120] or "upload"


def _attachment(name):
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace("?", "_")
    ascii_name = ascii_name.replace('"', "_")
    from urllib.parse import quote

    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _megabytes(n):
    return f"{n / 2**20:,.1f} MB"


# --------------------------------------------------------------------- errors
async def _problem(request, exc):
    return JSONResponse({"error": str(exc)}, status_code=exc.status)


async def _http_problem(request, exc):
    return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)


async def _bad_input(request, exc):
    # the library's errors about what it was given (a ValueError naming the problem)
    return JSONResponse({"error": describe(exc)}, status_code=400)


async def _unexpected(request, exc):
    # a request that failed in a way nobody foresaw still gets its one line (the server
    # logs the traceback), and the server goes on serving the others
    return JSONResponse({"error": f"{type(exc).__name__}: {exc}"}, status_code=500)
