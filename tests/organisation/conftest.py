from tests.identity_providers.fixtures import (  # noqa: F401
    oidc_provider,
    oidc_settings,
    saml_idp,
    saml_keys,
    saml_settings,
)
