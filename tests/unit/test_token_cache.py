"""Verified tokens are cached until they expire; a cached answer equals a fresh verification."""
import time

import jwt
import pytest

from shared.http.auth import TokenVerifier, mint_dev_token
from shared.http.problems import Problem

KEY = "unit-key-" + "u" * 40


def counting_verifier(monkeypatch):
    verifier = TokenVerifier(dev_key=KEY)
    calls = []
    original = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: (calls.append(1), original(*a, **k))[1])
    return verifier, calls


def test_a_token_is_verified_once_while_it_is_valid(monkeypatch):
    verifier, calls = counting_verifier(monkeypatch)
    token = mint_dev_token(key=KEY, subject="op", roles=["operator"], tenants=["pollino"])
    first = verifier.verify(token)
    for _ in range(50):
        assert verifier.verify(token) == first
    assert len(calls) == 1
    assert first.roles_in("pollino") == frozenset({"operator"})


def test_an_expired_token_is_refused_even_after_it_was_cached(monkeypatch):
    verifier, calls = counting_verifier(monkeypatch)
    token = mint_dev_token(key=KEY, subject="op", roles=["operator"], tenants=["pollino"], ttl_seconds=1)
    verifier.verify(token)
    time.sleep(2.1)  # past the token's exp (whole seconds)
    with pytest.raises(Problem) as refused:
        verifier.verify(token)
    assert refused.value.code == 401
    assert len(calls) == 2  # the cache did not answer for an expired token


def test_a_bad_token_is_never_cached(monkeypatch):
    verifier, calls = counting_verifier(monkeypatch)
    forged = mint_dev_token(key="another-key-" + "x" * 40, subject="op", roles=["regional-admin"], tenants=[])
    for _ in range(3):
        with pytest.raises(Problem):
            verifier.verify(forged)
    assert len(calls) == 3
