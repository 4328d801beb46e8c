"""Test seam for crash safety: ``MARMOT_CRASH_AT=<point>`` makes the process SIGKILL itself.

Only tests set the variable (tests/publish/ and tests/ingest/test_crash_safety.py): they run ``marmot
ingest``, ``validate`` or ``publish`` in a subprocess that kills itself at a named point, then check that
``published/current`` still opens (or the ledger holds one current batch per period) and that a rerun
converges. Unset, it does nothing.
Points: ``ingest:recorded`` (a file's ledger record written, the batches it replaces not yet superseded),
``read:<file name>`` (the reader process, about to read that file: ``marmot.ingest.reader_process``),
``validate:staged``, ``validate:checked``, ``publish:copied``, ``publish:renamed``,
``publish:switched``.
"""

from __future__ import annotations

import os
import signal

from marmot.settings import crash_point


def point(name: str) -> None:
    if crash_point() == name:
        os.kill(os.getpid(), signal.SIGKILL)
