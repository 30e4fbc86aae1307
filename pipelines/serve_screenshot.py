"""Screenshot of the ``nncolor serve`` page (docs/serve.png), taken by headless Chromium.

Starts the page on a free loopback port, opens it in Debian's ``chromium`` driven by
Playwright, uploads scikit-image's astronaut photo (a color photo: the page shows it in
gray), paints two hints, asks for the uncertainty and alternatives, and saves a
screenshot. The browser helpers here are shared with tests/test_serve_browser.py.

    python -m pipelines.serve_screenshot --out docs/serve.png --overwrite

Needs ``pip install nncolor[web] playwright`` and ``apt-get install chromium`` (no
browser is downloaded: Playwright drives the system's Chromium).
"""
import argparse
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
        return f"the web extra is not installed ({', '.join(missing)}): pip install nncolor[web]"
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
    """Drag the brush through ``points`` (fractions of the gray image) in ``color``."""
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
        paint(page, [(0.30, 0.72), (0.36, 0.80), (0.42, 0.86)], "#c0392b")  # the suit's patch
        wait_renders(page, 2)
        paint(page, [(0.82, 0.10), (0.92, 0.22)], "#2e86c1")  # the background
        wait_renders(page, 3)
        page.click("#explore")
        page.wait_for_selector("#extras:not([hidden])", timeout=300_000)
        page.wait_for_function("document.body.dataset.busy === 'false'")
        with atomic_path(args.out, overwrite=args.overwrite) as tmp:
            page.screenshot(path=str(tmp), full_page=True)
        browser.close()
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
