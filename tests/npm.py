"""Installing a test folder's npm dependencies on first use (ical.js for the calendar tests, axe-core for the browser tests).

Each folder keeps a ``package.json`` and a ``package-lock.json``; ``node_modules``
is created beside them at the first test that needs it and is never committed.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path


class NpmError(RuntimeError):
    """npm is missing or the installation failed."""


def ensure_npm_package(folder: Path, package: str) -> Path:
    """Install ``folder``'s npm dependencies if ``package`` is missing; return ``folder/node_modules/package``.

    ``npm ci`` when a lock file is present (exact, reproducible), otherwise
    ``npm install --no-package-lock``. A file lock keeps parallel pytest-xdist
    workers from installing into the same folder at the same time.
    """
    folder = folder.resolve()
    installed = folder / "node_modules" / package
    marker = installed / "package.json"
    if marker.exists():
        return installed
    npm = shutil.which("npm")
    if npm is None:
        raise NpmError(f"{package}: npm is not installed (apt-get install npm, see .ci/)")
    lock_name = "planner-npm-" + hashlib.sha256(str(folder).encode()).hexdigest()[:12] + ".lock"
    with open(Path(tempfile.gettempdir()) / lock_name, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            if (folder / "package-lock.json").exists():
                command = [npm, "ci", "--no-audit", "--no-fund"]
            else:
                command = [npm, "install", "--no-audit", "--no-fund", "--no-package-lock"]
            result = subprocess.run(command, cwd=folder, capture_output=True, timeout=300, check=False)
            if result.returncode != 0 or not marker.exists():
                raise NpmError(f"{package}: {' '.join(command)} in {folder} failed:\n" + result.stderr.decode("utf-8", "replace"))
    return installed
