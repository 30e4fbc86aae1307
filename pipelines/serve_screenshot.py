"""Screenshot of the ``nncolor serve`` page (docs/serve.png), taken by headless Chromium.

Starts the page on a free loopback port, opens it in Debian's ``chromium`` driven by
Playwright, uploads scikit-image's astronaut photo (a color photo: the page shows it in
gray), paints two hints in colors of the default model, asks for the uncertainty and alternatives, and saves a
screenshot. The browser helpers here are shared with tests/test_serve_browser.py.

    python -m pipelines.serve_screenshot --out docs/serve.png --overwrite

Needs ``pip install 'nncolor[web]' playwright`` and ``apt-get install chromium`` (no
browser is downloaded: Playwright drives the system's Chromium).
"""
import argparse
import io
import shutil
import sys
import tempfile
from pathlib import Path

#: Switches for a headless Chromium that reaches nothing but the page under test.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def find_chromium():
    """Path of the system's Chromium, or None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def why_no_browser():
    """Why a browser test cannot run here (a line), or None when it can."""
    from importlib.util import find_spec

    from nncolor.web import missing_web_modules

    missing = missing_web_modules()
    if missing:
        return (f"the web extra is not installed ({', '.join(missing)}): "
                "pip install 'nncolor[web]'")
    if find_spec("playwright") is None:
        return "Playwright is not installed: pip install playwright"
    if find_chromium() is None:
        return "no Chromium on this machine: apt-get install chromium"
    return None


def launch(playwright):
    """Headless Chromium (the system's) under Playwright's control."""
    return playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS,
                                      headless=True)


def wait_renders(page, count, timeout=120_000):
    """Wait until the page has shown ``count`` colorized previews."""
    page.wait_for_function(f"Number(document.body.dataset.renders || 0) >= {count}",
                           timeout=timeout)


def paint(page, points, color):
    """Drag the brush through ``points`` (fractions of the gray image) in ``color``: a
    ``#rrggbb`` string, or the index of one of the model's colors (the swatches)."""
    if isinstance(color, int):
        page.locator("#palette button").nth(color).click()
    else:
        page.fill("#color", color)
    box = page.locator("#hints").bounding_box()
    xy = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    page.mouse.move(*xy[0])
    page.mouse.down()
    for x, y in xy[1:]:
        page.mouse.move(x, y, steps=4)
    page.mouse.up()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/serve.png"))
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args(argv)
    if args.out.exists() and not args.overwrite:
        sys.exit(f"{args.out} exists; pass --overwrite to replace it")
    reason = why_no_browser()
    if reason:
        sys.exit(f"cannot take the screenshot: {reason}")
    from PIL import Image
    from playwright.sync_api import sync_playwright
    from skimage import data

    from nncolor.io import atomic_path
    from nncolor.web.app import create_app
    from nncolor.web.server import running

    with tempfile.TemporaryDirectory() as folder, running(create_app()) as url, \
            sync_playwright() as playwright:
        photo = Path(folder) / "astronaut.png"
        Image.fromarray(data.astronaut()).save(photo)
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1240, "height": 1000})
        page.goto(url)
        page.wait_for_function("document.body.dataset.ready === 'true'")
        page.set_input_files("#photo", str(photo))
        wait_renders(page, 1)
        # the default model's colors (its codebook: blues, greens, warm grays)
        paint(page, [(0.78, 0.08), (0.95, 0.10), (0.95, 0.30)], 6)  # the sky: its bluest
        wait_renders(page, 2)
        paint(page, [(0.10, 0.80), (0.20, 0.90)], 2)  # the suit: its warm gray
        wait_renders(page, 3)
        page.locator("#slider").fill("30")
        page.click("#explore")
        page.wait_for_selector("#extras:not([hidden])", timeout=300_000)
        page.wait_for_function("document.body.dataset.busy === 'false'")
        shot = Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB")
        browser.close()
    # 256 colors, dithered: a third of the size, and the page still reads as it looks
    with atomic_path(args.out, overwrite=args.overwrite) as tmp:
        shot.quantize(256, dither=Image.Dither.FLOYDSTEINBERG).save(tmp, format="PNG",
                                                                    optimize=True)
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
