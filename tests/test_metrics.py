import numpy as np
import pytest

from nncolor.metrics import codebook_accuracy, colorfulness, evaluate, psnr, rmse_uv, splotchiness


def test_psnr_known_value():
    a = np.zeros((4, 4, 3))
    b = np.full((4, 4, 3), 0.1)
    assert psnr([a], [b]) == pytest.approx(20.0)
    assert psnr([a, a], [b, a]) == pytest.approx((20 + 100) / 2)


def test_rmse_uv_and_accuracy():
    rng = np.random.default_rng(0)
    img = rng.random((5, 5, 3))
    assert rmse_uv([img], [img]) < 1e-3
    gray = np.repeat(img.mean(-1, keepdims=True), 3, axis=-1)
    assert rmse_uv([img], [gray]) > 5
    assert codebook_accuracy([np.array([[1, 2], [3, 4]])], [np.array([[1, 2], [0, 4]])]) == 0.75


def test_colorfulness_orders_gray_dull_vivid():
    gray = np.full((8, 8, 3), 0.5)
    dull = gray + np.array([0.05, 0.02, -0.03])
    vivid = np.zeros((8, 8, 3))
    vivid[::2, :, 0] = 1
    vivid[1::2, :, 2] = 1
    assert colorfulness(gray) == pytest.approx(0)
    assert 0 < colorfulness(dull) < colorfulness(vivid)


def test_mismatched_inputs():
    with pytest.raises(ValueError, match="2 true images but 1"):
        psnr([np.zeros((2, 2, 3))] * 2, [np.zeros((2, 2, 3))])
    with pytest.raises(ValueError, match="shape"):
        psnr([np.zeros((2, 2, 3))], [np.zeros((3, 2, 3))])


def test_evaluate_table(fitted, photos):
    table = evaluate(fitted, photos[4:], names=["ihc"])
    assert list(table["method"]) == ["colorizer", "gray", "mean color"]
    assert set(table.columns) == {"image", "method", "psnr", "rmse_uv", "accuracy", "colorfulness",
                                  "splotchiness"}
    assert 0 <= table["accuracy"].iloc[0] <= 1
    assert table["colorfulness"].iloc[1] < 1  # the gray baseline has no color


def test_splotchiness_sees_speckles_not_edges():
    from nncolor.color import luv2rgb

    flat = np.zeros((16, 16, 3), np.float32)
    flat[..., 0], flat[..., 1] = 50, 20
    speckled = flat.copy()
    speckled[::2, ::2, 1:] = [-30, 30]
    edge = flat.copy()
    edge[:, 8:] = [80, -40, 10]  # a color change with a lightness edge
    assert splotchiness(luv2rgb(flat)) == 0
    assert splotchiness(luv2rgb(edge)) == 0
    assert splotchiness(luv2rgb(speckled)) > 0.3
