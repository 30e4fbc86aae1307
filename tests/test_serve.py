"""``nncolor serve`` without a browser: its endpoints, its command line, its limits.

(tests/test_serve_cli.py: what holds without the web extra.)
"""
import base64
import io
import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nncolor.model_file import load_model

ROOT = Path(__file__).resolve().parents[1]


def png(array):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def picture(url):
    """The pixels of a ``data:image/png;base64,...`` URL."""
    assert url.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))


# ----------------------------------------------------------------- the app
pytest.importorskip("starlette", reason="the web extra is not installed (pip install "
                    "nncolor[web])")
pytest.importorskip("httpx2", reason="starlette's test client needs httpx2 (the test extra)")


@pytest.fixture(scope="module")
def client():
    from starlette.testclient import TestClient

    from nncolor.web.app import create_app

    with TestClient(create_app(), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture(scope="module")
def gray_photo():
    from skimage import color, data, transform

    gray = transform.resize(color.rgb2gray(data.astronaut()), (300, 700))
    return np.round(gray * 255).astype(np.uint8)


def send(client, path, name, data):
    return client.post(path, files={"file": (name, data, "application/octet-stream")})


def test_options_list_the_shipped_models_and_the_decoders(client):
    body = client.get("/api/options").json()
    assert body["models"][0] == "default"
    assert set(body["decoders"]) == {"mode", "expectation", "annealed", "mrf"}
    colors = client.get("/api/palette?model=default").json()["colors"]
    n_colors = load_model("default").n_colors_
    assert len(colors) == n_colors and all(len(c) == 7 and c[0] == "#" for c in colors)


def test_the_page_and_its_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and 'id="hints"' in page.text
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/style.css").status_code == 200


def test_a_color_photo_is_shown_gray_at_preview_size(client):
    from skimage import data

    body = send(client, "/api/photo", "cat.png", png(data.chelsea())).json()
    assert body["is_color"] and body["width"] == 451 and body["height"] == 300
    assert max(body["preview_width"], body["preview_height"]) <= 512
    gray = picture(body["gray"]).astype(int)
    assert gray.shape[:2] == (body["preview_height"], body["preview_width"])
    if gray.ndim == 3:
        assert (gray[..., 0] == gray[..., 1]).all() and (gray[..., 1] == gray[..., 2]).all()
    original = picture(body["original"]).astype(int)
    assert np.abs(original[..., 0] - original[..., 2]).mean() > 10  # the cat's colors
    assert body["download_name"] == "cat_colorized.png"


def test_a_large_photo_is_previewed_small_and_downloaded_full_size(client):
    big = np.tile(np.linspace(0, 255, 1500, dtype=np.uint8), (1100, 1))
    body = send(client, "/api/photo", "wide scan.png", png(big)).json()
    assert (body["preview_width"], body["preview_height"]) == (512, 375)
    preview = picture(client.post("/api/colorize", json={"photo": body["id"]}).json()["image"])
    assert preview.shape[:2] == (375, 512)
    response = client.post("/api/download", json={"photo": body["id"]})
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert 'filename="wide scan_colorized.png"' in response.headers["content-disposition"]
    assert Image.open(io.BytesIO(response.content)).size == (1500, 1100)


def test_sixteen_bits_in_sixteen_bits_out(client, tmp_path):
    from nncolor.io import read_image

    scan = np.tile(np.linspace(0, 65535, 64).astype(np.uint16), (48, 1))
    Image.fromarray(scan).save(tmp_path / "scan.png")
    body = send(client, "/api/photo", "scan.png", (tmp_path / "scan.png").read_bytes()).json()
    assert body["bit_depth"] == 16 and not body["is_color"]
    response = client.post("/api/download", json={"photo": body["id"], "decoder": "mode"})
    (tmp_path / "out.png").write_bytes(response.content)
    out = read_image(tmp_path / "out.png")
    assert out.dtype == np.uint16 and out.shape == (48, 64, 3)
    # 16-bit precision kept: far more distinct levels than 8 bits could hold
    assert np.unique(out[..., 1]).size > 60


def test_a_hint_gives_its_own_color_to_its_region(client, gray_photo, tmp_path):
    from nncolor.model_file import save_model
    from tests.conftest import tiny_colorizer

    model = tiny_colorizer(som_shape=(3, 3), n_samples=200)
    photos = []
    for hue in ([220, 40, 30], [40, 120, 220]):  # a red and a blue world, with texture
        noise = np.random.default_rng(len(photos)).normal(0, 25, (40, 40, 1))
        photos.append(np.clip(np.array(hue) + noise, 0, 255).astype(np.uint8))
    save_model(model.fit(photos), tmp_path / "two.skops")
    uploaded = send(client, "/api/model", "two.skops", (tmp_path / "two.skops").read_bytes())
    assert uploaded.status_code == 200, uploaded.text
    photo = send(client, "/api/photo", "p.png", png(gray_photo)).json()
    job = {"photo": photo["id"], "model": uploaded.json()["id"], "decoder": "mode"}

    x, y = 0.45, 0.35  # where the dot goes, as fractions of the width and height

    def red_minus_blue(strokes):
        image = picture(client.post("/api/colorize", json={**job, "strokes": strokes})
                        .json()["image"]).astype(int)
        h, w = image.shape[:2]
        spot = image[int(y * h) - 3:int(y * h) + 4, int(x * w) - 3:int(x * w) + 4]
        return spot.reshape(-1, 3).mean(axis=0) @ [1, 0, -1]

    dot = {"size": 0.02, "points": [[x, y]]}
    red = red_minus_blue([{**dot, "color": "#ff0000"}])
    blue = red_minus_blue([{**dot, "color": "#0000ff"}])
    assert red > 40 and blue < -40, (red, blue)


def test_strokes_are_drawn_at_any_size():
    from nncolor.web.pictures import check_strokes, hint_image

    strokes = check_strokes([{"color": "#ff8000", "size": 0.05,
                              "points": [[0.1, 0.5], [0.9, 0.5]]}])
    for shape in ((50, 100), (500, 1000)):
        hints = hint_image(strokes, shape)
        h, w = shape
        assert hints.shape == (h, w, 4)
        assert tuple(hints[h // 2, w // 2]) == (255, 128, 0, 255)  # along the line
        assert hints[0, 0, 3] == 0 and hints[h // 2, 2, 3] == 0  # not beyond its ends
        # the brush radius scales with the image: the stroke's width is 10% of w
        assert abs(int((hints[:, w // 2, 3] > 0).sum()) - 0.1 * w) <= 2


@pytest.mark.parametrize("strokes, words", [
    ("red", "a list of strokes"),
    ([{"color": "red", "size": 0.1, "points": [[0, 0]]}], "color must be #rrggbb"),
    ([{"color": "#ff0000", "size": 3, "points": [[0, 0]]}], "size must be in (0, 0.5]"),
    ([{"color": "#ff0000", "size": 0.1, "points": []}], "points must be a list"),
    ([{"color": "#ff0000", "size": 0.1, "points": [["a", 1]]}], "pairs of numbers"),
])
def test_bad_strokes_are_refused_with_a_reason(client, gray_photo, strokes, words):
    photo = send(client, "/api/photo", "p.png", png(gray_photo)).json()
    response = client.post("/api/colorize", json={"photo": photo["id"], "strokes": strokes})
    assert response.status_code == 400 and words in response.json()["error"]


def test_a_bad_file_gives_one_line_and_the_server_goes_on(client, gray_photo):
    response = send(client, "/api/photo", "holiday.jpg", b"not a picture at all")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error == "cannot read holiday.jpg: not an image file (or a format Pillow cannot read)"
    truncated = png(gray_photo)[:300]
    error = send(client, "/api/photo", "cut.png", truncated).json()["error"]
    assert error.startswith("cannot read image cut.png: the file is damaged or truncated")
    assert send(client, "/api/photo", "ok.png", png(gray_photo)).status_code == 200


def test_an_oversized_photo_is_refused_from_its_header(gray_photo):
    from starlette.testclient import TestClient

    from nncolor.web.app import create_app

    with TestClient(create_app(max_pixels=10_000, max_upload_bytes=200_000),
                    base_url="http://127.0.0.1") as small_client:
        error = send(small_client, "/api/photo", "big.png", png(gray_photo)).json()["error"]
        assert error.startswith("refusing to read big.png: it declares 700 x 300 = 210,000 "
                                "pixels, over the limit of 10,000")
        response = send(small_client, "/api/photo", "huge.bin", b"0" * 300_000)
        assert response.status_code == 413 and "over the limit of 0.2 MB" in \
            response.json()["error"]
        assert small_client.get("/api/options").status_code == 200


def test_only_skops_models_are_loaded(client, tmp_path, fitted):
    import joblib

    joblib.dump(fitted, tmp_path / "model.joblib")
    pickled = (tmp_path / "model.joblib").read_bytes()
    error = send(client, "/api/model", "model.joblib", pickled).json()["error"]
    assert error == ("model.joblib: only .skops model files are accepted (loading a pickle "
                     "could run any code it holds)")
    # a pickle renamed .skops is not unpickled either
    error = send(client, "/api/model", "renamed.skops", pickled).json()["error"]
    assert error.startswith("cannot load renamed.skops: not a skops model file")


def test_a_reference_must_be_a_color_photo(client, gray_photo):
    from skimage import data

    error = send(client, "/api/reference", "gray.png", png(gray_photo)).json()["error"]
    assert error == "gray.png is grayscale; a color photo is needed here"
    ref = send(client, "/api/reference", "coffee.png", png(data.coffee())).json()
    photo = send(client, "/api/photo", "p.png", png(gray_photo)).json()
    response = client.post("/api/colorize", json={"photo": photo["id"], "reference": ref["id"]})
    assert response.status_code == 200


def test_explore_gives_the_uncertainty_and_alternatives(client, gray_photo):
    photo = send(client, "/api/photo", "p.png", png(gray_photo[:60, :80])).json()
    body = client.post("/api/explore", json={"photo": photo["id"]}).json()
    assert picture(body["uncertainty"]).shape[:2] == (60, 80)
    assert 0 <= body["mean_uncertainty"] <= 1
    assert [picture(s).shape[:2] for s in body["samples"]] == [(60, 80)] * 3


def test_unknown_ids_and_bad_requests_say_what_is_wrong(client):
    assert client.post("/api/colorize", json={"photo": "photo-999"}).status_code == 404
    response = client.post("/api/colorize", json={"photo": "photo-1", "model": "nope"})
    assert "no model named 'nope'" in response.json()["error"]
    response = client.post("/api/colorize", content=b"{", headers={"content-type": "x"})
    assert response.json()["error"] == "the request is not JSON"
    response = client.post("/api/photo", data={"other": "1"})
    assert "no file was sent" in response.json()["error"]


def test_uploads_leave_no_file_behind(client, gray_photo, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert send(client, "/api/photo", "p.png", png(gray_photo)).status_code == 200
    assert send(client, "/api/photo", "bad.png", b"junk").status_code == 400
    assert list(tmp_path.iterdir()) == []


def test_only_loopback_host_names_are_answered(client):
    response = client.get("/api/options", headers={"host": "attacker.example"})
    assert response.status_code == 400


# ------------------------------------------------------------ the command
def test_the_command_serves_on_the_loopback_until_interrupted():
    process = subprocess.Popen(
        [sys.executable, "-m", "nncolor", "serve", "--port", "0"], cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("nncolor serve: open http://127.0.0.1:"), line
        url = line.split()[3]
        with urllib.request.urlopen(url + "api/options", timeout=30) as response:
            assert json.load(response)["models"][0] == "default"
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert err.strip() == "nncolor serve: stopped"


def test_an_unforeseen_failure_is_one_line_and_the_server_goes_on(monkeypatch, gray_photo):
    from starlette.testclient import TestClient

    from nncolor.web import app as web_app

    def broken(*args, **kwargs):
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr(web_app.pictures, "hint_image", broken)
    with TestClient(web_app.create_app(), base_url="http://127.0.0.1",
                    raise_server_exceptions=False) as test_client:
        photo = send(test_client, "/api/photo", "p.png", png(gray_photo)).json()
        response = test_client.post("/api/colorize", json={"photo": photo["id"]})
        assert response.status_code == 500
        assert response.json() == {"error": "RuntimeError: something nobody foresaw"}
        assert test_client.get("/api/options").status_code == 200
