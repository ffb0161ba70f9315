"""Tokens: what they grant where, and every malformed or forged one refused with 401."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.http.auth import (InvalidClaims, TokenVerifier, dev_claims, mint_dev_token,
                              principal_from_claims)
from shared.http.problems import Problem

KEY = "test-key-" + "x" * 32
NOW = 1_800_000_000


def claims(**extra):
    return {"sub": "someone", "exp": NOW + 600, **extra}


def test_dev_token_round_trip():
    token = mint_dev_token(key=KEY, subject="op1", roles=["operator"], tenants=["pollino"])
    principal = TokenVerifier(dev_key=KEY).verify(token)
    assert principal.subject == "op1"
    assert principal.roles_in("pollino") == {"operator"}
    assert principal.may_act_on("pollino") and not principal.may_act_on("fasano")


def test_regional_admin_reads_every_tenant_and_lists_none():
    token = mint_dev_token(key=KEY, subject="r", roles=["regional-admin"])
    principal = TokenVerifier(dev_key=KEY).verify(token)
    assert principal.roles_in("anything") == {"regional-admin"}
    assert jwt.decode(token, KEY, algorithms=["HS256"])["tenants"] == {}


def test_roles_count_only_in_their_own_ambito():
    # Finding 1: regional-admin + operator of potenza was an operator everywhere; operator in A
    # plus stakeholder in B was an operator in B.
    admin_operator = principal_from_claims(claims(roles=["regional-admin"], tenants={"potenza": ["operator"]}),
                                           now=NOW)
    assert admin_operator.roles_in("fasano") == {"regional-admin"}
    assert admin_operator.roles_in("potenza") == {"regional-admin", "operator"}
    mixed = principal_from_claims(claims(tenants={"a": ["operator"], "b": ["stakeholder"]}), now=NOW)
    assert mixed.roles_in("b") == {"stakeholder"}
    assert mixed.roles_in("c") == frozenset()


def test_dev_claims_put_each_role_in_each_tenant_and_the_regional_role_apart():
    assert dev_claims(subject="s", roles=["operator", "regional-admin"], tenants=["a", "b"],
                      grants={"c": ["auditor"]}) == {
        "sub": "s", "roles": ["regional-admin"],
        "tenants": {"a": ["operator"], "b": ["operator"], "c": ["auditor"]}}
    with pytest.raises(ValueError, match="need at least one Ambito"):
        dev_claims(subject="s", roles=["operator"])


def test_an_operator_of_600_ambiti_and_a_regional_admin_fit_in_a_header():
    regional = mint_dev_token(key=KEY, subject="regione", roles=["regional-admin"])
    assert len(regional) < 400
    many = mint_dev_token(key=KEY, subject="op", roles=["operator"], tenants=[f"bench-{i:04d}" for i in range(600)])
    principal = TokenVerifier(dev_key=KEY).verify(many)
    assert principal.roles_in("bench-0599") == {"operator"}


def test_keycloak_groups_and_realm_roles_read_the_same_way():
    principal = principal_from_claims(claims(
        realm_access={"roles": ["offline_access", "regional-admin"]},
        groups=["/ambiti/potenza/operator", "/ambiti/fasano/auditor", "/staff", "/ambiti/x/y/z",
                "/ambiti/potenza/superuser"]), now=NOW)
    assert principal.regional_roles == {"regional-admin"}
    assert principal.roles_in("potenza") == {"operator", "regional-admin"}
    assert principal.roles_in("fasano") == {"auditor", "regional-admin"}
    assert principal.roles_in("x") == {"regional-admin"}


def test_roles_outside_the_vocabulary_grant_nothing():
    principal = principal_from_claims(claims(roles=["operator", "admin"], tenants={"a": ["regional-admin", "root"]}),
                                      now=NOW)
    assert principal.regional_roles == frozenset()  # a per-Ambito role named globally counts nowhere
    assert principal.roles_in("a") == frozenset()
    assert not principal.may_act_on("a")


@pytest.mark.parametrize("bad, message", [
    (claims(realm_access=["regional-admin"]), "realm_access claim must be an object"),  # was a 500
    (claims(realm_access={"roles": "regional-admin"}), "realm_access.roles claim must be a list"),
    (claims(roles="regional-admin"), "roles claim must be a list"),
    (claims(tenants=["potenza"]), "tenants claim must be an object"),
    (claims(tenants={"potenza": "operator"}), "tenants.potenza claim must be a list"),
    (claims(groups="/ambiti/a/operator"), "groups claim must be a list"),
    (claims(sub=""), "sub claim must be a non-empty string"),
    (claims(sub="   "), "sub claim must be a non-empty string"),
    (claims(sub=42), "sub claim must be a non-empty string"),
    (claims(exp=str(NOW + 600)), "exp claim must be an integer"),
    (claims(exp=1e308), "exp claim must be an integer"),
    (claims(exp=float(NOW + 600)), "exp claim must be an integer"),
    (claims(exp=True), "exp claim must be an integer"),
    (claims(exp=NOW + 400 * 86400), "at most 31 days ahead"),
])
def test_malformed_claims_are_refused(bad, message):
    with pytest.raises(InvalidClaims, match=message):
        principal_from_claims(bad, now=NOW)


def signed(payload: dict) -> str:
    return jwt.encode(payload, KEY, algorithm="HS256")


@pytest.mark.parametrize("token", [
    "not-a-jwt",
    mint_dev_token(key="another-key-" + "y" * 32, subject="x", roles=["operator"], tenants=["a"]),
    mint_dev_token(key=KEY, subject="x", roles=["operator"], tenants=["a"], ttl_seconds=-10),
    signed({"sub": "x", "tenants": {"a": ["operator"]}}),                                      # no exp
    signed({"sub": "x", "realm_access": "regional-admin", "exp": int(time.time()) + 60}),      # was a 500
    signed({"sub": "x", "tenants": {"a": ["operator"]}, "exp": str(int(time.time()) + 60)}),  # was accepted
    signed({"sub": "x", "tenants": {"a": ["operator"]}, "exp": 1e308}),                       # was accepted
    signed({"sub": "", "tenants": {"a": ["operator"]}, "exp": int(time.time()) + 60}),        # was accepted
    signed({"sub": "x", "roles": ["operator"], "tenants": ["a"], "exp": int(time.time()) + 60}),  # old shape
    jwt.encode({"sub": "x", "tenants": {}, "exp": int(time.time()) + 60}, None, algorithm="none"),
])
def test_bad_tokens_are_401(token):
    with pytest.raises(Problem) as info:
        TokenVerifier(dev_key=KEY).verify(token)
    assert info.value.code == 401


def test_unknown_role_cannot_be_minted():
    with pytest.raises(ValueError):
        mint_dev_token(key=KEY, subject="x", roles=["superuser"], tenants=["a"])


@pytest.fixture
def jwks_server():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update(kid="k1", use="sig", alg="RS256")
    body = json.dumps({"keys": [jwk]}).encode()
    fetches = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            fetches.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield private, f"http://127.0.0.1:{server.server_port}/certs", fetches
    server.shutdown()


ISSUER = "https://idp.example/realms/basilicata"


def rs256(private, kid="k1", **extra):
    payload = {"sub": "keycloak-user", "groups": ["/ambiti/potenza/auditor"], "exp": int(time.time()) + 60,
               "iss": ISSUER, "aud": "pdz", **extra}
    return jwt.encode(payload, private, algorithm="RS256", headers={"kid": kid})


def test_rs256_tokens_are_verified_against_the_jwks_url(jwks_server):
    private, url, _ = jwks_server
    verifier = TokenVerifier(dev_key=None, jwks_url=url, issuer=ISSUER, audience="pdz")
    principal = verifier.verify(rs256(private))
    assert principal.roles_in("potenza") == {"auditor"}
    # A token for another audience is refused.
    with pytest.raises(Problem):
        verifier.verify(rs256(private, aud="other"))


def test_with_a_jwks_url_hs256_is_refused_even_when_a_dev_key_is_given(jwks_server):
    # Finding 5: with both set, HS256 tokens signed with the (public) dev key were accepted.
    private, url, _ = jwks_server
    verifier = TokenVerifier(dev_key=KEY, jwks_url=url, issuer=ISSUER, audience="pdz")
    forged = mint_dev_token(key=KEY, subject="x", roles=["regional-admin"], issuer=ISSUER, audience="pdz")
    with pytest.raises(Problem) as refused:
        verifier.verify(forged)
    assert refused.value.code == 401


def test_an_unknown_kid_does_not_refetch_the_jwks_on_every_request(jwks_server):
    # Finding 6: each token with an unknown kid made PyJWKClient fetch the whole JWKS again.
    private, url, fetches = jwks_server
    verifier = TokenVerifier(dev_key=None, jwks_url=url, issuer=ISSUER, audience="pdz")
    verifier.verify(rs256(private))
    before = len(fetches)
    for i in range(20):
        with pytest.raises(Problem):
            verifier.verify(rs256(private, kid="rotated-away", sub=f"user-{i}"))
    assert len(fetches) - before <= 1
