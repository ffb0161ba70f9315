"""The catalogue's sharing and merger declarations: the shares they make, and every refusal naming its line."""
from __future__ import annotations

import textwrap
from datetime import date

import pytest

from shared.sharing import EVERYTHING
from shared.tenants import CatalogueError, load_catalogue

SERVER = "postgresql://pdz@127.0.0.1:55432/postgres"

MERGER = """\
tenants:
  - slug: lagonegrese
    name: Ambito Lagonegrese
    region: basilicata
    status: merged
    merged_into: lagonegrese-pollino
    merged_on: 2023-01-01
    merger_reason: "DGR Basilicata n. 1/2023 (esempio)"
  - slug: pollino
    name: Ambito Pollino
    region: basilicata
    shares:
      - to: lagonegrese-pollino
        data: [registry.stakeholders, consultation.needs]
        since: 2020-01-01
  - slug: lagonegrese-pollino
    name: Ambito Lagonegrese-Pollino
    region: basilicata
    merged_from: [lagonegrese, pollino]
  - slug: potenza
    name: Ambito Potenza
    region: basilicata
"""


TENANT = "  - slug: {slug}\n    name: Ambito {slug}\n    region: basilicata\n"


def doc(*tenants: str) -> str:
    return "tenants:\n" + "".join(tenants)


def t(slug: str, extra: str = "") -> str:
    return TENANT.format(slug=slug) + textwrap.indent(textwrap.dedent(extra), "    ")


def load(tmp_path, text: str):
    path = tmp_path / "tenants.yaml"
    path.write_text(textwrap.dedent(text))
    return load_catalogue(path, SERVER)


def refused(tmp_path, text: str, line: int, message: str) -> str:
    with pytest.raises(CatalogueError) as caught:
        load(tmp_path, text)
    error = str(caught.value)
    assert caught.value.line == line, error
    assert f"tenants.yaml line {line}: " in error and message in error, error
    return error


def test_merged_from_implies_everything_and_a_declaration_narrows_it(tmp_path):
    catalogue = load(tmp_path, MERGER)
    lp = {s.origin: s for s in catalogue.sharing.into("lagonegrese-pollino")}
    assert lp["lagonegrese"].data == EVERYTHING and lp["lagonegrese"].implied
    assert lp["lagonegrese"].since == date(2023, 1, 1)   # the implied share starts on merged_on
    assert lp["pollino"].data == ("registry.stakeholders", "consultation.needs") and not lp["pollino"].implied
    assert catalogue.sharing.receivers("pollino", "consultation.tables") == ()
    assert catalogue.sharing.receivers("pollino", "consultation.needs") == ("lagonegrese-pollino",)
    assert catalogue.sharing.out_of("potenza") == () and catalogue.sharing.into("potenza") == ()
    merged = catalogue.get("lagonegrese")
    assert merged.merged and merged.merged_into == "lagonegrese-pollino"
    assert merged.merger_reason.startswith("DGR Basilicata")
    assert not catalogue.get("pollino").merged


def test_a_predecessor_may_refuse_the_implied_share_and_merged_into_is_inferred(tmp_path):
    text = MERGER.replace("    merged_into: lagonegrese-pollino\n", "").replace(
        "    merged_on: 2023-01-01\n", "    merged_on: 2023-01-01\n    share_with_successor: false\n")
    catalogue = load(tmp_path, text)
    assert catalogue.get("lagonegrese").merged_into == "lagonegrese-pollino"
    assert [s.origin for s in catalogue.sharing.into("lagonegrese-pollino")] == ["pollino"]


def test_a_share_dated_in_the_future_is_declared_but_not_in_force(tmp_path):
    catalogue = load(tmp_path, MERGER.replace("since: 2020-01-01", "since: 2999-01-01"))
    assert [s.origin for s in catalogue.sharing.into("lagonegrese-pollino")] == ["lagonegrese"]
    assert len(catalogue.declared.into("lagonegrese-pollino")) == 2
    assert len(catalogue.declared.on(date(2999, 1, 1)).into("lagonegrese-pollino")) == 2


def test_everything_and_two_way_shares_between_active_ambiti_are_allowed(tmp_path):
    text = doc(t("potenza", "shares:\n  - {to: fasano, data: everything}\n"),
               t("fasano", "shares:\n  - {to: potenza, data: [registry.stakeholders]}\n"))
    catalogue = load(tmp_path, text)
    assert catalogue.sharing.receivers("potenza", "budget.interventions") == ("fasano",)
    assert catalogue.sharing.receivers("fasano", "registry.stakeholders") == ("potenza",)
    assert catalogue.sharing.receivers("fasano", "consultation.needs") == ()


