"""Properties of the catalogue's sharing, over catalogues hypothesis draws (valid or not): a refused one names
a line of its file; an accepted one yields shares that keep every rule docs/federation.md states."""
from __future__ import annotations

from datetime import date

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from shared.sharing import DATA_SETS, EVERYTHING
from shared.tenants import CatalogueError, load_catalogue

SERVER = "postgresql://pdz@127.0.0.1:55432/postgres"
SLUGS = ["a", "b", "c", "d"]
# Mostly valid values, now and then a wrong one (1 in `rare`), so that both branches are drawn often.


def mostly(good, bad, rare: int = 10):
    return st.sampled_from(range(rare)).flatmap(lambda n: bad if n == rare // 2 else good)


def chance(draw, one_in: int) -> bool:
    return draw(st.sampled_from(range(one_in))) == one_in // 2


data = mostly(st.one_of(st.just("everything"), st.lists(st.sampled_from(list(DATA_SETS)), min_size=1, max_size=3,
                                                        unique=True)), st.just(["bogus"]))
days = mostly(st.one_of(st.none(), st.dates(date(2015, 1, 1), date(2030, 1, 1))), st.just("2020-13-01"))


@st.composite
def catalogues(draw):
    count = draw(st.integers(2, len(SLUGS)))
    slugs = SLUGS[:count]
    names = mostly(st.sampled_from(slugs), st.just("zz"), rare=20)
    entries = {slug: {"slug": slug, "name": f"Ambito {slug}", "region": "basilicata"} for slug in slugs}
    for slug in slugs:
        if chance(draw, 3):
            entries[slug]["merged_from"] = draw(st.lists(mostly(st.sampled_from([s for s in slugs if s != slug]),
                                                                names), max_size=2, unique=not chance(draw, 10)))
        if draw(st.booleans()):
            entries[slug]["shares"] = draw(st.lists(st.fixed_dictionaries({"to": names, "data": data},
                                                                          optional={"since": days}), max_size=2))
    listed = {p for entry in entries.values() for p in entry.get("merged_from", [])}
    for slug, entry in entries.items():
        if chance(draw, 2 if slug in listed else 10):
            entry.update(status="merged", merged_on=draw(days))
            if chance(draw, 2):
                entry["merged_into"] = draw(mostly(st.sampled_from([e["slug"] for e in entries.values()
                                                                    if slug in e.get("merged_from", [])] or ["zz"]),
                                                   names))
        if chance(draw, 4 if slug in listed else 20):
            entry["share_with_successor"] = False
    tenants = [{k: v for k, v in entry.items() if v is not None} for entry in entries.values()]
    return yaml.safe_dump({"tenants": tenants}, sort_keys=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=catalogues())
def test_a_catalogue_is_refused_naming_one_of_its_lines_or_its_shares_keep_the_rules(tmp_path, text):
    path = tmp_path / "tenants.yaml"
    path.write_text(text)
    try:
        catalogue = load_catalogue(path, SERVER)
    except CatalogueError as error:
        assert error.line is not None and 1 <= error.line <= len(text.splitlines()), (str(error), text)
        assert f"line {error.line}: " in str(error)
        return
    shares = catalogue.declared.shares
    pairs = [(s.origin, s.to) for s in shares]
    assert len(pairs) == len(set(pairs)), text                      # one share per (origin, receiver)
    for share in shares:
        receiver = catalogue.get(share.to)
        assert share.origin != share.to and receiver is not None and not receiver.merged, text
        assert share.data and set(share.data) <= set(DATA_SETS), text
        assert share.origin not in _successors_of(catalogue, share.to), text   # never back to a predecessor
    for tenant in catalogue:
        if tenant.merged:
            assert tenant.slug in catalogue.get(tenant.merged_into).merged_from, text
        successor = next((t for t in catalogue if tenant.slug in t.merged_from), None)
        if successor is None or successor.merged:
            continue
        given_to = [s for s in shares if (s.origin, s.to) == (tenant.slug, successor.slug)]
        if tenant.share_with_successor:
            [share] = given_to
            declared = any(s.to == successor.slug for s in tenant.shares)
            assert share.implied != declared, text                   # the declaration wins over merged_from
            if share.implied:
                assert (share.data, share.since) == (EVERYTHING, tenant.merged_on), text
        else:
            assert given_to == [], text


def _successors_of(catalogue, slug) -> set[str]:
    """The tenants `slug` was merged into, directly or through a chain."""
    found = set()
    while True:
        successor = next((t.slug for t in catalogue if slug in t.merged_from), None)
        if successor is None or successor in found:
            return found
        found.add(successor)
        slug = successor
