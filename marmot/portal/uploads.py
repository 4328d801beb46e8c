"""A partner's upload: kept privately while it is pre-checked, then landed atomically in
``landing/<partner>/<dataset>/`` (the landing watcher takes it from there), then followed to its receipt.

The name a partner's browser sends is never a path: only its last part is kept, reduced to letters, digits,
``-``, ``_`` and ``.``, shortened, and prefixed with the time it came. The landing folder is walked one folder at
a time with ``O_NOFOLLOW`` (a link planted as a partner's or dataset's folder is refused), the file is written
under a temporary ``.<name>.tmp`` in its dataset folder (ingest never takes those) and renamed into place."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from marmot.atomic import PRIVATE, private_dirs, write_text
from marmot.contracts import Contract
from marmot.ingest import ledger
from marmot.settings import Paths, portal_max_upload_mb

NAME_CHARS = 80
UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
CHUNK = 1 << 20
KEEP_UNSENT = timedelta(hours=1)  # an upload not sent within this is deleted (it may hold personal data)


class UploadRefused(ValueError):
    """The upload is refused before any check (too large, no file)."""


@dataclass
class Upload:
    upload_id: str
    partner: str
    dataset: str
    username: str
    name: str  # the safe name it is checked and landed under
    sent_name: str  # as the browser sent it (shown escaped, never used as a path)
    sha256: str
    bytes: int
    uploaded_at: str
    precheck: dict = field(default_factory=dict)
    landed_name: str | None = None
    landed_at: str | None = None

    @property
    def contract_id(self) -> str:
        return f"{self.partner}__{self.dataset}"


def limit_bytes(contract: Contract) -> int:
    """The largest file taken for a dataset: its contract's ``limits.max_uncompressed_mb`` (a file's bytes are at
    most its unpacked size), at most ``MARMOT_PORTAL_MAX_UPLOAD_MB``."""
    return min(contract.limits.max_uncompressed_mb, portal_max_upload_mb()) * 1_000_000


def safe_name(sent: str | None) -> str:
    """A file name safe anywhere: the last part of what was sent (either slash), NFKC, control characters and
    anything but letters, digits, ``-``, ``_``, ``.`` replaced, no leading dot, the stem shortened, the extension
    kept (lower case) so ingest knows the format."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFKC", sent or ""))[-1]
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._-") or "upload"
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = base, ""
    stem = stem[:NAME_CHARS].strip("._-") or "upload"
    return f"{stem}.{ext.lower()}" if ext else stem


def folder(paths: Paths, upload_id: str) -> Path:
    if not UPLOAD_ID.fullmatch(upload_id):
        raise KeyError(upload_id)
    return paths.portal / "uploads" / upload_id


def receive(paths: Paths, contract: Contract, username: str, sent_name: str | None, source: BinaryIO) -> Upload:
    """Keep the uploaded bytes privately (hashed on the way), refusing more than ``limit_bytes``."""
    forget_unsent(paths)
    upload_id = secrets.token_hex(16)
    here = private_dirs(paths.portal, "uploads", upload_id)
    name = safe_name(sent_name)
    target, digest, size, limit = here / name, hashlib.sha256(), 0, limit_bytes(contract)
    with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE), "wb") as out:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > limit:
                out.close()
                shutil.rmtree(here)
                raise UploadRefused(f"The file is larger than the {limit // 1_000_000} MB this dataset takes. "
                                    "Send one file per period, or ask the data team to raise the limit.")
            digest.update(chunk)
            out.write(chunk)
    if size == 0 and not sent_name:
        shutil.rmtree(here)
        raise UploadRefused("No file was chosen.")
    upload = Upload(upload_id, contract.partner, contract.dataset, username, name, sent_name or "",
                    digest.hexdigest(), size, datetime.now(UTC).isoformat(timespec="seconds"))
    save(paths, upload)
    return upload


def file_of(paths: Paths, upload: Upload) -> Path:
    return folder(paths, upload.upload_id) / upload.name


