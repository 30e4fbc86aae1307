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
    from skimage.util import img_as_float

    plt = _agg_pyplot()
    # each row as tall as its images at the column width: no white bands between rows
    ratios = [np.shape(gray)[0] / np.shape(gray)[1] for _, gray, _, _ in rows]
    cell = 3.0  # inches per column
    fig, axes = plt.subplots(len(rows), 3, figsize=(3 * cell, cell * sum(ratios) + 0.4),
                             squeeze=False, gridspec_kw={"height_ratios": ratios},
                             layout="constrained")
    fig.get_layout_engine().set(w_pad=0.02, h_pad=0.02, wspace=0.01, hspace=0.01)
    for r, (name, gray, colorized, original) in enumerate(rows):
        cells = [(gray, "gray"), (colorized, None), (original, None)]
        for c, (image, cmap) in enumerate(cells):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            if image is None:
                ax.set_box_aspect(ratios[r])  # the size of the images beside it
                ax.text(0.5, 0.5, "no color original\n(black-and-white photo)",
                        ha="center", va="center", fontsize=10, transform=ax.transAxes)
            else:
                # dtype-aware: uint8 originals and float outputs both end up in [0, 1]
                ax.imshow(np.clip(img_as_float(image), 0, 1), cmap=cmap, vmin=0, vmax=1)
            if r == 0:
                ax.set_title(titles[c], fontsize=12)
        axes[r, 0].set_ylabel(name, fontsize=12)
    return fig


