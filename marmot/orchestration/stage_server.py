"""Run build, validate and publish in processes forked from one that has imported their libraries already.

Each stage ran in a fresh Python process (``stage_process``), so for one partner file a build imported dbt
(2 s here), a validation Great Expectations (3.9 s) and a publication pandas, altair and openpyxl, every time.
The stage server imports those libraries once and forks a child per stage: the child starts with them in
memory, runs the stage exactly as the fresh process does (``pipeline.run_to_file``), and its output streams
back over the connection into the task's log; its result comes back through the same JSON file.

* The libraries are imported before forking (``PRELOAD``); marmot's own modules are dropped in each child and
  imported again, so an edited module never runs stale. A server serves one home, one interpreter and one set of
  installed packages (the ``site-packages`` folder's modification time changes with every install): a
  changed environment gets a new server, and the old one, unused, exits when idle.
* The first stage that finds no server starts one and waits for it (``MARMOT_STAGE_SERVER_START_SECONDS``);
  if none answers in that time, the stage runs in its own process as before. The server exits after
  ``MARMOT_STAGE_SERVER_IDLE_SECONDS`` (default 1800) without a stage, or as soon as its home is gone;
  ``0`` turns the server off.
* It listens on an abstract Unix socket (no file to leave behind) and serves only processes of its own user
  (``SO_PEERCRED``): a request names a home and an environment to run a stage with.

``python -m marmot.orchestration.stage_server HOME [ADDRESS]`` runs a server in the foreground (for debugging;
logs to stderr).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import logging
import os
import select
import socket
import struct
import subprocess
import sys
import sysconfig
import time
import traceback
from pathlib import Path

from marmot.settings import HOME_ENV, stage_server_idle_seconds, stage_server_start_seconds

log = logging.getLogger(__name__)

# what the three stages import that takes time (measured: dbt 2.0 s, great_expectations 3.9 s, the rest 0.5 s);
# gx_runner first: it turns Great Expectations' usage statistics off before Great Expectations is imported
PRELOAD = ("marmot.validate.gx_runner", "dbt.cli.main", "dbt.adapters.duckdb", "dbt.adapters.duckdb.impl",
           "great_expectations", "duckdb", "numpy", "pandas", "pyarrow.parquet", "altair", "openpyxl", "jinja2")
_REQUEST_LIMIT = 1 << 24  # a request is the task's environment and the stage's input (publish: a validation summary)


def address(home: Path) -> str:
    """The abstract socket name of the server for this home, interpreter, marmot package and installed packages
    (the server binds the name its starter computed: ``python -m ... HOME ADDRESS``)."""
    import marmot

    site = Path(sysconfig.get_paths()["purelib"])
    key = "\0".join([str(Path(home).resolve()), sys.executable, str(Path(marmot.__file__).parent),
                     str(site.stat().st_mtime_ns)])
    return "marmot-stages-" + hashlib.sha256(key.encode()).hexdigest()[:24]


def run(stage: str, home: Path, result_file: Path, given: dict | None) -> bool:
    """Run ``stage`` in a child of this home's server, its output written to this process's stdout; False when no
    server answers (after starting one and waiting for it), so the caller runs the stage itself. The child's
    outcome is in ``result_file`` (absent when it died)."""
    if stage_server_idle_seconds() <= 0:
        return False
    conn = _connect(home) or _start(home)
    if conn is None:
        return False
    with conn:
        request = {"stage": stage, "home": str(home), "result_file": str(result_file), "given": given,
                   "env": {**os.environ, HOME_ENV: str(home)}, "cwd": os.getcwd()}
        conn.sendall(json.dumps(request).encode() + b"\n")
        conn.shutdown(socket.SHUT_WR)
        while chunk := conn.recv(65536):  # the child's stdout and stderr, until it exits
            view = memoryview(chunk)
            while view:
                view = view[os.write(1, view):]
    return True


def _connect(home: Path) -> socket.socket | None:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect("\0" + address(home))  # abstract: nothing on disk
    except OSError:
        conn.close()
        return None
    return conn


def _start(home: Path) -> socket.socket | None:
    """Start this home's server (detached: it outlives this task) and wait until it answers."""
    logs = Path(home) / "logs"
    try:
        logs.mkdir(parents=True, exist_ok=True)
        with open(logs / "stage_server.log", "ab") as out:
            subprocess.Popen([sys.executable, "-m", "marmot.orchestration.stage_server", str(home), address(home)],
                             stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
    except OSError as exc:  # the stage, in its own process, will say what is wrong with the home
        log.warning("could not start a stage server for %s (%s); running the stage in its own process", home, exc)
        return None
    deadline = time.monotonic() + stage_server_start_seconds()
    while time.monotonic() < deadline:
        if conn := _connect(home):
            return conn
        time.sleep(0.05)
    log.warning("the stage server for %s did not answer within %.0f s; running the stage in its own process "
                "(see %s)", home, stage_server_start_seconds(), logs / "stage_server.log")
    return None


def serve(home: Path, idle_seconds: float, name: str | None = None) -> None:
    """Import ``PRELOAD``, then fork a child for each request on ``name`` (default ``address(home)``) until idle
    for ``idle_seconds`` or the home is gone."""
    home = Path(home)
    started = time.perf_counter()
    for module in PRELOAD:
        importlib.import_module(module)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind("\0" + (name or address(home)))
    except OSError:  # another server for this home started first
        log.info("a stage server for %s is running already", home)
        return
    listener.listen(16)
    log.info("stage server for %s ready in %.1f s (pid %d)", home, time.perf_counter() - started, os.getpid())
    children: set[int] = set()
    last_active = time.monotonic()
    while True:
        children -= {pid for pid in list(children) if os.waitpid(pid, os.WNOHANG)[0]}
        if children:
            last_active = time.monotonic()
        elif time.monotonic() - last_active > idle_seconds or not home.is_dir():
            log.info("stage server for %s stops: %s", home, "idle" if home.is_dir() else "its home is gone")
            return
        if not select.select([listener], [], [], 1.0)[0]:
            continue
        conn, _ = listener.accept()
        with conn:
            request = _request(conn)
            if request is None:
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                _child(conn, request)  # never returns
            children.add(pid)
            log.info("%s: pid %d", request["stage"], pid)


def _request(conn: socket.socket) -> dict | None:
    """The request on ``conn`` from a process of this user; None (and the connection dropped) otherwise."""
    _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    if uid != os.getuid():
        log.warning("refused a connection from uid %d", uid)
        return None
    data = bytearray()
    while len(data) < _REQUEST_LIMIT and (chunk := conn.recv(65536)):
        data += chunk
    try:
        return json.loads(data)
    except ValueError:
        log.warning("refused a request that is not JSON (%d bytes)", len(data))
        return None


def _child(conn: socket.socket, request: dict) -> None:
    """Become the stage's process: output to the connection, the task's environment and folder, then exit."""
    code = 1
    try:
        os.dup2(conn.fileno(), 1)
        os.dup2(conn.fileno(), 2)
        conn.close()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        logging.root.handlers.clear()  # the server's; the stage configures its own
        for name in [m for m in sys.modules if m == "marmot" or m.startswith("marmot.")]:
            del sys.modules[name]  # the server imported marmot.settings and this module: the stage imports today's
        from marmot.orchestration.pipeline import run_to_file

        code = run_to_file(request["stage"], request["home"], request["result_file"], request["given"])
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # the task may have gone: exit all the same
                stream.flush()
        os._exit(code)


if __name__ == "__main__":
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    serve(Path(sys.argv[1]), stage_server_idle_seconds(), *sys.argv[2:3])
