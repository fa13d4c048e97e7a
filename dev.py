#!/usr/bin/env python3
"""One entry point for people: ``python3 dev.py demo`` and ``python3 dev.py test``.

Creates ``.venv`` with the project installed (editable, with test extras) on
first use, and again whenever ``setup.py`` changes, then runs the command in
it. Needs only Python 3.11+ and network access to PyPI the first time.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def ensure_env() -> None:
    if sys.version_info < (3, 11):
        sys.exit("Python 3.11 or newer is needed")
    wanted = hashlib.sha256((ROOT / "setup.py").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and (BIN / "ydt").exists():
        return
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    print("installing the project into .venv ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test", "ydt"):
        print(__doc__)
        print("usage: python3 dev.py demo [--host H] [--port P] | test [pytest args] | ydt <command>")
        return 2
    ensure_env()
    command, rest = argv[0], argv[1:]
    if command == "test":
        args = [str(BIN / "python"), "-m", "pytest", *rest]
    elif command == "demo":
        args = [str(BIN / "ydt"), "demo", *rest]
    else:
        args = [str(BIN / "ydt"), *rest]
    return subprocess.call(args, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
