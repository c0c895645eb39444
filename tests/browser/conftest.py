import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.browser)


from tests.identity_providers.fixtures import (  # noqa: E402, F401
    oidc_provider,
    oidc_settings,
    saml_idp_process,
    saml_keys,
)
