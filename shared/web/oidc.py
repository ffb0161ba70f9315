"""Login through the region's identity provider: OpenID Connect, authorization code with PKCE (Authlib).

Keycloak is the provider; SPID and CIE reach the suite through its identity brokering (docs/console.md),
so this code sees one provider whatever the citizen used. Authlib keeps the state, the nonce and the
PKCE verifier in the session cookie between the redirect and the callback, checks the state, exchanges
the code with the verifier, and verifies the ID token (signature against the provider's JWKS, issuer,
audience, expiry, nonce). Its claims become the same Principal the API makes of a token
(shared.http.auth.principal_from_claims).
"""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from authlib.integrations.flask_client import OAuth

from shared.http.auth import Principal, principal_from_claims
from shared.web.settings import WebSettings

NAME = "keycloak"


def register(app, web: WebSettings) -> None:
    """Register the provider on `app` (its metadata is fetched from the discovery URL when first needed)."""
    oauth = OAuth(app)
    client_kwargs = {"scope": web.oidc_scopes, "code_challenge_method": "S256"}
    if not web.oidc_client_secret:   # a public client: PKCE alone proves the code is ours
        client_kwargs["token_endpoint_auth_method"] = "none"
    oauth.register(NAME, client_id=web.oidc_client_id, client_secret=web.oidc_client_secret,
                   server_metadata_url=web.oidc_discovery_url, client_kwargs=client_kwargs)
    app.extensions["pdz_oidc"] = oauth


def _client(app):
    return app.extensions["pdz_oidc"].create_client(NAME)


def authorize_redirect(app, redirect_uri: str):
    """302 to the provider's login (state, nonce and PKCE challenge made and kept in the session)."""
    return _client(app).authorize_redirect(redirect_uri, ui_locales="it")


def principal_from_callback(app) -> Principal:
    """The principal of the callback's verified ID token (Authlib's OAuthError or InvalidClaims if not)."""
    token = _client(app).authorize_access_token()
    claims = token.get("userinfo")
    if not claims:
        raise ValueError("the provider answered without an ID token")
    return principal_from_claims(dict(claims))


def end_session_url(app, web: WebSettings, *, after: str) -> str | None:
    """The provider's end-session URL (RP-initiated logout), coming back to `after`; None if it has none."""
    metadata = _client(app).load_server_metadata()
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    query = urlencode({"client_id": web.oidc_client_id, "post_logout_redirect_uri": after, "ui_locales": "it"})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def provider_origin(web: WebSettings) -> str | None:
    """'https://idp.example.org': where the logout form's redirect goes (the CSP's form-action allows it)."""
    if not web.oidc_discovery_url:
        return None
    parts = urlsplit(web.oidc_discovery_url)
    return f"{parts.scheme}://{parts.netloc}"
