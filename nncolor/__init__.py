"""nncolor: colorize grayscale photographs with a SOM color codebook and a patch classifier."""
from .color import LuvConverter, luv2rgb, rgb2luv
from .colorizer import SOMColorizer, make_colorizer
from .patches import PatchExtractor
from .som import SOMQuantizer

__version__ = "0.1.0"

__all__ = [
    "LuvConverter",
    "PatchExtractor",
    "SOMColorizer",
    "SOMQuantizer",
    "make_colorizer",
    "luv2rgb",
    "rgb2luv",
]
