"""The demo's merged-Ambito view (shared/cli/demo_merged.py), its pure parts: what of the former Ambiti's demo
the merged Ambito does not show yet (by origin: a record of the right name from the wrong Ambito does not
count), and the summary by origin."""
from shared.cli import demo_merged
from shared.cli.demo_consultation import FORMER


def _complete() -> dict:
    listing = {"organisations": [], "tables": [], "needs": []}
    for tenant, spec in FORMER.items():
        listing["organisations"] += [{"name": n, "origin": tenant} for n in spec["accounts"]]
        listing["tables"] += [{"title": t[1], "origin": tenant} for t in spec["tables"]]
        listing["needs"] += [{"title": n["title"], "origin": tenant}
                             for work in spec["work"].values() for n in work["needs"]]
    return listing


def test_nothing_is_missing_once_every_former_record_is_listed_with_its_origin():
    assert demo_merged._missing(_complete()) == []


def test_a_record_of_the_wrong_origin_or_an_absent_one_is_missing():
    listing = _complete()
    need = listing["needs"][0]
    listing["needs"][0] = {**need, "origin": demo_merged.MERGED}
    listing["organisations"].pop()
    missing = demo_merged._missing(listing)
    assert len(missing) == 2 and f"needs {need['origin']}: {need['title']}" in missing


def test_the_summary_counts_own_records_first_then_each_former_ambito():
    items = [{"origin": o} for o in ("pollino", demo_merged.MERGED, "lagonegrese", "pollino")]
    assert demo_merged._by_origin(items, "bisogni propri") == "1 bisogni propri, 1 da lagonegrese, 2 da pollino"
    assert demo_merged._by_origin([], "tavoli propri") == "0 tavoli propri"
