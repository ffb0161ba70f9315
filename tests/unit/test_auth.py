import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.http.auth import TokenVerifier, mint_dev_token
from shared.http.problems import Problem

KEY = "test-key-" + "x" * 32


def test_dev_token_round_trip():
    token = mint_dev_token(key=KEY, subject="op1", roles=["operator"], tenants=["pollino"])
    principal = TokenVerifier(dev_key=KEY).verify(token)
    assert principal.subject == "op1"
    assert principal.may_act_on("pollino") and not principal.may_act_on("fasano")


def test_regional_admin_acts_on_every_tenant():
    token = mint_dev_token(key=KEY, subject="r", roles=["regional-admin"], tenants=[])
    assert TokenVerifier(dev_key=KEY).verify(token).may_act_on("anything")


@pytest.mark.parametrize("token", [
    "not-a-jwt",
    mint_dev_token(key="another-key-" + "y" * 32, subject="x", roles=["operator"], tenants=["a"]),
    mint_dev_token(key=KEY, subject="x", roles=["operator"], tenants=["a"], ttl_seconds=-10),
    jwt.encode({"sub": "x", "roles": ["operator"], "tenants": ["a"]}, KEY, algorithm="HS256"),  # no exp
])
def test_bad_tokens_are_401(token):
    with pytest.raises(Problem) as info:
        TokenVerifier(dev_key=KEY).verify(token)
    assert info.value.code == 401


def test_unknown_role_cannot_be_minted():
    with pytest.raises(ValueError):
        mint_dev_token(key=KEY, subject="x", roles=["superuser"], tenants=[])


@pytest.fixture
def jwks_server():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update(kid="k1", use="sig", alg="RS256")
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield private, f"http://127.0.0.1:{server.server_port}/certs"
    server.shutdown()


def test_rs256_tokens_are_verified_against_the_jwks_url(jwks_server):
    private, url = jwks_server
    claims = {"sub": "keycloak-user", "roles": ["auditor"], "tenants": ["potenza"],
              "exp": int(time.time()) + 60, "iss": "https://idp.example/realms/basilicata", "aud": "pdz"}
    token = jwt.encode(claims, private, algorithm="RS256", headers={"kid": "k1"})
    verifier = TokenVerifier(dev_key=None, jwks_url=url, issuer=claims["iss"], audience="pdz")
    principal = verifier.verify(token)
    assert principal.roles == {"auditor"} and principal.may_act_on("potenza")
    # Without a dev key an HS256 token is refused, whatever it claims.
    forged = mint_dev_token(key=KEY, subject="x", roles=["regional-admin"], tenants=[],
                            issuer=claims["iss"], audience="pdz")
    with pytest.raises(Problem):
        verifier.verify(forged)
    # A token for another audience is refused.
    other = jwt.encode({**claims, "aud": "other"}, private, algorithm="RS256", headers={"kid": "k1"})
    with pytest.raises(Problem):
        verifier.verify(other)
