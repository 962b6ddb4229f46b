"""A vCard file in Home Assistant's configuration folder, read safely.

No Home Assistant import; every function here blocks (run it in an
executor). The path is relative to the configuration folder and must stay
inside it: no absolute path, no `..`, no link that leads out, and never
`secrets.yaml` or `.storage` (they hold credentials). The content is never
logged, nor put in an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

# vCard exports of a few thousand contacts with photos stay below this.
MAX_FILE_SIZE: Final = 10 * 1024 * 1024
_REFUSED_PARTS: Final = frozenset({".storage", "secrets.yaml", ".cloud"})


class PhonebookFileError(Exception):
    """A phonebook file that cannot be used; `reason` is a translation key."""

    def __init__(self, reason: str) -> None:
        """Remember why (`outside`, `refused`, `missing`, `too_big`, `unreadable`)."""
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What tells that a file changed: its modification time and size."""

    mtime_ns: int
    size: int


def check_relative_path(relative: str) -> PurePosixPath:
    """Refuse a path that names something outside the configuration folder."""
    text = relative.strip().replace("\\", "/")
    path = PurePosixPath(text)
    if not text or path.is_absolute() or ".." in path.parts or ":" in text:
        raise PhonebookFileError("outside")
    if any(part.casefold() in _REFUSED_PARTS for part in path.parts):
        raise PhonebookFileError("refused")
    return path


def resolve(config_dir: str, relative: str) -> Path:
    """Return the file a relative path names, once it is known to stay inside."""
    root = Path(config_dir).resolve()
    target = (root / check_relative_path(relative)).resolve()
    if not target.is_relative_to(root) or target == root:
        raise PhonebookFileError("outside")
    # A link inside may lead to a file we refuse.
    check_relative_path(target.relative_to(root).as_posix())
    return target


def stamp(config_dir: str, relative: str) -> FileStamp:
    """Return the file's modification time and size (cheap: one stat)."""
    try:
        info = resolve(config_dir, relative).stat()
    except FileNotFoundError:
        raise PhonebookFileError("missing") from None
    except OSError:
        raise PhonebookFileError("unreadable") from None
    return FileStamp(info.st_mtime_ns, info.st_size)


def read_file(config_dir: str, relative: str) -> tuple[FileStamp, str]:
    """Read the file's text, at most MAX_FILE_SIZE bytes."""
    path = resolve(config_dir, relative)
    try:
        with path.open("rb") as handle:
            info = path.stat()
            if not path.is_file():
                raise PhonebookFileError("unreadable")
            if info.st_size > MAX_FILE_SIZE:
                raise PhonebookFileError("too_big")
            data = handle.read(MAX_FILE_SIZE + 1)
    except FileNotFoundError:
        raise PhonebookFileError("missing") from None
    except (OSError, ValueError):
        raise PhonebookFileError("unreadable") from None
    if len(data) > MAX_FILE_SIZE:
        raise PhonebookFileError("too_big")
    return FileStamp(info.st_mtime_ns, info.st_size), data.decode("utf-8", "replace")
