"""What the commands print: per-file problems, progress bars, summaries and metric tables."""
import sys

#: Per-image tables longer than this print only their means.
MAX_PRINTED_ROWS = 12


def report(prefix, message):
    """A per-file problem, printed without breaking a progress bar."""
    from tqdm import tqdm

    tqdm.write(f"{prefix}: error: {message}", file=sys.stderr)


def finish(prefix, failures, total, what, empty=0):
    """Exit status 1 with "N of M failed" when any file failed or any of the items given
    named no file (``empty``: each was reported on its own line), else 0."""
    parts = [f"{failures} of {total} {what} failed"] if failures else []
    if empty:
        parts.append(f"{empty} {'input names' if empty == 1 else 'inputs name'} no {what}")
    if not parts:
        return 0
    print(f"{prefix}: {'; '.join(parts)}", file=sys.stderr)
    return 1


def progress(quiet, total, desc, unit):
    """A progress bar on stderr, drawn only where it helps: not with ``quiet``, not for
    fewer than 2 items (a bar that jumps from 0 to 1 says nothing the summary does not),
    and not when the stream is no terminal (tqdm's ``disable=None``: a log or a pipe
    would fill with carriage returns)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=True if quiet or total < 2 else None,
                file=sys.stderr, dynamic_ncols=True)


def passed_over_note(count):
    """The summary's word on the files folder scans passed over (named one by one above)."""
    if not count:
        return ""
    return f"; passed over {count} file{'s' if count != 1 else ''} (named above)"


def print_metrics(table, means_only):
    """Per-photo rows (few photos) and the means per method of an evaluation table."""
    import pandas as pd

    from ..evaluation import METRIC_COLUMNS

    columns = list(METRIC_COLUMNS)
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        if not means_only:
            print(table.round(3).to_string(index=False, na_rep=""))
            print()
        means = table.groupby("method", sort=False)[columns].mean()
        means.insert(0, "photos", table.groupby("method", sort=False).size())
        print(means.round(3).to_string(na_rep=""))
