"""How apply_rows groups a batch's rows into statements (shared.consumer.rows.plan), without a database.

A batch whose events each write two tables alternates shapes; the plan must give one group per
shape where that keeps the result of writing the rows in order, and split where it would not.
"""
from __future__ import annotations

from shared.consumer.rows import Delete, Links, Upsert, plan, statement

# table_members -> organisations (organisation_id), and a table with a trigger
LINKS = Links(parents={"table_members": {"organisations": frozenset({"organisation_id"})}},
              opaque=frozenset({"minutes"}))


def groups(rows, links=LINKS):
    """The plan as (kind, table, [first key value of each row]) per group, in the order written."""
    return [(shape[0], shape[1], [p[0] for p in params])
            for shape, params in plan([statement(r) for r in rows], links)]


def fact(i, version=1):
    return Upsert("stakeholder_facts", key={"id": i}, values={"version": version}, newer_than="version")


def history(i, version=1):
    return Upsert("stakeholder_history", key={"id": i, "version": version}, values={"status": "active"})


def organisation(i):
    return Upsert("organisations", key={"organisation_id": i}, values={"name": f"o{i}"})


def member(i, organisation_id):
    return Upsert("table_members", key={"id": i}, values={"organisation_id": organisation_id})


def test_alternating_tables_become_one_statement_each_in_order_of_first_appearance():
    rows = [row for i in range(500) for row in (fact(i), history(i))]
    assert groups(rows) == [("upsert", "stakeholder_facts", list(range(500))),
                            ("upsert", "stakeholder_history", list(range(500)))]


def test_rows_of_one_shape_keep_their_order():
    rows = [row for i in (5, 3, 9, 1) for row in (history(i), fact(i))]
    assert groups(rows) == [("upsert", "stakeholder_history", [5, 3, 9, 1]),
                            ("upsert", "stakeholder_facts", [5, 3, 9, 1])]


def test_a_key_twice_starts_a_new_group_after_the_rows_between():
    # The newer_than guard needs no order, but a plain upsert's last version must win, and one
    # INSERT ... ON CONFLICT cannot touch a row twice: the second version goes after the first.
    rows = [fact(1, 1), history(1, 1), fact(2), history(2), fact(1, 2), history(1, 2), fact(3), history(3)]
    assert groups(rows) == [("upsert", "stakeholder_facts", [1, 2]),
                            ("upsert", "stakeholder_history", [1, 2, 1, 3]),
                            ("upsert", "stakeholder_facts", [1, 3])]


def test_a_parent_upsert_overtakes_children_but_a_child_never_overtakes_a_parent():
    # m1 references an organisation already in the database, m2 the one written just before it.
    rows = [member(1, 100), organisation(7), member(2, 7), organisation(8), member(3, 8)]
    assert groups(rows) == [("upsert", "table_members", [1]),
                            ("upsert", "organisations", [7, 8]),
                            ("upsert", "table_members", [2, 3])]


def test_a_parent_upsert_on_another_key_than_the_referenced_one_stays_behind_children():
    by_name = Upsert("organisations", key={"name": "o8"}, values={"organisation_id": 8})
    by_name_too = Upsert("organisations", key={"name": "o9"}, values={"organisation_id": 9})
    rows = [by_name, member(1, 7), by_name_too]
    assert groups(rows) == [("upsert", "organisations", ["o8"]), ("upsert", "table_members", [1]),
                            ("upsert", "organisations", ["o9"])]


def test_a_delete_moves_across_no_row_of_its_table():
    rows = [fact(1), history(1), Delete("stakeholder_facts", key={"id": 2}), history(2),
            Delete("stakeholder_facts", key={"id": 3}), fact(2), history(3)]
    assert groups(rows) == [("upsert", "stakeholder_facts", [1]),
                            ("upsert", "stakeholder_history", [1, 2, 3]),  # another table: overtakes
                            ("delete", "stakeholder_facts", [2, 3]),
                            ("upsert", "stakeholder_facts", [2])]


def test_a_delete_on_a_linked_table_is_not_overtaken():
    rows = [organisation(1), Delete("table_members", key={"id": 5}), organisation(2)]
    assert groups(rows) == [("upsert", "organisations", [1]), ("delete", "table_members", [5]),
                            ("upsert", "organisations", [2])]


def test_unrelated_deletes_and_upserts_are_grouped():
    rows = [Delete("stakeholder_facts", key={"id": 1}), history(1), Delete("stakeholder_facts", key={"id": 2})]
    assert groups(rows) == [("delete", "stakeholder_facts", [1, 2]), ("upsert", "stakeholder_history", [1])]


def test_a_table_with_a_trigger_or_a_self_reference_keeps_the_order():
    minutes = [Upsert("minutes", key={"id": i}, values={"text": "x"}) for i in (1, 2)]
    assert groups([minutes[0], history(1), minutes[1]]) == [
        ("upsert", "minutes", [1]), ("upsert", "stakeholder_history", [1]), ("upsert", "minutes", [2])]
    tree = Links(parents={"proposals": {"proposals": frozenset({"id"})}})
    status = [Upsert("proposals", key={"id": i}, values={"status": "s"}) for i in (1, 2)]
    content = Upsert("proposals", key={"id": 3}, values={"merged_into": 1})
    assert groups([status[0], content, status[1]], tree) == [
        ("upsert", "proposals", [1]), ("upsert", "proposals", [3]), ("upsert", "proposals", [2])]


def test_two_shapes_of_one_table_keep_the_order_of_each_key():
    # A proposal snapshot: the status row first (it may insert), then the content row of the same key.
    def status(i):
        return Upsert("replica_proposals", key={"id": i}, values={"status": "s"}, newer_than="version")

    def content(i):
        return Upsert("replica_proposals", key={"id": i}, values={"text": "t"}, newer_than="content_version")

    planned = plan([statement(r) for r in (status(1), content(1), status(2), content(2), content(1))], LINKS)
    assert [(shape[3], [p[0] for p in params]) for shape, params in planned] == [
        (("status",), [1, 2]), (("text",), [1, 2]), (("text",), [1])]
