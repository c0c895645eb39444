from tests.identity_providers.fixtures import oidc_provider, oidc_settings  # noqa: F401
