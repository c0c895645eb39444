"""Fixtures of the browser journeys: the demo data each journey starts from, and the screenshot
folder. Every journey runs against ``live_server``, so its data is committed (transactional_db)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from amg_portal.organisation.demo import DemoOrganisation, seed_organisation
from kortlaegning import demo as kortlaegning_demo
from tests.browser.helpers import SHOTS
from tests.identity_providers.fixtures import (  # noqa: F401
    oidc_provider,
    oidc_settings,
    saml_idp_process,
    saml_keys,
)

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    # The hook sees the whole session's items, not just this folder's.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def shots():
    """Where screenshots go (test-results/screenshots/)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def demo_organisation(transactional_db) -> DemoOrganisation:
    """The demo organisation: its units and one user per role (amg_portal/organisation/demo.py)."""
    return seed_organisation()


@pytest.fixture
def demo_mapping(demo_organisation) -> DemoOrganisation:
    """The demo organisation with the demo's mapping rounds (open, closed, published)."""
    kortlaegning_demo.seed(demo_organisation)
    return demo_organisation


@pytest.fixture
def demo_everything(transactional_db) -> None:
    """Everything `make run` shows: ``manage.py seed_demo``."""
    call_command("seed_demo", stdout=StringIO())
