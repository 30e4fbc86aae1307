"""``nncolor serve``: a local page for colorizing by hand (needs ``nncolor[web]``)."""
import sys

from .errors import CommandError
from .options import PORT, PROG, add_max_pixels

NAME = "serve"
DESCRIPTION = (
    "Starts a page for one photo at a time: paint color hints on its gray version and see "
    "the result at once, choose the model and decoder, give a reference photo, see the "
    "uncertainty and alternatives, download the full-size PNG. Prints the page's address "
    "and opens nothing else; uploads are kept in memory only while needed. Needs pip "
    "install 'nncolor[web]'.")
EXAMPLE = "nncolor serve --port 8000"


def add_arguments(sub):
    """This command's options, on its subparser."""
    sub.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default: 127.0.0.1, this machine only; "
                          "0.0.0.0 lets other machines reach the page)")
    sub.add_argument("--port", type=PORT, default=8000,
                     help="port to listen on (default: 8000; 0: any free one)")
    add_max_pixels(sub, "uploaded photos")


def run(args, argv):
    # the web stack is imported here only: other commands and `import nncolor` never load it
    from ..web import require_web

    try:
        require_web()
    except ImportError as exc:
        raise CommandError(str(exc)) from None
    from ..web.server import serve

    try:
        serve(args.host, args.port, max_pixels=args.max_pixels,
              announce=lambda line: print(line, flush=True))
    except KeyboardInterrupt:  # Ctrl-C is how a server is meant to stop: not an error
        print(f"{PROG} {NAME}: stopped", file=sys.stderr)
    except OSError as exc:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: "
                           f"{exc.strerror or exc}; choose another --port or --host") from None
    return 0
