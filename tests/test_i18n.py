"""Every UI string is translatable, and the Danish catalogues are complete and up to date."""

import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(
    p.relative_to(ROOT)
    for p in ROOT.glob("**/locale/da/LC_MESSAGES/django.po")
    if ".venv" not in p.parts
)


def msgids(path: Path) -> set[str]:
    return {e.msgid for e in polib.pofile(str(path)) if not e.obsolete}


def test_there_is_a_catalogue_for_the_project_and_each_app():
    assert {str(p.parts[0]) for p in CATALOGUES} >= {
        "locale",
        "kortlaegning",
        "sten_i_skoen",
        "handlingsplan",
    }
    for path in CATALOGUES:
        assert (ROOT / str(path).replace("/da/", "/en/")).is_file(), path


@pytest.mark.parametrize("path", CATALOGUES, ids=str)
def test_every_danish_string_is_translated(path):
    po = polib.pofile(str(ROOT / path))
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags and e.msgid]
    assert not untranslated, f"{path}: untranslated {untranslated}"
    assert not fuzzy, f"{path}: fuzzy {fuzzy}"


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory) -> Path:
    """Run `make makemessages` in a copy of the project and return the copy."""
    if not shutil.which("msgfmt") or not shutil.which("make"):
        pytest.fail("gettext and make are needed: apt-get install gettext make")
    copy = tmp_path_factory.mktemp("i18n") / "project"
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "staticfiles", "test-results", "*.mo", "__pycache__", "db.sqlite3"
    )
    shutil.copytree(ROOT, copy, ignore=ignore)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    env = {**os.environ, "DEBUG": "true"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "makemessages"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return copy


@pytest.mark.parametrize("path", CATALOGUES, ids=str)
def test_the_catalogue_holds_every_string_in_the_code(fresh_catalogues, path):
    committed = msgids(ROOT / path)
    current = msgids(fresh_catalogues / path)
    missing = sorted(current - committed)
    assert not missing, f"{path} lacks strings: run `make makemessages` and translate {missing}"


def test_one_english_string_means_one_danish_string_across_catalogues():
    """Django merges all catalogues and the first app's translation wins for a shared msgid, so the
    same msgid (and context) must not be translated differently in two catalogues: give one of them
    a context (`pgettext` / `{% translate "…" context "…" %}`)."""
    meanings: dict[tuple, dict[str, str]] = {}
    for path in CATALOGUES:
        for e in polib.pofile(str(ROOT / path)):
            if e.obsolete or not e.msgid:
                continue
            value = e.msgstr if not e.msgid_plural else repr(sorted(e.msgstr_plural.items()))
            key = (e.msgctxt, e.msgid, bool(e.msgid_plural))
            meanings.setdefault(key, {})[str(path.parts[0])] = value
    conflicts = {k: v for k, v in meanings.items() if len(set(v.values())) > 1}
    assert not conflicts, conflicts
