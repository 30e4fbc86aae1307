"""``nncolor serve`` in a real headless browser: Debian's Chromium driven by Playwright.

A person's session, end to end: open the page, load a model file, pick a gray photo,
download the result; paint a red hint on a region, download again and find the region
red (and not red without the hint); then pick a broken file, read its message, and go
on working; last, choose the shipped ``auto`` mixture, see its experts' colors, and read
why it offers no alternatives. Skips, saying why, where the browser or the web extra is missing (the
Makefile's test target installs them).
"""
import numpy as np
import pytest

from pipelines.serve_screenshot import launch, paint, wait_renders, why_no_browser

REASON = why_no_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"no browser test: {REASON}")

# the region hinted: the astronaut's sleeve (fractions of width and height), where the
# model below paints no red by itself (R - max(G, B) about 20, against about 110 hinted)
SPOT = (0.21, 0.58)
HEIGHT, WIDTH = 600, 800  # larger than the preview: the download is the full size


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A gray photo, a model file whose codebook has a red, and a broken image file."""
    from PIL import Image
    from skimage import color, data, transform

    from nncolor.model_file import save_model
    from tests.conftest import small, tiny_colorizer

    folder = tmp_path_factory.mktemp("serve")
    gray = transform.resize(color.rgb2gray(data.astronaut()), (HEIGHT, WIDTH))
    Image.fromarray(np.round(gray * 255).astype(np.uint8)).save(folder / "street.png")
    # photos with reds and blues: the default model's nine colors have no red at all
    photos = [small(getattr(data, name)()) for name in
              ("astronaut", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry")]
    save_model(tiny_colorizer(som_shape=(4, 4)).fit(photos), folder / "warm.skops")
    (folder / "broken.png").write_bytes(b"this is not a picture")
    return folder


@pytest.fixture(scope="module")
def page(files):
    from playwright.sync_api import sync_playwright

    from nncolor.web.app import create_app
    from nncolor.web.server import running

    with running(create_app()) as url, sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(accept_downloads=True,
                                      viewport={"width": 1200, "height": 900})
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(url)
        page.wait_for_function("document.body.dataset.ready === 'true'")
        yield page
        browser.close()


def redness(path):
    """Mean R - max(G, B) of the disk around SPOT in a downloaded PNG, and its shape."""
    from nncolor.io import read_image

    image = read_image(path).astype(np.float64)
    h, w = image.shape[:2]
    y, x = int(SPOT[1] * h), int(SPOT[0] * w)
    box = image[y - 6:y + 7, x - 6:x + 7, :3].reshape(-1, 3)
    return float((box[:, 0] - box[:, 1:].max(axis=1)).mean()), image.shape


def download(page, path):
    with page.expect_download() as info:
        page.click("#download")
    info.value.save_as(path)
    return info.value.suggested_filename


def test_paint_a_red_hint_and_download(page, files, tmp_path):
    page.set_input_files("#model-file", str(files / "warm.skops"))
    page.wait_for_function("document.getElementById('model').value.startsWith('model-')")
    page.set_input_files("#photo", str(files / "street.png"))
    wait_renders(page, 1)
    assert "street.png: 800 x 600, 8-bit" in page.inner_text("#photo-info")

    name = download(page, tmp_path / "plain.png")
    assert name == "street_colorized.png"
    plain, shape = redness(tmp_path / "plain.png")
    assert shape == (HEIGHT, WIDTH, 3)
    assert (tmp_path / "plain.png").stat().st_size > 100_000  # a full-size photo, not a preview
    assert plain < 40, f"the unhinted spot is already red ({plain:.0f})"

    paint(page, [SPOT], "#ff0000")  # one click: a dot of the brush
    wait_renders(page, 2)
    assert not page.locator("#undo").is_disabled()
    download(page, tmp_path / "hinted.png")
    hinted, shape = redness(tmp_path / "hinted.png")
    assert shape == (HEIGHT, WIDTH, 3)
    assert hinted > 80, f"the hinted spot is not red (R - max(G, B) = {hinted:.0f})"

    page.click("#undo")  # the hint goes, and the preview is colorized again without it
    wait_renders(page, 3)
    assert page.locator("#undo").is_disabled()


def test_a_broken_file_gives_its_message_and_the_page_goes_on(page, files):
    renders = int(page.evaluate("document.body.dataset.renders || 0"))
    page.set_input_files("#photo", str(files / "broken.png"))
    message = page.locator("#message")
    message.wait_for(state="visible")
    assert "cannot read broken.png: not an image file" in message.inner_text()
    assert "\n" not in message.inner_text().strip()

    # a good photo, dropped on the page this time: the page works as before
    drop(page, files / "street.png")
    wait_renders(page, renders + 1)
    assert message.is_hidden()
    assert "street.png" in page.inner_text("#photo-info")


def drop(page, path):
    """Drop a file on the page, as a person dragging it from a file manager would."""
    import base64

    page.evaluate("""([name, data]) => {
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, {type: "image/png"}));
        document.getElementById("stage").dispatchEvent(
            new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }""", [path.name, base64.b64encode(path.read_bytes()).decode("ascii")])


def test_the_auto_mixture_colorizes_and_explains_it_has_no_alternatives(page, files):
    page.click("#explore")  # the single model's uncertainty and alternatives first
    page.locator("#extras").wait_for(state="visible")
    renders = int(page.evaluate("document.body.dataset.renders || 0"))
    page.select_option("#model", "auto")  # the shipped mixture of the specialist models
    wait_renders(page, renders + 1)
    assert page.locator("#extras").is_hidden()  # no other model's pictures left shown
    # its palette is its experts' colors: more than any one shipped model's 25
    page.wait_for_function("document.querySelectorAll('#palette button').length > 25")
    page.click("#explore")
    message = page.locator("#message")
    message.wait_for(state="visible")
    assert "choose a single model" in message.inner_text()
    assert page.locator("#extras").is_hidden()
