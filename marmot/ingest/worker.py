"""Partners' files are read and checked in a child process, so no file can take an ingest run down.

DuckDB segfaults on some inputs (a JSON document nested 10,000 deep, docs STACK.md) and a file
can ask for more memory than the machine has. Each ingest thread keeps one reader process that runs
``Ingestor.check_and_load`` with its address space limited (``MARMOT_READER_MEMORY_MB``). Starting one
costs about 0.3 s of CPU (Python, DuckDB and the contracts imported), so it is started at the thread's
first file and reused until it dies; a file then costs no measurable time more than in-process (median
26 ms either way for a small CSV). When it dies on a file, that file is quarantined ('crashed_reader')
and the next file starts a new reader.

Requests go as pickles (the parent is trusted), replies as JSON: a reader that a file subverted
could not make the parent run anything.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
from dataclasses import asdict
from multiprocessing.connection import Connection
from pathlib import Path

from marmot.contracts import Contract
from marmot.ingest import ledger
from marmot.ingest.problems import FileProblem, Problem
from marmot.settings import READER_MEMORY_ENV, Paths, reader_memory_mb


def unexpected(name: str, exc: BaseException) -> Problem:
    """The reason given for a file that raised something no check foresaw (a bug or an unforeseen file)."""
    first_line = (str(exc).splitlines() or [""])[0][:200]
    return Problem("unreadable", f"{name} could not be processed ({type(exc).__name__}: {first_line})")


class Reader:
    """One reader process, used by one thread at a time."""

    def __init__(self, paths: Paths, contracts: dict[str, Contract], threads: int) -> None:
        self._setup = pickle.dumps((str(paths.home), contracts, threads))
        self._proc: subprocess.Popen | None = None
        self._requests: Connection | None = None
        self._replies: Connection | None = None

    def check_and_load(self, path: Path, entry: ledger.Entry) -> None:
        """``Ingestor.check_and_load`` in the reader: ``entry`` takes what it found; a file problem is raised
        as the reader raised it, and a reader that died on the file is one ('crashed_reader')."""
        assert self._requests is not None and self._replies is not None
        try:
            self._requests.send_bytes(pickle.dumps((os.fspath(path), asdict(entry))))
            reply = json.loads(self._replies.recv_bytes())
        except (EOFError, OSError):
            returncode = self.close()
            how = (f"it stopped with signal {signal.Signals(-returncode).name}" if returncode < 0 else
                   f"it exited with status {returncode}")
            raise FileProblem("crashed_reader", f"{path.name}: the file crashed the reader ({how}, e.g. nested too "
                                                "deep or needing too much memory); nothing was loaded.") from None
        for name, value in reply["entry"].items():
            setattr(entry, name, value)
        if reply["problem"]:
            problem = reply["problem"]
            raise FileProblem(problem["code"], problem["message"], problem["column"], problem.get("action"),
                              problem.get("expected"), problem.get("column_in_file"))

    @property
    def running(self) -> bool:
        return self._proc is not None

    def start(self) -> None:
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "marmot.ingest.reader_process", str(request_r), str(reply_w),
             str(reader_memory_mb())],
            pass_fds=(request_r, reply_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        os.close(request_r)
        os.close(reply_w)
        self._requests, self._replies = Connection(request_w, readable=False), Connection(reply_r, writable=False)
        try:  # the setup (every contract) is larger than a pipe's buffer: a reader dying at start breaks the pipe
            self._requests.send_bytes(self._setup)
            self._replies.recv_bytes()  # ready
        except (EOFError, OSError):  # not the file's fault: the run stops, the file stays claimed for the next one
            raise RuntimeError(f"the reader process (marmot.ingest.reader_process) could not start: exit status "
                               f"{self.close()}, its error is above; is {READER_MEMORY_ENV} too small?") from None

    def close(self) -> int:
        """Stop the reader (it ends when its requests end); its exit status."""
        if self._proc is None:
            return 0
        assert self._requests is not None and self._replies is not None
        self._requests.close()
        self._replies.close()
        try:
            returncode = self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            returncode = self._proc.wait()
        self._proc = self._requests = self._replies = None
        return returncode
