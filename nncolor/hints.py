"""Color hints: spread a few user-marked pixels along regions of similar lightness.

A hint raises the probability of its codebook color at pixels that a cheap path joins to
it, where a path's cost is its length plus the lightness edges it crosses: the geodesic
distance of scikit-image's ``MCP_Geometric`` over the cost image ``1 + |grad L| / edge``.
The resulting per-pixel prior multiplies the classifier's distribution (Melas-Kyriazi & Han's
"unary x histogram" rule, made local), so a hint recolors its own region and fades
across edges and with distance, while confident pixels elsewhere keep their colors.
(A Potts mean field started from a uniform field does not diffuse one clamped pixel: it
orders spontaneously into whatever color the coupling favours; we measured that.)
"""
import numpy as np
from skimage.filters import sobel
from skimage.graph import MCP_Geometric


def hint_prior(L, clamp, n_colors, scale=30.0, strength=50.0, edge=0.25):
    """Per-pixel multiplicative prior over the codebook from hinted pixels.

    Parameters
    ----------
    L : ndarray, shape (H, W)
        Lightness L* in [0, 100].
    clamp : ndarray of int, shape (H, W)
        Hinted codebook color per pixel, -1 where there is no hint.
    n_colors : int
    scale : float
        Geodesic distance (in pixels of flat image) over which a hint's effect falls by e.
    strength : float
        How many times likelier a hint's color becomes right at the hint.
    edge : float
        Lightness step (L* units, through the Sobel gradient) that costs as much as one
        extra pixel of distance: smaller keeps hints more strictly inside their region.

    Returns
    -------
    prior : ndarray of float32, shape (H, W, n_colors), ones where no hint reaches.
    """
    prior = np.ones(L.shape + (n_colors,), dtype=np.float32)
    cost = 1.0 + sobel(np.asarray(L, np.float64)) / edge
    for label in np.unique(clamp[clamp >= 0]):
        starts = np.argwhere(clamp == label)
        dist, _ = MCP_Geometric(cost).find_costs(starts)
        prior[..., label] += strength * np.exp(-dist / scale).astype(np.float32)
    return prior