@pytest.mark.parametrize("text, line, message", [
    # line:     2-4: a          5-7: b, then its extras from line 8
    (doc(t("a"), t("b", "shares:\n  - to: x\n    data: [registry.stakeholders]\n")), 9,
     "shares[0].to names unknown tenant 'x'"),
    (doc(t("a"), t("b", "shares:\n  - to: a\n    data: [registry.stakeholders, nonsense]\n")), 10,
     "shares[0].data[1] names unknown data set 'nonsense'"),
    (doc(t("a"), t("b", "shares:\n  - to: a\n    data:\n      - registry.stakeholders\n"
                        "      - registry.stakeholders\n")), 12, "repeats the data set"),
    (doc(t("a"), t("b", "shares:\n  - to: b\n    data: everything\n")), 9, "does not share with itself"),
    (doc(t("a"), t("b", "shares:\n  - {to: a, data: everything}\n  - {to: a, data: [budget.interventions]}\n")),
     10, "second share to 'a' (the first: line 9)"),
    (doc(t("a"), t("b", "shares:\n  - to: a\n    data: everything\n    since: 2020-13-01\n")), 11,
     "since must be a date written YYYY-MM-DD"),
    (doc(t("a"), t("b", "shares:\n  - to: a\n    data: everything\n    since: '1 gennaio 2020'\n")), 11,
     "since must be a date"),
    (doc(t("a"), t("b", "shares:\n  - to: a\n    data: [{registry: stakeholders}]\n")), 10,
     "data[0] names unknown data set"),
    (doc(t("a"), t("b", "shares:\n  - to: a\n    data: everything\n    sinse: 2020-01-01\n")), 11,
     "unknown key 'sinse'"),
    (doc(t("a", "status: merged\nmerged_into: c\n"), t("b"), t("c", "merged_from: [b]\n")), 6,
     "merged_into names 'c', which does not list 'a' in merged_from"),
    (doc(t("a", "status: merged\nmerged_into: zz\n"), t("c", "merged_from: [a]\n")), 6,
     "merged_into names unknown tenant 'zz'"),
    (doc(t("a", "status: merged\n"), t("c")), 5, "no tenant lists it in merged_from"),
    (doc(t("a", "merged_into: c\n"), t("c", "merged_from: [a]\n")), 5, "status: merged only"),
    (doc(t("a", "status: merged\nmerged_on: 2023-02-30\n"), t("c", "merged_from: [a]\n")), 6,
     "merged_on must be a date"),
    (doc(t("a", "status: merged\n"), t("c", "merged_from: [a]\n"),
         t("d", "shares:\n  - {to: a, data: everything}\n")), 14, "a merged tenant: it receives nothing"),
    (doc(t("a", "merged_from: [b]\n"), t("b", "merged_from: [a]\n")), 5, "merger cycle: a -> b -> a"),
    (doc(t("a", "merged_from: [a]\n")), 5, "cannot be merged from itself"),
    (doc(t("a"), t("b"), t("c", "merged_from: [a, b, a]\n")), 11, "repeats 'a'"),
    (doc(t("a"), t("b", "merged_from: [a]\n"), t("c", "merged_from:\n  - a\n")), 13,
     "already merged into 'b' (line 8)"),
    (doc(t("a"), t("b", "merged_from: [a]\nshares:\n  - {to: a, data: everything}\n")), 10,
     "names 'a', merged into 'b': a cycle"),
    (doc(t("a", "share_with_successor: false\nshares:\n  - {to: b, data: [registry.profile]}\n"),
         t("b", "merged_from: [a]\n")), 7, "contradicts share_with_successor: false (line 5)"),
    (doc(t("a", "share_with_successor: false\n")), 5, "listed in another's merged_from only"),
    (doc(t("a"), t("b", "shares: {to: a}\n")), 8, "must be a list"),
    (doc(t("a"), t("b", "shares:\n  - data: everything\n")), 9, "to is required"),
    (doc(t("a"), t("b", "merged_from: [zz]\n")), 8, "merged_from[0] names unknown tenant 'zz'"),
    (doc(t("a", "statuss: merged\n")), 5, "unknown key 'statuss'"),
    (doc(t("a", "status: active\nstatus: merged\n")), 6, "written twice"),
    (doc(t("a"), t("a")), 5, "duplicate tenant slugs: a"),
    (doc(t("a", "status: gone\n")), 5, "status must be one of"),
    (doc(t("a", "merged_from: [b\n")), 6, "not valid YAML"),
])
def test_each_refusal_names_the_line(tmp_path, text, line, message):
    refused(tmp_path, text, line, message)


def test_the_local_catalogue_is_valid_and_keeps_the_demo_predecessors_writable():
    from shared.config import REPO_ROOT
    catalogue = load_catalogue(REPO_ROOT / "deploy" / "local" / "tenants.yaml", SERVER)
    assert not catalogue.get("lagonegrese").merged and not catalogue.get("pollino").merged
    assert {s.origin for s in catalogue.sharing.into("lagonegrese-pollino")} == {"lagonegrese", "pollino"}


def test_every_catalogue_in_the_repository_is_valid():
    from shared.config import REPO_ROOT
    found = sorted((REPO_ROOT / "deploy").rglob("tenants.yaml"))
    assert len(found) >= 2, found
    for path in found:
        catalogue = load_catalogue(path, SERVER)
        for tenant in catalogue:
            assert not tenant.merged or catalogue.get(tenant.merged_into) is not None, path
