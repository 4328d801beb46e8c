"""Who holds a claim on a landed file or the ledger lock, and whether that holder may still be working.

Shared by landing claims (marmot/land/claims.py) and the ledger lock (marmot/ingest/ledger.py).
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

STALE_CLAIM_SECONDS = 6 * 3600  # a claim by another machine older than this is abandoned


def owner_token() -> str:
    """``<host>-<pid>``: who holds a claim."""
    return f"{socket.gethostname()}-{os.getpid()}"


def owner_alive(token: str, claim: Path) -> bool:
    """Whether the holder of a claim may still be working: a live local process, or (for another
    machine, where we cannot look) a claim younger than STALE_CLAIM_SECONDS."""
    host, _, pid = token.rpartition("-")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return time.time() - claim.stat().st_mtime < STALE_CLAIM_SECONDS * 4  # pid reuse guard
    return time.time() - claim.stat().st_mtime < STALE_CLAIM_SECONDS