def _agg_pyplot():
    """pyplot with the Agg backend unless a backend was already chosen (safe headless)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _param_label(value):
    """A short label for a parameter value: tuples such as (50, 50) become ``"50+50"``."""
    if isinstance(value, (tuple, list)):
        return "+".join(str(v) for v in value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "None"  # pandas may turn None (or a value a candidate lacks) into NaN
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def plot_grid_heatmap(cv_results, row_param, col_param, score="mean_test_score", title=None,
                      fmt=".3f"):
    """Heat map of a grid search's scores over two parameters, values written in the cells.

    Parameters
    ----------
    cv_results : dict or pandas.DataFrame
        ``GridSearchCV.cv_results_`` (or a DataFrame made from it). Parameter columns are
        looked up as ``"param_<name>"`` first, then ``"<name>"``.
    row_param, col_param : str
        Parameter names (with or without the ``"param_"`` prefix; a pipeline step prefix
        such as ``"colorizer__patch_size"`` is used as given).
    score : str
        The column holding the values (default ``"mean_test_score"``).
    title : str, optional
        Figure title; default ``"<score> by <row_param> and <col_param>"``.
    fmt : str
        Format spec for the cell annotations.

    Returns
    -------
    matplotlib.figure.Figure
        One axes holding the image (plus a colorbar axes). Cells with no result are blank
        (NaN); when several results share a (row, col) pair (a third parameter varied)
        their mean is shown. Tuple values such as ``(50, 50)`` are labelled ``"50+50"``.
        Numeric values are sorted (tuples by length, then values, so hidden layers read
        10, 50, 100, 50+50, 100+100 as in the paper's Table II); other values keep the
        order in which they first appear.
        The matrix is stored on the figure as ``fig.heatmap_values`` (rows x cols), with
        ``fig.heatmap_rows`` / ``fig.heatmap_cols`` the labels.
    """
    import pandas as pd

    plt = _agg_pyplot()
    frame = pd.DataFrame(cv_results) if not isinstance(cv_results, pd.DataFrame) else cv_results

    def column(name):
        for candidate in (name if name.startswith("param_") else f"param_{name}", name,
                          name[len("param_"):] if name.startswith("param_") else name):
            if candidate in frame.columns:
                return candidate
        raise KeyError(f"plot_grid_heatmap: no column for parameter {name!r} "
                       f"(columns: {', '.join(map(str, frame.columns))})")

    if score not in frame.columns:
        raise KeyError(f"plot_grid_heatmap: no score column {score!r}")
    rcol, ccol = column(row_param), column(col_param)
    row_labels = [_param_label(v) for v in frame[rcol]]
    col_labels = [_param_label(v) for v in frame[ccol]]

    def sort_key(value):
        # numbers ascending; tuples by length, then values: 10, 50, 100, 50+50, 100+100
        if isinstance(value, (tuple, list)):
            return (len(value), tuple(float(v) for v in value))
        return (1, (float(value),))

    def ordered(values, labels):
        # numeric values sorted; anything else (strings, None) in order of appearance
        seen = {}
        for v, lab in zip(values, labels):
            seen.setdefault(lab, v)
        keys = list(seen)
        try:
            keys.sort(key=lambda lab: sort_key(seen[lab]))
        except (TypeError, ValueError):
            pass
        return keys

    rows = ordered(frame[rcol], row_labels)
    cols = ordered(frame[ccol], col_labels)
    sums = np.zeros((len(rows), len(cols)))
    counts = np.zeros((len(rows), len(cols)))
    scores = pd.to_numeric(frame[score], errors="coerce").to_numpy(dtype=float)
    for rl, cl, s in zip(row_labels, col_labels, scores):
        if np.isfinite(s):
            i, j = rows.index(rl), cols.index(cl)
            sums[i, j] += s
            counts[i, j] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)

    rname = rcol[len("param_"):] if rcol.startswith("param_") else rcol
    cname = ccol[len("param_"):] if ccol.startswith("param_") else ccol
    fig, ax = plt.subplots(figsize=(1.3 * len(cols) + 3, 0.7 * len(rows) + 2.2))
    image = ax.imshow(np.ma.masked_invalid(values), cmap="viridis", aspect="auto")
    fig.colorbar(image, ax=ax, label=score)
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels(cols, fontsize=10)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows, fontsize=10)
    ax.set_xlabel(cname, fontsize=11)
    ax.set_ylabel(rname, fontsize=11)
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for i in range(len(rows)):
        for j in range(len(cols)):
            if np.isfinite(values[i, j]):
                ax.text(j, i, format(values[i, j], fmt), ha="center", va="center", fontsize=10,
                        color="black" if values[i, j] > middle else "white")
    ax.set_title(title or f"{score} by {rname} and {cname}", fontsize=12)
    fig.tight_layout()
    fig.heatmap_values = values
    fig.heatmap_rows = rows
    fig.heatmap_cols = cols
    return fig


# ----------------------------------------------------------------- paper figures
def _quantizer_of(model):
    """The fitted SOM quantizer of a quantizer or of a fitted colorizer."""
    quantizer = getattr(model, "quantizer_", model)
    if not hasattr(quantizer, "cluster_centers_"):
        raise ValueError(f"{type(model).__name__} is not a fitted quantizer or colorizer "
                         "(no cluster_centers_ / quantizer_); fit it first")
    return quantizer


def _as_float_rgb(image):
    from ._images import check_image

    pixels, _ = check_image(image)
    if pixels.ndim != 3:
        raise ValueError(f"a color (RGB) image is needed; got shape {np.shape(image)}")
    return pixels


def chroma_at(uv, L=50.0):
    """RGB of chroma ``uv`` (shape (..., 2)) shown at a fixed lightness ``L`` (paper: 50)."""
    from .color import luv2rgb

    uv = np.asarray(uv, dtype=np.float32)
    luv = np.concatenate([np.full(uv.shape[:-1] + (1,), L, dtype=np.float32), uv], axis=-1)
    return luv2rgb(luv)


def reduce_colors(image, quantizer):
    """An RGB image "painted" with a codebook: each pixel's (u, v) replaced by its nearest
    codeword, its L* kept (the paper's Figs 8-9).

    Parameters
    ----------
    image : RGB image (uint8, or float in [0, 1])
    quantizer : fitted SOMQuantizer, or a fitted colorizer (its ``quantizer_``)

    Returns
    -------
    painted : ndarray of float32, shape (H, W, 3), RGB in [0, 1]
    rmse_uv : float
        Root mean squared distance, in (u, v) units, between each pixel's chroma and its
        codeword: the reduction error of this image.
    """
    from .color import luv2rgb, rgb2luv

    q = _quantizer_of(quantizer)
    luv = rgb2luv(_as_float_rgb(image))
    uv = luv[..., 1:].reshape(-1, 2)
    codes = q.inverse_transform(q.predict(uv))
    painted = luv.copy()
    painted[..., 1:] = codes.reshape(luv.shape[:2] + (2,))
    rmse = float(np.sqrt(np.mean(np.sum((uv - codes) ** 2, axis=1))))
    return luv2rgb(painted), rmse


def plot_codebook(quantizer_or_colorizer, L=50, title=None, show_plane=True):
    """The SOM's color codebook: each node's (u, v) shown at lightness ``L``, on its grid.

    Parameters
    ----------
    quantizer_or_colorizer : fitted SOMQuantizer or fitted SOMColorizer
    L : float, default=50
        Lightness at which the chroma is shown (the paper shows colors at L = 50).
    title : str, optional
    show_plane : bool, default=True
        Add a second panel: the codewords in the (u, v) plane, with lines joining map
        neighbours (shows how the map spreads over the chroma plane).

    Returns
    -------
    matplotlib.figure.Figure
        One axes (the grid), two with ``show_plane``.
    """
    plt = _agg_pyplot()
    q = _quantizer_of(quantizer_or_colorizer)
    grid = np.asarray(q.grid_)
    rows, cols = (grid.max(axis=0) + 1).tolist()
    centers = np.asarray(q.cluster_centers_, dtype=np.float32)
    image = np.zeros((rows, cols, 3), dtype=np.float32)
    image[grid[:, 0], grid[:, 1]] = chroma_at(centers, L)

    ncols = 2 if show_plane else 1
    fig, axes = plt.subplots(1, ncols, figsize=(5.2 * ncols, 5), squeeze=False,
                             layout="constrained")
    ax = axes[0, 0]
    ax.imshow(image, interpolation="nearest")
    step_r = max(1, rows // 10)
    step_c = max(1, cols // 10)
    ax.set_xticks(range(0, cols, step_c))
    ax.set_yticks(range(0, rows, step_r))
    ax.set_xlabel("SOM column", fontsize=11)
    ax.set_ylabel("SOM row", fontsize=11)
    ax.set_title(f"{rows}x{cols} map, each node at L*={L:g}", fontsize=11)
    if rows * cols <= 25:
        for k, (r, c) in enumerate(grid):
            ax.text(c, r, f"u={centers[k, 0]:.0f}\nv={centers[k, 1]:.0f}", ha="center",
                    va="center", fontsize=8 if rows * cols > 9 else 10, color="black",
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", alpha=0.6, lw=0))
    if show_plane:
        ax = axes[0, 1]
        lookup = {(int(r), int(c)): k for k, (r, c) in enumerate(grid)}
        for (r, c), k in lookup.items():
            for dr, dc in ((0, 1), (1, 0)):
                j = lookup.get((r + dr, c + dc))
                if j is not None:
                    ax.plot(centers[[k, j], 0], centers[[k, j], 1], color="0.6", lw=0.8, zorder=1)
        ax.scatter(centers[:, 0], centers[:, 1], c=chroma_at(centers, L),
                   s=max(12, 900 / len(centers)), edgecolors="black", linewidths=0.5, zorder=2)
        ax.set_xlabel("u*", fontsize=11)
        ax.set_ylabel("v*", fontsize=11)
        ax.set_title("codewords in the (u*, v*) plane", fontsize=11)
        ax.set_aspect("equal", adjustable="datalim")
        ax.grid(alpha=0.3)
    fig.suptitle(title or f"SOM color codebook: {rows * cols} colors", fontsize=13)
    return fig


def plot_color_reduction(image, quantizers, titles=None, suptitle=None):
    """The original photo and the photo painted with each codebook (paper Figs 8-9).

    Parameters
    ----------
    image : RGB image (uint8, or float in [0, 1])
    quantizers : sequence of fitted SOMQuantizer (or fitted colorizers)
    titles : sequence of str, optional
        One per quantizer; default ``"<K> colors"``. Each panel's title also gets the
        reduction error (RMSE of u, v, see :func:`reduce_colors`).
    suptitle : str, optional
        Figure title; default ``"Color reduction with SOM codebooks"``.

    Returns
    -------
    matplotlib.figure.Figure
        ``1 + len(quantizers)`` axes; ``fig.reduction_rmse`` lists the RMSE of each panel.
    """
    plt = _agg_pyplot()
    quantizers = [_quantizer_of(q) for q in quantizers]
    if titles is None:
        titles = [f"{q.n_colors_} colors" for q in quantizers]
    if len(titles) != len(quantizers):
        raise ValueError(f"{len(titles)} titles for {len(quantizers)} quantizers")
    original = _as_float_rgb(image)
    n = 1 + len(quantizers)
    fig, axes = plt.subplots(1, n, figsize=(2.6 * n, 3.3), squeeze=False, layout="constrained")
    panels = [(original, "original")]
    errors = []
    for q, t in zip(quantizers, titles):
        painted, rmse = reduce_colors(original, q)
        errors.append(rmse)
        panels.append((painted, f"{t}\nRMSE(u,v) = {rmse:.1f}"))
    for ax, (im, t) in zip(axes[0], panels):
        ax.imshow(np.clip(im, 0, 1), interpolation="nearest")
        ax.set_title(t, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(suptitle or "Color reduction with SOM codebooks", fontsize=12)
    fig.reduction_rmse = errors
    return fig


def predicted_chroma(colorizer, image):
    """The (u, v) a fitted colorizer predicts for an image, before it is joined with L*.

    The colorizer's own decoder (:meth:`SOMColorizer.decode_proba`, the MRF included) on
    its probabilities (:meth:`SOMColorizer.probabilities`): codebook colors for
    ``"mode"``, means for ``"expectation"`` and ``"annealed"``. Gamut mapping, which
    happens when L* is joined, is not applied.

    Returns
    -------
    ndarray of float32, shape (H, W, 2)
    """
    L = colorizer.lightness(image)
    return colorizer.decode_proba(colorizer.probabilities(L), L)


def plot_prediction_panel(colorizer, images, names=None, L=50, title=None):
    """The paper's Fig 10: one row per photo, five columns.

    Columns: the original; its (u, v) shown at L* = ``L``; the grayscale input (its L*
    only, what the colorizer sees); the predicted (u, v) at L* = ``L``; the full
    prediction (predicted chroma joined with the input's L*).

    Parameters
    ----------
    colorizer : fitted SOMColorizer
    images : list of RGB images (uint8 or float in [0, 1])
    names : list of str, optional
        Row labels.
    L : float, default=50
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        ``5 * len(images)`` axes.
    """
    from .color import luv2rgb, rgb2luv

    plt = _agg_pyplot()
    images = list(images)
    if not images:
        raise ValueError("plot_prediction_panel needs at least one image")
    names = list(names) if names is not None else [f"image {i}" for i in range(len(images))]
    if len(names) != len(images):
        raise ValueError(f"{len(names)} names for {len(images)} images")
    headers = ["original", f"original u,v at L*={L:g}", "grayscale input",
               f"predicted u,v at L*={L:g}", "prediction"]
    fig, axes = plt.subplots(len(images), 5, figsize=(11.5, 2.45 * len(images) + 0.6),
                             squeeze=False, layout="constrained")
    for r, (image, name) in enumerate(zip(images, names)):
        rgb = _as_float_rgb(image)
        luv = rgb2luv(rgb)
        gray_luv = luv.copy()
        gray_luv[..., 1:] = 0
        gray = luv2rgb(gray_luv)[..., 0]  # sRGB gray with the photo's own L*
        uv_pred = predicted_chroma(colorizer, gray)
        prediction = colorizer.predict(gray)
        cells = [rgb, chroma_at(luv[..., 1:], L), gray, chroma_at(uv_pred, L), prediction]
        for c, cell in enumerate(cells):
            ax = axes[r, c]
            ax.imshow(np.clip(cell, 0, 1), cmap="gray" if cell.ndim == 2 else None, vmin=0,
                      vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(headers[c], fontsize=10)
        axes[r, 0].set_ylabel(name, fontsize=9)
    fig.suptitle(title or "Predictions (paper Fig. 10)", fontsize=12)
    return fig


def plot_metrics_table(table, title=None, digits=3, max_rows=40):
    """A metrics DataFrame drawn as a table in a figure (for reports and slides).

    Parameters
    ----------
    table : pandas.DataFrame
        Floats are rounded to ``digits``; the index is shown when it is not a plain range.
    title : str, optional
    digits : int, default=3
    max_rows : int, default=40
        Longer tables are cut, with a note in the title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes (axis lines off) holding the table.
    """
    import pandas as pd

    plt = _agg_pyplot()
    frame = pd.DataFrame(table)
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    cut = len(frame) > max_rows
    frame = frame.head(max_rows)

    def fmt(value):
        if isinstance(value, (float, np.floating)):
            return "" if np.isnan(value) else f"{value:.{digits}f}"
        if isinstance(value, (tuple, list)):
            return _param_label(value)
        return str(value)

    cells = [[fmt(v) for v in row] for row in frame.itertuples(index=False)]
    columns = [str(c) for c in frame.columns]
    widths = [max([len(c)] + [len(row[j]) for row in cells]) for j, c in enumerate(columns)]
    fig_w = min(18, max(4, 0.11 * sum(widths) + 0.5 * len(columns)))
    fig, ax = plt.subplots(figsize=(fig_w, 0.32 * (len(cells) + 1) + 0.9))
    ax.axis("off")
    if cells:
        tab = ax.table(cellText=cells, colLabels=columns, loc="center", cellLoc="center",
                       colWidths=[w / sum(widths) for w in widths])
        tab.auto_set_font_size(False)
        tab.set_fontsize(10)
        tab.scale(1, 1.3)
        for j in range(len(columns)):
            tab[0, j].set_text_props(weight="bold")
            tab[0, j].set_facecolor("#e6e6e6")
    else:
        ax.text(0.5, 0.5, "(empty table)", ha="center", va="center", transform=ax.transAxes)
    text = title or "Metrics"
    if cut:
        text += f" (first {max_rows} rows)"
    ax.set_title(text, fontsize=12)
    fig.tight_layout()
    return fig
