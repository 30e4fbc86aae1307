"""Figures for colorization results (matplotlib)."""
import numpy as np


def plot_comparison(rows, titles=("grayscale input", "colorized", "original")):
    """Side-by-side panel: one row per image, columns input / output / original.

    Parameters
    ----------
    rows : list of (name, gray, colorized, original_or_None)
        ``gray`` is shown with a gray color map; a missing original (a real black-and-white
        photo) leaves its cell with a note.
    titles : tuple of 3 str
        Column titles.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from skimage.util import img_as_float

    fig, axes = plt.subplots(len(rows), 3, figsize=(9, 3 * len(rows)), squeeze=False)
    for r, (name, gray, colorized, original) in enumerate(rows):
        cells = [(gray, "gray"), (colorized, None), (original, None)]
        for c, (image, cmap) in enumerate(cells):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            if image is None:
                ax.text(0.5, 0.5, "no color original\n(black-and-white photo)",
                        ha="center", va="center", fontsize=10, transform=ax.transAxes)
            else:
                # dtype-aware: uint8 originals and float outputs both end up in [0, 1]
                ax.imshow(np.clip(img_as_float(image), 0, 1), cmap=cmap, vmin=0, vmax=1)
            if r == 0:
                ax.set_title(titles[c], fontsize=12)
        axes[r, 0].set_ylabel(name, fontsize=12)
    fig.tight_layout()
    return fig
