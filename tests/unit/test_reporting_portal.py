"""The portal's pure parts: chart axes, charts with no script nor outside request, Italian labels."""
import re
from decimal import Decimal

from hypothesis import given, strategies as st

from services.reporting.portal import charts, labels
from services.reporting.portal.figures import per_inhabitant

ROWS = [{"fund": "FNA 2025", "allocated": Decimal("45000.50"), "committed": Decimal("30000.25"),
         "paid": Decimal("12500.10")}]


@given(st.decimals(min_value=0, max_value=10 ** 9, places=2, allow_nan=False))
def test_an_axis_has_few_round_ticks_past_the_top(top):
    ticks = charts.ticks(top)
    assert ticks[0] == 0 and ticks[-1] >= float(top)
    assert len(ticks) <= 7
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    assert round(mantissa, 6) in (1, 2, 5)


def test_a_chart_is_a_picture_needing_nothing_from_outside():
    for svg in (charts.money_bars(title="Risorse", rows=ROWS, label="fund"),
                charts.money_bars(title="Risorse", rows=ROWS, label="fund", horizontal=True),
                charts.per_inhabitant_bars(title="Per abitante", rows=[{"name": "A", "pc": None}, {"name": "B", "pc": Decimal("0.77")}],
                                           label="name", keys=(("pc", "Liquidato per abitante"),))):
        assert b"<script" not in svg
        # Only namespaces and pygal's comment name a site: nothing is fetched.
        assert not re.search(rb'(href|src)="https?:', svg)
        assert b"Programmato" in svg or b"Liquidato per abitante" in svg


def test_italian_labels():
    assert labels.money(Decimal("1234.5")) == "1.234,50 €"
    assert labels.money(None) == "n.d."
    assert labels.number(35800) == "35.800"
    assert labels.percent(Decimal("45.5")) == "45,50%"
    assert labels.label(labels.PLAN_STATES, "signed") == "Sottoscritto (accordo di programma)"
    assert labels.label(labels.PLAN_STATES, "new_state") == "new state"


def test_per_inhabitant_is_to_the_cent_and_unknown_without_population():
    assert per_inhabitant(Decimal("27500.10"), 35800) == Decimal("0.77")
    assert per_inhabitant(Decimal("1.005"), 1) == Decimal("1.01")   # half up, as the indicators round
    assert per_inhabitant(Decimal("10"), 0) is None and per_inhabitant(None, 10) is None


def test_a_period_asked_for_or_this_year_in_italy():
    from datetime import datetime, timezone
    from services.reporting.indicators.model import Period
    from services.reporting.portal.indicators import period_of

    new_year_in_rome = datetime(2025, 12, 31, 23, 30, tzinfo=timezone.utc)   # already 2026 in Italy
    assert period_of(None, now=new_year_in_rome) == Period(2026)
    assert period_of("2025-Q2", now=new_year_in_rome) == Period(2025, 2)
    assert period_of("2025-Q5", now=new_year_in_rome) == Period(2026)   # not a period: this year


def test_figures_and_breakdowns_in_italian():
    from services.reporting.portal.indicators import dimension_text, value_text

    assert value_text(Decimal("0.84"), "EUR/abitante") == "0,84 €"
    assert value_text(Decimal("35800"), "abitanti") == "35.800"
    assert value_text(Decimal("66.6667"), "percentuale") == "66,67%"
    assert value_text(Decimal("2.5"), "numero") == "2,5"
    assert dimension_text({"type": "ets", "area": "4"}, {"4": "Povertà"}) == "area: Povertà; tipologia: Ente del Terzo settore"
    assert dimension_text({}, {}) == ""
