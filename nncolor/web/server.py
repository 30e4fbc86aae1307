"""Running the page: :func:`serve` for the command line, :func:`running` for tests and
notebooks (a server in a background thread)."""
import socket
import threading
import time
from contextlib import contextmanager

#: The loopback names: a server bound to one of them is reachable from this machine only.
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def listen(host, port):
    """A listening TCP socket on ``host:port`` (port 0: a free one, chosen by the system).

    Listening before the server's loop starts means a browser that connects at once
    waits in the queue instead of being refused.

    Raises
    ------
    OSError
        The address cannot be used (a port in use, a host name that is not this machine).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def address(sock):
    """The page's URL for a listening socket."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def allowed_hosts(host):
    """The Host headers to answer: the loopback names, plus ``host`` (any, for 0.0.0.0)."""
    if host in ("0.0.0.0", "::", ""):
        return ["*"]
    names = ["127.0.0.1", "localhost", "[::1]", "::1"]
    return names if host in names else [*names, host, f"[{host}]"]


def _server(app, sock):
    import uvicorn

    # the address is printed by the caller; uvicorn's own lines would repeat it
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    return uvicorn.Server(config)


def serve(host="127.0.0.1", port=8000, *, max_pixels=None, announce=print):
    """Serve the page on ``host:port`` until interrupted (Ctrl-C).

    Parameters
    ----------
    host : str, default="127.0.0.1"
        The address to listen on: the loopback (this machine only) unless told
        otherwise.
    port : int, default=8000
        0 picks a free port.
    max_pixels : int, optional
        The pixel limit of uploaded photos (:func:`nncolor.io.read_image`).
    announce : callable
        Called with one line giving the page's address once it accepts connections.

    Raises
    ------
    KeyboardInterrupt
        Once the server has shut down after Ctrl-C (or another signal that stops it).
    """
    from .app import create_app

    app = create_app(max_pixels=max_pixels, allowed_hosts=allowed_hosts(host))
    sock = listen(host, port)
    with sock:
        server = _server(app, sock)
        line = f"nncolor serve: open {address(sock)} in a browser (Ctrl-C stops the server)"
        if host not in LOOPBACK:
            line += f"; listening on {host}: other machines can reach this page"
        announce(line)
        server.run(sockets=[sock])
    if server.should_exit:
        # stopped by a signal: uvicorn raises it again once shut down, but asyncio's runner
        # may take that for a cancel of a task already done, and return without a word
        raise KeyboardInterrupt


@contextmanager
def running(app, host="127.0.0.1", port=0, timeout=30.0):
    """Run ``app`` in a background thread; yields its URL and stops it on exit.

    Examples
    --------
    >>> import urllib.request
    >>> from nncolor.web.app import create_app
    >>> with running(create_app()) as url:
    ...     urllib.request.urlopen(url + "api/options").status
    200
    """
    sock = listen(host, port)
    server = _server(app, sock)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield address(sock)
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
