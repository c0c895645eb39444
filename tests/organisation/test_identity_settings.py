"""Single sign-on settings: a half-configured provider stops the start with one clear line."""

from tests.test_settings import assert_one_line_failure, manage

DEV = {"DEBUG": "true"}


def test_oidc_needs_its_addresses():
    result = manage("check", OIDC_CLIENT_ID="amg", **DEV)
    assert_one_line_failure(result, "OIDC_CLIENT_SECRET", "OIDC_ISSUER", "docs/identity.md")


def test_saml_needs_its_metadata_file(tmp_path):
    result = manage("check", SAML_IDP_METADATA_FILE=str(tmp_path / "missing.xml"), **DEV)
    assert_one_line_failure(result, "SAML_IDP_METADATA_FILE", "is not a file")


def test_saml_needs_both_key_and_certificate(tmp_path):
    metadata = tmp_path / "idp.xml"
    metadata.write_text("<x/>")
    result = manage("check", SAML_IDP_METADATA_FILE=str(metadata), SAML_SP_KEY_FILE="/k", **DEV)
    assert_one_line_failure(result, "SAML_SP_KEY_FILE and SAML_SP_CERT_FILE")


def test_a_complete_oidc_configuration_starts():
    result = manage(
        "check",
        OIDC_CLIENT_ID="amg",
        OIDC_CLIENT_SECRET="s",
        OIDC_ISSUER="https://idp.example.org",
        OIDC_AUTHORIZATION_ENDPOINT="https://idp.example.org/a",
        OIDC_TOKEN_ENDPOINT="https://idp.example.org/t",
        OIDC_JWKS_ENDPOINT="https://idp.example.org/k",
        **DEV,
    )
    assert result.returncode == 0, result.stderr
