"""A progress bar for ``GridSearchCV``, whose fits run in worker processes.

A bar in this process cannot see the workers' fits, so the scorer leaves a mark in a
shared temporary folder each time it scores, and a thread here counts the marks.
"""
import os
import tempfile
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

from sklearn.metrics import check_scoring


class CountingScorer:
    """A scorer that also drops an empty file in ``folder`` each time it is called."""

    def __init__(self, scorer, folder):
        self.scorer = scorer
        self.folder = folder

    def __call__(self, estimator, X, y=None):
        score = self.scorer(estimator, X, y)
        Path(self.folder, uuid.uuid4().hex).touch()  # unique names: workers never collide
        return score


@contextmanager
def fit_progress(estimator, scoring, n_fits, desc, calls_per_fit=2, every=0.5):
    """Yield a scorer for a search of ``n_fits`` fits, with a tqdm bar of the fits done.

    ``calls_per_fit`` is 2 with ``return_train_score=True`` (test and train scores).
    """
    from tqdm import tqdm

    scorer = check_scoring(estimator, scoring=scoring)
    with tempfile.TemporaryDirectory(prefix="nncolor-progress-") as folder, \
            tqdm(total=n_fits, desc=desc, unit="fit") as bar:
        stop = threading.Event()

        def update():
            bar.n = min(n_fits, len(os.listdir(folder)) // calls_per_fit)
            bar.refresh()

        def poll():
            while not stop.wait(every):
                update()

        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        try:
            yield CountingScorer(scorer, folder)
        finally:
            stop.set()
            watcher.join()
            update()
