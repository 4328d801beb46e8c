"""The reader process: checks and loads the files ``marmot.ingest.worker.Reader`` sends it, one at a time.

Its address space is limited before DuckDB is imported; a file it crashes on is the parent's to quarantine.
"""

from __future__ import annotations

import json
import logging
import pickle
import resource
import sys
from dataclasses import asdict
from multiprocessing.connection import Connection
from pathlib import Path

from marmot import crash
from marmot.ingest import ledger
from marmot.ingest.problems import FileProblem
from marmot.ingest.worker import unexpected
from marmot.settings import Paths

log = logging.getLogger(__name__)


def serve(requests: Connection, replies: Connection) -> None:
    """The reader's loop: check and load each file asked for, until the requests end."""
    from marmot.ingest.ingestor import Ingestor  # after the memory limit (main): it imports DuckDB

    home, contracts, threads = pickle.loads(requests.recv_bytes())
    ingestor = Ingestor(Paths(Path(home)), contracts)
    ingestor._threads = threads  # the share of the cores the parent gives each dataset being ingested
    replies.send_bytes(b"{}")  # ready
    while True:
        try:
            path, fields = pickle.loads(requests.recv_bytes())
        except EOFError:
            return
        entry, problem = ledger.Entry(**fields), None
        crash.point(f"read:{Path(path).name}")
        try:
            ingestor.check_and_load(Path(path), entry)
        except FileProblem as exc:
            problem = exc.problem
        except Exception as exc:  # reported for this file; the reader goes on with the next
            log.exception("unexpected error ingesting %r", path)  # repr: a newline in a name forges no log line
            problem = unexpected(Path(path).name, exc)
        replies.send_bytes(json.dumps({"entry": asdict(entry), "problem": problem and {
            "code": problem.code, "message": problem.message, "column": problem.column, "action": problem.action,
            "expected": problem.expected, "column_in_file": problem.column_in_file}}).encode())


def main() -> None:
    """``python -m marmot.ingest.reader_process <requests fd> <replies fd> <MiB>``, as ``Reader`` starts it."""
    limit = int(sys.argv[3]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))


if __name__ == "__main__":
    main()
