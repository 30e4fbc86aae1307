"""Progress of a colorizer's fit, shown from outside it: the SOM, then the classifier epochs.

:class:`SOMColorizer.fit` is one call; rather than thread a callback through its steps,
this module watches what the steps already report. scikit-learn's ``MLPClassifier`` with
``verbose=True`` prints ``Iteration N, loss = X`` after each epoch; :func:`fit_progress`
turns those lines into a progress bar (epochs, loss), and the first of them marks the end
of the steps before the classifier (sampling patches, training the SOM codebook).
"""
import contextlib
import io
import re
import sys
import time

_EPOCH = re.compile(r"Iteration (\d+), loss = ([0-9.eE+-]+|nan|inf)")
# with early_stopping the MLP also prints its held-out accuracy after each epoch
_VALIDATION = re.compile(r"Validation score: ([0-9.eE+-]+|nan)")
# and why it stops before max_iter: the end line says it in our words instead
# (not the "... Setting learning rate to" of the adaptive SGD solver, which goes on)
_STOPPED = re.compile(r"(Validation score|Training loss) did not improve more than "
                      r"tol=\S+ for (\d+) consecutive epochs\. Stopping\.")


class _EpochReader(io.TextIOBase):
    """A text stream that moves a progress bar on each ``Iteration N, loss = X`` line."""

    def __init__(self, make_bar, on_first, stream):
        self.make_bar, self.on_first, self.stream = make_bar, on_first, stream
        self.bar, self.epochs, self.loss, self._buffer = None, 0, None, ""
        self._phase_start, self._printed = 0, 0  # epochs before this phase, its last number
        self.stopped = None  # why the classifier stopped early, in words (None: it did not)

    def writable(self):
        return True

    def write(self, text):
        self._buffer += text
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            match = _EPOCH.search(line)
            score = _VALIDATION.search(line)
            if score is not None and self.bar is not None:
                self.bar.set_postfix(loss=f"{self.loss:.4f}", validation=score.group(1)[:6])
                continue
            stopped = _STOPPED.search(line)
            if stopped is not None:  # the end line says so, not scikit-learn's own line
                self.stopped = (f"the {stopped.group(1).lower()} did not improve for "
                                f"{stopped.group(2)} epochs")
                continue
            if match is None:
                if line.strip():  # anything else the fit prints goes where it was going
                    self.stream.write(line + "\n")
                continue
            if self.bar is None:  # the first epoch: the steps before it are done
                self.on_first()
                self.bar = self.make_bar()
            printed = int(match.group(1))
            if printed <= self._printed:  # a warm-started phase (a decayed rate) counts from 1
                self._phase_start = self.epochs
            self._printed = printed
            self.epochs, self.loss = self._phase_start + printed, float(match.group(2))
            self.bar.set_postfix(loss=f"{self.loss:.4f}", refresh=False)  # drawn by update
            self.bar.update(self.epochs - self.bar.n)
        return len(text)


def _in_notebook():
    """Whether this process is a Jupyter kernel (its output area redraws a bar in place)."""
    return "ipykernel" in sys.modules


@contextlib.contextmanager
def fit_progress(colorizer, n_images, *, verbose=True, prefix="nncolor", file=None):
    """Show the progress of ``colorizer.fit`` run inside this context.

    Prints a line when the fit starts (images, SOM shape and steps), a line when the SOM
    is done (the first classifier epoch), a bar of the classifier's epochs with its loss
    (only where ``file`` is a terminal, tqdm's ``disable=None``, or in a Jupyter
    notebook), and a line with the
    epochs run and why it stopped (the limit, or no improvement: scikit-learn's own
    "did not improve ... Stopping." is not passed on). The classifier's ``verbose`` is
    set for the fit and restored after it, so a saved model does not carry it. Standard
    output is read during the fit (where ``MLPClassifier`` prints); other text passes
    through.

    Parameters
    ----------
    colorizer : SOMColorizer
        Its ``classifier`` step should be an ``MLPClassifier`` (or take ``verbose``) for
        epochs to show; otherwise only the start and end lines are printed.
    n_images : int
    verbose : bool, default=True
        False: nothing is shown and nothing is changed.
    prefix : str
        Starts every line (``"nncolor train"`` on the command line).
    file : text stream, optional
        Where lines and the bar go; default ``sys.stderr``.
    """
    if not verbose:
        yield
        return
    from tqdm import tqdm

    out = sys.stderr if file is None else file
    params = colorizer.get_params()
    classifier = params.get("classifier")
    quantizer = params.get("quantizer")
    if quantizer is None:  # not a SOMColorizer (a mixture of models): no SOM, no epochs
        print(f"{prefix}: fitting a {type(colorizer).__name__} on {n_images} photos",
              file=out, flush=True)
        start = time.perf_counter()
        yield
        print(f"{prefix}: fitted in {time.perf_counter() - start:.1f} s", file=out, flush=True)
        return
    shape = "x".join(map(str, getattr(quantizer, "shape", ()))) or "?"
    steps = getattr(quantizer, "n_iterations", "?")
    max_iter = getattr(classifier, "max_iter", None)
    if max_iter:  # StepDecayMLPClassifier's epochs at the decayed rate come after max_iter
        max_iter += getattr(classifier, "decay_epochs", 0)
    watch = classifier is not None and "verbose" in classifier.get_params()
    print(f"{prefix}: fitting on {n_images} photos: SOM codebook ({shape}, {steps} steps), "
          f"then the classifier" + (f" (at most {max_iter} epochs)" if max_iter else ""),
          file=out, flush=True)
    start = time.perf_counter()

    def som_done():
        print(f"{prefix}: sampled patches and SOM codebook done in "
              f"{time.perf_counter() - start:.1f} s", file=out, flush=True)

    if not watch:
        yield
        print(f"{prefix}: fitted in {time.perf_counter() - start:.1f} s", file=out, flush=True)
        return
    old_verbose = classifier.verbose
    classifier.set_params(verbose=True)

    def make_bar():
        # disable=None: no bar where ``out`` is no terminal (a log, a pipe); the lines are
        # printed there all the same. A notebook's stderr is no terminal either, but it
        # draws the bar in place: shown there
        return tqdm(total=max_iter, desc=f"{prefix}: classifier", unit="epoch", file=out,
                    dynamic_ncols=True, leave=False, disable=False if _in_notebook() else None)

    reader = _EpochReader(make_bar, som_done, sys.stdout)
    try:
        with contextlib.redirect_stdout(reader):
            yield
    finally:
        if reader.bar is not None:
            reader.bar.close()
        classifier.set_params(verbose=old_verbose)
        fitted = getattr(colorizer, "classifier_", None)  # fit cloned the step, verbose too
        if fitted is not None and "verbose" in fitted.get_params():
            fitted.set_params(verbose=old_verbose)
    if reader.epochs:
        if reader.stopped is not None:
            why = f" (stopped early: {reader.stopped})"
        else:
            why = "" if max_iter is None or reader.epochs < max_iter else " (the limit)"
        loss = "" if reader.loss is None else f", final loss {reader.loss:.4f}"
        print(f"{prefix}: classifier: {reader.epochs} epochs{why}{loss}; fitted in "
              f"{time.perf_counter() - start:.1f} s", file=out, flush=True)
