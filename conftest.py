"""Collection rules for the doctests of the package (``--doctest-modules`` over nncolor/)."""
from importlib.util import find_spec

# nncolor.web needs the optional web extra (pip install 'nncolor[web]'): without it its
# modules cannot be imported, so their doctests are not collected (tests/test_serve*.py
# say why they skip)
collect_ignore_glob = [] if find_spec("starlette") and find_spec("uvicorn") else [
    "nncolor/web/app.py", "nncolor/web/server.py", "nncolor/web/pictures.py"]
