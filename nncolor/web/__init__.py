"""``nncolor serve``: a local web page for colorizing photos by hand.

Pick a photo, paint a few color hints on its gray version, see the colorized result at
once, compare it with the input, look at the model's uncertainty and alternatives, and
download the full-size result. Built on Starlette and uvicorn (``pip install
'nncolor[web]'``); the page is plain HTML, CSS and JavaScript (a canvas for the brush).

* :mod:`nncolor.web.app`: the HTTP endpoints (:func:`~nncolor.web.app.create_app`);
* :mod:`nncolor.web.pictures`: previews, hint strokes as an RGBA image, uncertainty in
  color;
* :mod:`nncolor.web.server`: running it on a local address.

Nothing here is imported by ``import nncolor`` or by the other commands: the web stack
loads only when ``nncolor serve`` runs.
"""
from importlib.util import find_spec

#: What ``pip install 'nncolor[web]'`` brings, by import name (python-multipart parses
#: uploaded files; older releases call their module ``multipart``).
WEB_MODULES = ("starlette", "uvicorn", ("python_multipart", "multipart"))

INSTALL_HINT = "pip install 'nncolor[web]'"


def missing_web_modules():
    """The import names of the web extra that are not installed (empty when all are)."""
    missing = []
    for names in WEB_MODULES:
        names = (names,) if isinstance(names, str) else names
        if not any(find_spec(name) is not None for name in names):
            missing.append(names[0])
    return missing


def require_web():
    """Raise ImportError naming the install command when the web extra is missing."""
    missing = missing_web_modules()
    if missing:
        raise ImportError(f"nncolor serve needs {', '.join(missing)}: {INSTALL_HINT}")