def save(paths: Paths, upload: Upload) -> None:
    write_text(folder(paths, upload.upload_id) / "upload.json", json.dumps(asdict(upload), indent=2), PRIVATE)


def load(paths: Paths, upload_id: str) -> Upload | None:
    try:
        return Upload(**json.loads((folder(paths, upload_id) / "upload.json").read_text(encoding="utf-8")))
    except (KeyError, FileNotFoundError):
        return None


def recent(paths: Paths, limit: int = 50) -> list[Upload]:
    """The latest uploads of every partner, newest first (the data team's page)."""
    found = []
    for record in (paths.portal / "uploads").glob("*/upload.json"):
        try:
            found.append(Upload(**json.loads(record.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError):
            continue
    return sorted(found, key=lambda u: u.uploaded_at, reverse=True)[:limit]


def forget_unsent(paths: Paths) -> None:
    """Delete the bytes of uploads never sent within ``KEEP_UNSENT`` (their record stays)."""
    cutoff = datetime.now(UTC) - KEEP_UNSENT
    for record in (paths.portal / "uploads").glob("*/upload.json"):
        try:
            upload = Upload(**json.loads(record.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            continue
        if upload.landed_name is None and datetime.fromisoformat(upload.uploaded_at) < cutoff:
            (record.parent / upload.name).unlink(missing_ok=True)


@contextmanager
def _folder_fd(path: Path, dir_fd: int | None = None) -> Iterator[int]:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        yield fd
    finally:
        os.close(fd)


def _subfolder(parent: int, name: str) -> int:
    """Open (made if missing) folder ``name`` of the folder ``parent``, never through a link."""
    with suppress(FileExistsError):
        os.mkdir(name, 0o755, dir_fd=parent)
    try:
        return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise UploadRefused(f"the landing folder '{name}' is not a plain folder (a link?); "
                                "the data team has to look at it") from None
        raise


def land(paths: Paths, upload: Upload) -> str:
    """Land the upload as ``landing/<partner>/<dataset>/<time>_<id>_<name>``: written under a temporary name in that
    folder, then renamed; returns the landed name. The private copy is deleted."""
    if upload.landed_name:
        return upload.landed_name
    now = datetime.now(UTC)
    name = f"{now:%Y%m%dT%H%M%S}_{upload.upload_id[:6]}_{upload.name}"
    tmp = f".{name}.tmp"
    paths.landing.mkdir(parents=True, exist_ok=True)
    source = file_of(paths, upload)
    with _folder_fd(paths.landing) as landing:
        partner_fd = _subfolder(landing, upload.partner)
        try:
            dataset_fd = _subfolder(partner_fd, upload.dataset)
        finally:
            os.close(partner_fd)
        try:
            with open(source, "rb") as src, open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                                                         | os.O_CLOEXEC, 0o640, dir_fd=dataset_fd), "wb") as out:
                shutil.copyfileobj(src, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            try:
                os.stat(name, dir_fd=dataset_fd, follow_symlinks=False)
                raise UploadRefused(f"{name} is in the landing folder already")
            except FileNotFoundError:
                pass
            os.rename(tmp, name, src_dir_fd=dataset_fd, dst_dir_fd=dataset_fd)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(tmp, dir_fd=dataset_fd)
            raise
        finally:
            os.close(dataset_fd)
    source.unlink(missing_ok=True)
    upload.landed_name, upload.landed_at = name, now.isoformat(timespec="seconds")
    save(paths, upload)
    return name


def receipt_of(paths: Paths, upload: Upload) -> ledger.Entry | None:
    """The ledger record ingest made of the landed file (same dataset, same name and content), once there is one."""
    if not upload.landed_name:
        return None
    found = ledger.read_all(paths.ledger, upload.partner, upload.dataset, f"-{upload.sha256[:12]}",
                            where=lambda r: r["sha256"] == upload.sha256 and r["original_name"] == upload.landed_name)
    return found[-1] if found else None
