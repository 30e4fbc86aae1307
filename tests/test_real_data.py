"""On real photographs: a trained colorizer beats the baselines on held-out images."""
import numpy as np
from skimage.io import imread

from nncolor import make_colorizer
from nncolor.evaluation import evaluate

from .conftest import shared_folder


def test_beats_gray_and_mean_color_on_held_out_photos():
    files = sorted(shared_folder("opencountry-64").glob("*.jpg"))
    # split by image, never by pixel: neighbouring pixels of one photo are near-duplicates
    rng = np.random.default_rng(0)
    order = rng.permutation(len(files))
    train = [imread(files[i]) for i in order[:80]]
    test = [imread(files[i]) for i in order[80:140]]
    col = make_colorizer(patch_size=5, som_shape=(3, 3), hidden_layer_sizes=(50, 50),
                         n_samples=400, max_iter=60, som_iterations=3000, random_state=0)
    col.fit(train)
    table = evaluate(col, test)
    psnr = table.groupby("method")["psnr"].mean()
    assert psnr["colorizer"] > psnr["gray"]
    assert psnr["colorizer"] > psnr["mean color"]
    # and the score the colorizer reports for grid search is that same PSNR
    assert abs(col.score(test) - psnr["colorizer"]) < 1e-6
