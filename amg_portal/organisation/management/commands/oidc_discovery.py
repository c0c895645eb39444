"""Print the OIDC_* settings for a provider, read from its discovery document."""

from __future__ import annotations

import requests
from django.core.management.base import BaseCommand, CommandError

SUFFIX = "/.well-known/openid-configuration"
FIELDS = {
    "OIDC_ISSUER": "issuer",
    "OIDC_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_USERINFO_ENDPOINT": "userinfo_endpoint",
    "OIDC_JWKS_ENDPOINT": "jwks_uri",
}


class Command(BaseCommand):
    help = "Read a provider's OpenID Connect discovery document and print the OIDC_* settings."

    def add_arguments(self, parser):
        parser.add_argument("issuer", help="the issuer URL, or its discovery document's URL")

    def handle(self, *args, issuer: str, **options):
        url = issuer if issuer.endswith(SUFFIX) else issuer.rstrip("/") + SUFFIX
        try:
            response = requests.get(url, timeout=10)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise CommandError(f"Could not read {url}: {exc}") from exc
        missing = [
            key for key in FIELDS.values() if key != "userinfo_endpoint" and key not in document
        ]
        if missing:
            raise CommandError(f"{url} lacks {', '.join(missing)}; is it a discovery document?")
        if document["issuer"].rstrip("/") != url.removesuffix(SUFFIX).rstrip("/"):
            self.stderr.write(f"Note: the document names the issuer {document['issuer']}.")
        for name, key in FIELDS.items():
            self.stdout.write(f"{name}={document.get(key, '')}")
        algorithms = document.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithm = "RS256" if "RS256" in algorithms else algorithms[0]
        self.stdout.write(f"OIDC_SIGN_ALGORITHM={algorithm}")
