"""``nncolor info``: a model's card, or the models that ship with nncolor."""
import json

from .. import __version__
from .errors import CommandError
from .inputs import load_model
from .options import add_trust_model, model_help

NAME = "info"
DESCRIPTION = (
    "Versions, parameters, training data and held-out metrics of a model file; for a "
    "colorizer saved without a card, its parameters. Without MODEL: the models that ship "
    "with nncolor.")
EXAMPLE = "nncolor info default"


def add_arguments(sub):
    """This command's options, on its subparser."""
    sub.add_argument("model", metavar="MODEL", nargs="?",
                     help=model_help(default="list the shipped models"))
    add_trust_model(sub)
    sub.add_argument("--json", action="store_true", help="print the card as JSON")


def run(args, argv):
    from ..card import model_card, model_params
    from ..model_file import IncompatibleModelError, check_version, resolve_model_path

    if args.model is None:
        return _list_shipped_models(args)
    model = load_model(args, check=False)  # a card is worth showing even when refused
    card = model_card(model)
    if args.json:
        print(json.dumps(card or {"params": model_params(model)}, indent=2))
        return 0
    path = resolve_model_path(args.model)
    print(f"model: {path} ({path.stat().st_size / 1024:.1f} KiB)")
    if card is None:
        print("no model card (saved without `nncolor train`); what the file itself says:")
        _print_params(model_params(model))
        if hasattr(model, "n_colors_"):  # a mixture of models has no codebook of its own
            print(f"codebook: {model.n_colors_} colors; trained on "
                  f"{model.n_training_pixels_} pixels")
        return 0
    try:
        check_version(card, path)
        compatible = ""
    except IncompatibleModelError:
        compatible = "; colorize and evaluate refuse it"
    _print_card(card, compatible)
    return 0


def _list_shipped_models(args):
    """Name, size and a line from the card of each model that ships with nncolor."""
    from ..card import model_card
    from ..model_file import load_model as load_file
    from ..model_file import shipped_models

    shipped = shipped_models()
    if not shipped:
        raise CommandError("no models ship with this installation; train one with "
                           "`nncolor train`")
    rows = {}
    for name, path in shipped.items():
        card = model_card(load_file(path, check=False)) or {}
        rows[name] = (f"{path.stat().st_size / 1024:.0f} KiB", describe_card(card))
    if args.json:
        print(json.dumps({name: {"path": str(shipped[name]), "size": size,
                                 "description": text} for name, (size, text) in rows.items()},
                         indent=2))
        return 0
    print("models shipped with nncolor (use a name with --model NAME, or `nncolor info NAME`):")
    width = max(map(len, rows))
    for name, (size, text) in rows.items():
        print(f"  {name:<{width}}  {size:>8}  {text}")
    return 0


def describe_card(card):
    """One line from a model card: its own ``description`` (or what it was trained on), and
    how it did against the gray baseline."""
    params = card.get("params") or {}
    data = card.get("training_data") or {}
    parts = [" ".join(str(card["description"]).split()) if card.get("description") else
             f"{card.get('n_colors', '?')} colors, {params.get('patch_size', '?')}-pixel "
             f"patches, trained on {data.get('n_photos') or '?'} photos"]
    held_out = card.get("held_out") or {}
    ours, gray = held_out.get("colorizer", {}), held_out.get("gray", {})
    if "psnr" in ours and "psnr" in gray:
        parts.append(f"held-out PSNR {ours['psnr']:.2f} dB (gray: {gray['psnr']:.2f} dB)")
    return "; ".join(parts)


def _print_params(params):
    print("parameters: " + ", ".join(f"{k}={_value(k, v)}" for k, v in params.items()))


def _value(name, value):
    """A parameter as its command-line option takes it: 3x3, 50,50."""
    if isinstance(value, list):
        return ("x" if name == "som_shape" else ",").join(map(str, value))
    return str(value)


def _print_card(card, compatible):
    import sklearn

    print(f"made by: nncolor {card.get('nncolor_version')} (this is {__version__}"
          f"{compatible}), scikit-learn {card.get('sklearn_version')} "
          f"(this is {sklearn.__version__})")
    print(f"created: {card.get('created')}")
    if card.get("command"):
        print(f"command: {card['command']}")
    if card.get("experts"):  # a mixture of models: no parameters or codebook of its own
        print("a mixture of models, by the kind of photo its gate guesses: " + ", ".join(
            f"{kind}: {expert}" for kind, expert in card["experts"].items()))
    else:
        _print_params(card.get("params", {}))
        print(f"codebook: {card.get('n_colors')} colors")
    data = card.get("training_data") or {}
    # a source (a folder, file or pattern given) counts the photos read from it, both
    # sides of the split below
    sources = ", ".join(f"{k} ({n} photos, train and held out)"
                        for k, n in (data.get("sources") or {}).items())
    # a card saved without train_and_evaluate may not know how many photos there were
    counts = [f"{data[key]} {unit}" for key, unit in (("n_photos", "photos"),
                                                      ("n_pixels", "pixels"))
              if data.get(key) is not None]
    print("training data: " + (", ".join(counts) or "not recorded")
          + (f", from {sources}" if sources else ""))
    split = card.get("split")
    if split:
        counts = (f": {split['n_train']} train / {split['n_test']} held out"
                  if split.get("n_train") is not None and split.get("n_test") is not None
                  else "")  # cards made before 2026-12 did not count them
        print(f"split: by file name ({split.get('by')}), test size {split.get('test_size')}, "
              f"seed {split.get('seed')}{counts}")
    if card.get("fit_seconds") is not None:
        print(f"training time: {card['fit_seconds']} s")
    held_out = card.get("held_out")
    if held_out:
        measured = card.get("held_out_measured") or {}
        again = f", measured again {measured['created']}" if measured.get("created") else ""
        print(f"held-out metrics (means per photo{_measured_on(held_out, split)}{again}):")
        _print_held_out(held_out)
    if card.get("held_out_by_folder"):
        print("held-out PSNR minus gray's, per folder: " + ", ".join(
            _gain(folder, rows) for folder, rows in card["held_out_by_folder"].items()))


def _gain(folder, rows):
    """'folder +0.74 dB (73 photos)' from a card's per-folder figures."""
    ours, gray = rows.get("colorizer", {}), rows.get("gray", {})
    if "psnr" not in ours or "psnr" not in gray:
        return f"{folder} ?"
    n = ours.get("n_images")
    return f"{folder} {ours['psnr'] - gray['psnr']:+.2f} dB" + (f" ({n:g} photos)" if n else "")


def _measured_on(held_out, split):
    """', over N of the M held-out photos' when the card measured only some of them."""
    measured = max((row.get("n_images") or 0 for row in held_out.values()), default=0)
    total = (split or {}).get("n_test")
    if measured and total and measured < total:
        return f", over {measured:g} of the {total} held-out photos"
    return ""


def _print_held_out(held_out):
    import pandas as pd

    table = pd.DataFrame.from_dict(held_out, orient="index")
    table.index.name = "method"
    print(table.to_string(na_rep=""))
