"""Minutes on the real PostgreSQL: drafted and edited by the table's coordinator, approved (who, when),
then immutable (every write 409, the database refuses it too); corrections are new numbered versions
naming the version they correct; drafts hidden from everyone but the table's managers; events carry
numbers and ids, never the text."""
from __future__ import annotations

import psycopg
import pytest

from tests.integration.test_consultation_sessions import COORDINATOR, World, later, world  # noqa: F401 (fixture)

TEXT = "# Verbale\n\nPresenti: ODV Amici del Pollino, Cooperativa Il Sentiero.\n\nSi discute dei bisogni."
AS_COORDINATOR = {"sub": COORDINATOR, "roles": ("coordinator",)}


def held_session(world: World) -> dict:
    session = world.session(world.table(), starts=later(hours=-3))
    world.ok("POST", f"/sessions/{session['id']}/hold", headers={"If-Match": '"1"'})
    return session


def test_draft_edit_approve_then_immutable(world):
    session = held_session(world)
    path = f"/sessions/{session['id']}/minutes"
    # minutes need a held session
    scheduled = world.session(world.table())
    response = world.call("POST", f"/sessions/{scheduled['id']}/minutes", body={"body": TEXT})
    assert response.status_code == 409 and response.get_json()["type"].endswith("/session-state")
    assert world.call("POST", path, sub="altro", roles=("coordinator",), body={"body": TEXT}).status_code == 403
    draft = world.ok("POST", path, 201, body={"body": TEXT}, **AS_COORDINATOR).get_json()
    assert (draft["number"], draft["status"], draft["corrects"]) == (1, "draft", None)
    assert world.call("POST", path, body={"body": "Un altro"}, **AS_COORDINATOR).get_json()["type"].endswith(
        "/minutes-exist")
    # drafts are the managers' only
    assert world.ok("GET", path, roles=("auditor",)).get_json() == {"items": [], "in_force": None}
    assert world.call("GET", f"{path}/1", roles=("stakeholder",), sub="rappresentante").status_code == 404
    edited = world.ok("PATCH", f"{path}/1", body={"body": TEXT + "\n\nChiusura alle 19."},
                      headers={"If-Match": '"1"'}, **AS_COORDINATOR)
    assert edited.headers["ETag"] == '"2"'
    assert world.call("POST", f"{path}/1/approve", headers={"If-Match": '"1"'}, **AS_COORDINATOR).status_code == 412
    approved = world.ok("POST", f"{path}/1/approve", headers={"If-Match": '"2"'}, **AS_COORDINATOR).get_json()
    assert (approved["status"], approved["approved_by"]) == ("approved", COORDINATOR) and approved["approved_at"]
    # approved: every write refused with 409, whatever the ETag
    for method, suffix, body in (("PATCH", "/1", {"body": "Modifica"}), ("POST", "/1/approve", None)):
        for etag in ('"3"', '"1"'):
            response = world.call(method, path + suffix, body=body, headers={"If-Match": etag}, **AS_COORDINATOR)
            assert response.status_code == 409 and response.get_json()["type"].endswith("/minutes-approved")
    public = world.ok("GET", path, roles=("stakeholder",), sub="rappresentante").get_json()
    assert [m["number"] for m in public["items"]] == [1] and public["in_force"] == 1
    assert public["items"][0]["body"].endswith("Chiusura alle 19.")
    # the database refuses it too, whatever code tries
    with pytest.raises(psycopg.errors.IntegrityConstraintViolation):
        world.sql("UPDATE minutes SET body = 'x' WHERE session_id = %s", (session["id"],))
    with pytest.raises(psycopg.errors.IntegrityConstraintViolation):
        world.sql("DELETE FROM minutes WHERE session_id = %s", (session["id"],))


def test_a_correction_is_a_new_numbered_version_naming_what_it_corrects(world):
    session = held_session(world)
    path = f"/sessions/{session['id']}/minutes"
    world.ok("POST", path, 201, body={"body": TEXT}, **AS_COORDINATOR)
    # no correction of a draft
    response = world.call("POST", path, body={"body": "Rettifica", "corrects": 1, "reason": "Refuso"},
                          **AS_COORDINATOR)
    assert response.status_code == 409 and response.get_json()["type"].endswith("/minutes-draft-pending")
    world.ok("POST", f"{path}/1/approve", headers={"If-Match": '"1"'}, **AS_COORDINATOR)
    # corrects and reason go together
    assert world.call("POST", path, body={"body": "Rettifica", "corrects": 1}, **AS_COORDINATOR).status_code == 422
    correction = world.ok("POST", path, 201, body={
        "body": TEXT.replace("bisogni", "bisogni e delle risorse"), "corrects": 1,
        "reason": "Il punto 2 dell'ordine del giorno riguardava anche le risorse"}, **AS_COORDINATOR).get_json()
    assert (correction["number"], correction["corrects"], correction["status"]) == (2, 1, "draft")
    world.ok("POST", f"{path}/2/approve", headers={"If-Match": '"1"'}, **AS_COORDINATOR)
    # only the version in force can be corrected
    response = world.call("POST", path, body={"body": "x", "corrects": 1, "reason": "y"}, **AS_COORDINATOR)
    assert response.status_code == 409 and response.get_json()["type"].endswith("/minutes-not-in-force")
    listed = world.ok("GET", path, roles=("regional-admin",)).get_json()
    assert [(m["number"], m["corrects"], m["status"]) for m in listed["items"]] == [
        (1, None, "approved"), (2, 1, "approved")]
    assert listed["in_force"] == 2 and listed["items"][1]["reason"].startswith("Il punto 2")
    events = [(t.rsplit(".", 2)[-2], d["number"], d["corrects"]) for t, _s, d in world.outbox()
              if ".minutes." in t]
    assert events == [("drafted", 1, None), ("approved", 1, None), ("corrected", 2, 1), ("approved", 2, 1)]
    # the text and the reason stay out of the events
    assert not any("bisogni" in str(d) or "risorse" in str(d) for t, _s, d in world.outbox() if ".minutes." in t)
