"""Running a test's subprocess as an unprivileged user, so that file permissions hold.

Root ignores file modes, and CI runs as root: there a read-only case would pass for the wrong
reason or be skipped. `as_user` prefixes a command with `setpriv` to the `nobody` user when
this process is root (nothing otherwise); `open_dir` makes a folder it can reach (pytest's own
tmp folders are private to root).
"""
from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from pathlib import Path

USER = "nobody"


def is_root() -> bool:
    return os.name == "posix" and os.geteuid() == 0


def as_user(argv: list[str]) -> list[str]:
    """``argv`` run as ``nobody`` (with its own group, no supplementary groups) when root."""
    if not is_root():
        return list(argv)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise RuntimeError("setpriv (util-linux) is needed to run a test as an unprivileged user")
    gid = pwd.getpwnam(USER).pw_gid
    return [setpriv, f"--reuid={USER}", f"--regid={gid}", "--clear-groups", "--", *argv]


def open_dir(prefix: str = "hintmt-unpriv-") -> Path:
    """A new folder under the system temp folder, readable (not writable) by everyone, inside a
    parent anyone can enter; the caller removes it (``shutil.rmtree``)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path
