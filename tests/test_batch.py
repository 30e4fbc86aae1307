"""The batch planner (nncolor.batch): inputs expanded once, outputs planned, folders
checked, earlier outputs dropped; errors as library exceptions. (The command and the Dask
batch planning alike: test_distributed.py.)"""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nncolor.batch import (
    BatchError,
    FolderError,
    check_folder,
    drop_earlier_outputs,
    expand_inputs,
    output_path,
    plan_outputs,
)


def gray(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((8, 8), 100, np.uint8)).save(path)
    return path


@pytest.fixture
def tree(tmp_path):
    src = tmp_path / "src"
    for name in ("a.png", "b.jpg", "a_colorized.png", "sub/c.png"):
        gray(src / name)
    (src / "notes.txt").write_text("not an image")
    return src


def test_inputs_named_twice_come_once_and_nothing_is_lost_silently(tree):
    found, missing, passed_over = expand_inputs(
        [tree, tree / "a.png", str(tree / "*.png"), tree / "nope.png"], recursive=True)
    names = [path.relative_to(tree).as_posix() for path, _, _ in found]
    assert names == ["a.png", "a_colorized.png", "b.jpg", "sub/c.png"]
    assert [item for item, _ in missing] == [tree / "nope.png"]
    assert [path.name for path, _ in passed_over] == ["notes.txt"]


def test_earlier_outputs_are_dropped_unless_named_on_their_own(tree):
    found = expand_inputs([tree], recursive=True).found
    kept, earlier = drop_earlier_outputs(found, "_colorized")
    assert earlier == [tree / "a_colorized.png"]
    assert len(kept) == 3
    named = expand_inputs([tree / "a_colorized.png"]).found
    assert drop_earlier_outputs(named, "_colorized") == (named, [])


def test_outputs_mirror_folders_and_keep_the_format_with_same(tree, tmp_path):
    found, _ = drop_earlier_outputs(expand_inputs([tree], recursive=True).found, "_colorized")
    out = tmp_path / "out"
    plan = plan_outputs(found, out, format="same")
    assert [dst.relative_to(out).as_posix() for _, dst in plan.jobs] == [
        "a_colorized.png", "b_colorized.jpg", "sub/c_colorized.png"]
    plan = plan_outputs(found, None, suffix="_x", format="tif")
    assert [dst for _, dst in plan.jobs] == [
        tree / "a_x.tif", tree / "b_x.tif", tree / "sub" / "c_x.tif"]
    assert output_path(tree / "b.jpg", Path("b.jpg"), out, "_c", "same") == out / "b_c.jpg"


def test_refused_outputs_say_why_and_the_rest_go_on(tree, tmp_path):
    found, _ = drop_earlier_outputs(expand_inputs([tree], recursive=True).found, "_colorized")
    out = tmp_path / "out"
    gray(out / "b_colorized.png")  # an earlier run's output
    (out / "sub").write_text("a file where a folder goes")
    plan = plan_outputs(found, out)
    assert [src.name for src, _ in plan.jobs] == ["a.png"]
    why = dict(plan.refused)
    assert list(why) == [tree / "sub" / "c.png"] and "cannot write into" in why[tree / "sub" / "c.png"]
    # an existing output is no refusal: the input is left out, and the way to redo it said
    assert [(src, "exists; pass --overwrite to replace it" in message)
            for src, message in plan.existing] == [(tree / "b.jpg", True)]
    replaced = plan_outputs(found, out, overwrite=True, how_to_overwrite="x")
    assert [src.name for src, _ in replaced.jobs] == ["a.png", "b.jpg"]


def test_an_existing_output_still_refuses_a_second_input_onto_it(tmp_path):
    # a.png and a.jpg both go to out/a_colorized.png: the first run wrote it for a.png
    gray(tmp_path / "a.png")
    gray(tmp_path / "a.jpg")
    out = tmp_path / "out"
    gray(out / "a_colorized.png")
    (out / "b_colorized.png").mkdir()  # a folder where an output goes: no earlier output
    gray(tmp_path / "b.png")
    plan = plan_outputs(expand_inputs([tmp_path]).found, out)
    assert plan.jobs == []
    assert [src.name for src, _ in plan.existing] == ["a.jpg"]  # the first of the two
    why = dict(plan.refused)
    assert "would be written for both" in why[tmp_path / "a.png"]
    assert "the format 'same' keeps each input's extension" in why[tmp_path / "a.png"]
    assert "is a folder; no output file can replace it" in why[tmp_path / "b.png"]
    replaced = plan_outputs(expand_inputs([tmp_path]).found, out, overwrite=True)
    assert "is a folder" in dict(replaced.refused)[tmp_path / "b.png"]  # asked or not


def test_an_output_over_an_input_or_shared_by_two_is_refused(tmp_path):
    gray(tmp_path / "p.png")
    gray(tmp_path / "p.jpg")
    found = expand_inputs([tmp_path]).found
    plan = plan_outputs(found, None, suffix="", format="png")
    assert plan.jobs == []
    assert "is the input itself" in dict(plan.refused)[tmp_path / "p.png"] or \
        "is one of the inputs" in dict(plan.refused)[tmp_path / "p.jpg"]


def test_a_batch_that_cannot_start_raises_one_error(tree, tmp_path):
    found = expand_inputs([tree]).found
    with pytest.raises(BatchError, match="names one image file for 3 inputs"):
        plan_outputs(found, tmp_path / "one.png")
    with pytest.raises(BatchError, match="not an image format"):
        plan_outputs(found, tmp_path / "out.xyz")
    with pytest.raises(BatchError, match="format must be"):
        plan_outputs(found, tmp_path / "out", format="gif")
    (tmp_path / "file").write_text("")
    with pytest.raises(FolderError, match="it is a file, not a folder"):
        plan_outputs(found, tmp_path / "file")
    single = plan_outputs(found[:1], tmp_path / "new" / "one.png")
    assert single.jobs == [(found[0][0], tmp_path / "new" / "one.png")]


def test_check_folder_makes_the_folder_or_says_why_not(tmp_path):
    check_folder(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()
    (tmp_path / "f").write_text("")
    with pytest.raises(FolderError, match="cannot write into"):
        check_folder(tmp_path / "f" / "g")
