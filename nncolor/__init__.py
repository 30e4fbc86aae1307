"""nncolor: colorize grayscale photographs with a SOM color codebook and a patch classifier.

The public names below are imported on first use (PEP 562 module ``__getattr__``), so
that ``import nncolor`` and the command line start without loading scikit-learn and
friends until a command needs them.
"""
import importlib

__version__ = "0.1.0"

# public name -> the module that defines it
_LAZY = {
    "LuvConverter": "color",
    "luv2rgb": "color",
    "rgb2luv": "color",
    "SOMColorizer": "colorizer",
    "make_colorizer": "colorizer",
    "MixtureOfExperts": "mixture",
    "PatchExtractor": "patches",
    "SOMQuantizer": "som",
    "load_model": "model_file",
    "save_model": "model_file",
    "shipped_models": "model_file",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nncolor' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # next time, a plain attribute
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
