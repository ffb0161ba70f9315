"""The figure cache's pure parts (services/reporting/indicators/cache.py, memo.py): stamps, the stored text, the
answers kept in memory."""
from datetime import date, datetime, timezone
from decimal import Decimal

from services.reporting.indicators import cache, memo
from services.reporting.indicators.model import Figure, Period
from services.reporting.indicators.territories import REGION, Territory

STATE = cache.DataState("16384", {"a": 3, "b": 0, "c": 7}, frozenset({"c"}), date(2025, 5, 1))


def test_a_stamp_names_the_database_the_versions_and_the_day_and_none_while_a_tenant_moves():
    one = cache.stamp(STATE, ["a", "b"])
    assert one and one == cache.stamp(STATE, ["b", "a", "a"])           # a set of tenants, in any order
    assert cache.stamp(STATE, ["a", "c"]) is None                         # c has events not drained yet
    assert cache.stamp(STATE, ["a", "unknown"]) is None                   # not read: never a stamp
    changed = [cache.DataState("16384", {"a": 4, "b": 0}, frozenset(), date(2025, 5, 1)),
               cache.DataState("99999", {"a": 3, "b": 0}, frozenset(), date(2025, 5, 1)),   # a replayed database
               cache.DataState("16384", {"a": 3, "b": 0}, frozenset(), date(2025, 5, 2))]   # another day
    assert all(cache.stamp(state, ["a", "b"]) not in (None, one) for state in changed)
    assert cache.stamp(STATE, ["a"]) != one


def test_the_stored_text_gives_back_the_same_figures_in_the_same_order():
    period = Period(2025, 2)
    figures = [Figure("x", period, Decimal("12.50"), {"fund": "FNPS", "measure": "liquidato"}),
               Figure("x", period, Decimal("0E-2"), {"measure": "assegnato", "fund": "FNA"}),
               Figure("x", period, Decimal("3"), {"comune": "076042", "year": 2025, "none": None}),
               Figure("x", period, Decimal("1E+3"), {})]
    back = cache.decode(cache.encode(figures), code="x", period=period)
    assert back == figures
    assert [format(f.value, "f") for f in back] == [format(f.value, "f") for f in figures]  # 12.50 stays 12.50
    assert [list(f.dimension) for f in back] == [list(f.dimension) for f in figures]        # dimension order kept
    assert back[2].dimension["year"] == 2025 and back[2].dimension["none"] is None
    assert cache.decode(cache.encode([]), code="x", period=period) == []


def test_a_scope_tells_territories_apart_by_level_code_and_tenants():
    region = Territory("basilicata", REGION, ("a", "b"), None, "basilicata")
    assert cache.scope(region) != cache.scope(Territory("basilicata", REGION, ("a", "b", "c"), None, "basilicata"))
    assert cache.scope(region) != cache.scope(Territory("basilicata", "ambito", ("a", "b"), "x", "basilicata"))
    assert cache.scope(region) == cache.scope(Territory("basilicata", REGION, ("a", "b"), None, "basilicata"))


def test_an_answer_key_holds_the_stamp_and_as_of_and_none_while_a_tenant_moves():
    as_of = {"budget": datetime(2025, 5, 1, tzinfo=timezone.utc), "registry": None}
    key = memo.key(STATE, ["a", "b"], as_of, "answer", "2025")
    assert key is not None and key == memo.key(STATE, ["b", "a"], dict(reversed(as_of.items())), "answer", "2025")
    assert memo.key(STATE, ["a", "b"], {**as_of, "registry": datetime(2025, 5, 2, tzinfo=timezone.utc)},
                    "answer", "2025") != key                               # as_of shown in the answer changed
    assert memo.key(STATE, ["a", "b"], as_of, "answer", "2024") != key
    assert memo.key(STATE, ["a", "c"], as_of, "answer", "2025") is None


def test_kept_answers_stay_within_their_bytes_least_recently_used_out():
    kept = memo.Answers(max_bytes=10)
    kept.put(("a",), memo.Kept(b"1234", ()))
    kept.put(("b",), memo.Kept(b"5678", ()))
    assert kept.get(("a",)).body == b"1234"                  # a is now the most recently used
    kept.put(("c",), memo.Kept(b"90", ()))
    kept.put(("d",), memo.Kept(b"xyz", ()))                  # 13 bytes: b (least recently used) goes
    assert kept.get(("b",)) is None and kept.get(("a",)) and kept.get(("c",)) and kept.get(("d",))
    assert kept.size == 9 and len(kept) == 3
    kept.put(("e",), memo.Kept(b"too long to keep", ()))     # larger than the whole: not kept, nothing dropped
    assert kept.get(("e",)) is None and len(kept) == 3
    kept.put(None, memo.Kept(b"1", ()))                       # no key (moving data): not kept
    assert kept.get(None) is None and len(kept) == 3
    kept.put(("a",), memo.Kept(b"12", ()))                   # replaced: its bytes counted once
    assert kept.size == 7 and kept.get(("a",)).body == b"12"
