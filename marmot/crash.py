"""Test seam for crash safety: ``MARMOT_CRASH_AT=<point>`` makes the process SIGKILL itself.

Only tests set the variable (tests/wap/test_crash_safety.py): they run ``marmot validate`` or
``marmot publish`` in a subprocess that kills itself at a named point, then check that
``published/current`` still opens and that a rerun converges. Unset, it does nothing.
Points: ``validate:staged``, ``validate:checked``, ``publish:copied``, ``publish:renamed``,
``publish:switched``.
"""

from __future__ import annotations

import os
import signal

from marmot.settings import crash_point


def point(name: str) -> None:
    if crash_point() == name:
        os.kill(os.getpid(), signal.SIGKILL)
