"""The Debian packages `make test` installs are the ones the suite uses.

scripts/system-deps.txt names each package with the programs the suite runs from it, and
scripts/install-system-deps.sh (run by `make test`) installs a package when one of its programs is
missing. Here every program the suite's code runs is found in the source, traced to the Debian
package that owns it (dpkg), and that package must be listed (or pulled in by a listed one, or be
part of the bootstrap set a machine needs to run `make` at all).
"""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

from tests.conftest import CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT / "scripts" / "system-deps.txt"
# What must exist before `make test` can run at all (Debian itself, make, a shell).
BOOTSTRAP = {"make", "bash", "dash", "coreutils", "sudo", "dpkg"}

PY_CALL = re.compile(
    r"(?:subprocess\.\w+|Popen|run)\(\s*\[\s*\"([\w./-]+)\"|shutil\.which\(\"([\w./-]+)\"\)"
)
SH_PG_CALL = re.compile(r"\$pg_bin/(\w+)")
# Programs named by their path (CHROMIUM, the SAML identity provider's xmlsec1).
PY_PATH = re.compile(r"\"(/usr/bin/[\w.-]+)\"")


def listed() -> dict[str, list[str]]:
    packages = {}
    for line in LIST.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            package, _for, *programs = line.split()
            packages[package] = programs
    return packages


def locate(program: str) -> str | None:
    """Where the suite finds ``program``: PostgreSQL's bin directory first (with-postgres.sh)."""
    if program.startswith("/"):
        return next(iter(sorted(glob.glob(program))), None)
    in_pg_bin = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{program}"))
    return in_pg_bin[-1] if in_pg_bin else shutil.which(program)


@cache
def owner(path: str) -> str:
    result = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True, check=False)
    if result.returncode != 0:  # e.g. /usr/bin/x is a symlink dpkg knows by its target
        real = str(Path(path).resolve())
        result = subprocess.run(["dpkg", "-S", real], capture_output=True, text=True, check=True)
    owners = [line for line in result.stdout.splitlines() if not line.startswith("diversion ")]
    return owners[0].split(":")[0].strip()


@cache
def depends(package: str) -> set[str]:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Depends}", package], capture_output=True, text=True, check=False
    )
    names = re.findall(r"(?:^|[,|]\s*)([a-z0-9][a-z0-9.+-]*)", result.stdout)
    return set(names)


def closure(packages: set[str]) -> set[str]:
    """``packages`` and what they pull in (postgresql → postgresql-15 → postgresql-client-15)."""
    packages = set(packages)
    for _ in range(2):
        packages |= {dep for package in list(packages) for dep in depends(package)}
    return packages


def programs_the_suite_runs() -> set[str]:
    found = {CHROMIUM}
    for path in [*ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/**/*.py")]:
        for match in PY_CALL.finditer(path.read_text()):
            found.add(match.group(1) or match.group(2))
        found |= set(PY_PATH.findall(path.read_text()))
    for path in ROOT.glob("scripts/*.sh"):
        found |= set(SH_PG_CALL.findall(path.read_text()))
    # The project's own tools, run through the virtualenv, are not Debian packages.
    return {p for p in found if not p.startswith((".venv", "manage.py", "scripts/")) and p != "git"}


def test_every_listed_program_comes_from_its_listed_package():
    for package, programs in listed().items():
        for program in programs:
            path = locate(program)
            assert path, f"{program} is missing: run scripts/install-system-deps.sh"
            assert owner(path) in closure({package}), (
                f"{program} comes from {owner(path)}, not from {package}"
            )


def test_every_program_the_suite_runs_is_installed_by_the_set_up():
    allowed = closure(set(listed())) | BOOTSTRAP
    runs = programs_the_suite_runs()
    # The scan finds real calls.
    assert {"initdb", "pdftotext", "msgfmt", CHROMIUM, "/usr/bin/xmlsec1"} <= runs
    for program in sorted(runs):
        path = locate(program)
        assert path, f"the suite runs {program}, which is not installed"
        assert owner(path) in allowed, (
            f"the suite runs {program} from Debian package {owner(path)}, "
            "which scripts/system-deps.txt does not list"
        )
