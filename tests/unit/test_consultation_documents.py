"""The documents' pure parts: Italian formatting, the minutes' blocks, the HTML of each document with its
data (no personal data in the public ones), and one PDF/A read back (metadata, fonts embedded)."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pypdf
import pytest
from hypothesis import given, strategies as st

from services.consultation.documents import markup, profile, render
from shared.documents import italian, pdf

NOW = datetime(2026, 11, 27, 8, 30, tzinfo=timezone.utc)
SESSION = {"title": "Prima sessione", "starts_at": datetime(2026, 3, 10, 16, 0, tzinfo=timezone.utc),
           "ends_at": datetime(2026, 3, 10, 18, 30, tzinfo=timezone.utc), "place": "Sala consiliare",
           "video_link": "https://meet.example.org/segreto", "status": "held", "agenda": ["Apertura", "Bisogni"]}
TABLE = {"title": "Tavolo socio-educativo", "kind": "thematic", "coordinator": "coord-mario.rossi"}


# -- Italian formatting ----------------------------------------------------------------------------------
def test_days_and_times_are_italian_and_in_rome_time():
    assert italian.day(date(2026, 11, 27)) == "27 novembre 2026"
    assert italian.day(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)) == "1 gennaio 2027"  # Rome: 00:30
    assert italian.moment(datetime(2026, 3, 10, 16, 5, tzinfo=timezone.utc)) == "10 marzo 2026, ore 17:05"
    assert italian.clock(datetime(2026, 7, 1, 16, 5, tzinfo=timezone.utc)) == "18:05"          # summer time
    assert italian.day(None) == italian.clock(None) == italian.moment(None) == ""
    with pytest.raises(ValueError):
        italian.clock(datetime(2026, 3, 10, 16, 5))


def test_numbers_and_money_are_written_the_italian_way():
    assert [italian.number(n) for n in (0, 7, 999, 1000, 1234, 15400, 1234567, -12000)] == [
        "0", "7", "999", "1.000", "1.234", "15.400", "1.234.567", "-12.000"]
    assert italian.money(Decimal("1234.56")) == "1.234,56 €"
    assert italian.money(Decimal("0.1") + Decimal("0.2")) == "0,30 €"
    assert italian.money(Decimal("1000000")) == "1.000.000,00 €"
    assert italian.money(Decimal("-5.5")) == "-5,50 €"
    for wrong in (1.5, True):
        with pytest.raises(TypeError):
            italian.money(wrong)
    with pytest.raises(TypeError):
        italian.number(1.5)


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_a_number_is_its_digits_grouped_by_three(n):
    text = italian.number(n)
    assert text.replace(".", "") == str(n)
    groups = text.lstrip("-").split(".")
    assert 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


@given(st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_money_round_trips_to_the_cent(amount):
    text = italian.money(amount)
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*,\d{2} €", text)
    assert Decimal(text.removesuffix(" €").replace(".", "").replace(",", ".")) == amount


# -- the minutes' text -----------------------------------------------------------------------------------
def test_the_minutes_markdown_is_read_as_blocks():
    text = "# Apertura\nIl coordinatore apre\nla seduta.\n\n- primo punto\n- secondo\n\n1. uno\n2) due\n\n## Varie"
    assert markup.blocks(text) == [
        {"kind": "heading", "level": 1, "text": "Apertura"},
        {"kind": "paragraph", "text": "Il coordinatore apre la seduta."},
        {"kind": "bullets", "items": ["primo punto", "secondo"]},
        {"kind": "numbers", "items": ["uno", "due"]},
        {"kind": "heading", "level": 2, "text": "Varie"}]
    assert markup.blocks("- a\n\n- b") == [{"kind": "bullets", "items": ["a"]}, {"kind": "bullets", "items": ["b"]}]
    assert markup.blocks("") == []


# -- the HTML of each document ---------------------------------------------------------------------------
def attendance_html(**kwargs):
    entries = [{"organisation_name": "ODV Amici del Pollino", "attendee_name": "Maria Rossi",
                "attendee_role": "Presidente", "mode": "in_person", "erased_at": None,
                "arrived_at": datetime(2026, 3, 10, 16, 5, tzinfo=timezone.utc), "left_at": None},
               {"organisation_name": "Cooperativa Il Sentiero", "attendee_name": None, "attendee_role": None,
                "mode": "remote", "erased_at": NOW, "arrived_at": None, "left_at": None}]
    values = {"ambito": "Ambito Lagonegrese-Pollino", "session": SESSION, "table": TABLE, "entries": entries,
              "totals": {"organisations": 2, "in_person": 1, "remote": 1, "entries": 2}, "truncated": False,
              "generated_at": NOW, **kwargs}
    return render.attendance_html(**values)


def test_the_register_names_the_attendees_and_says_it_is_internal():
    html = attendance_html()
    for text in ("Registro delle presenze", "Ambito Lagonegrese-Pollino", "Maria Rossi", "Presidente",
                 "ODV Amici del Pollino", "In presenza", "A distanza", "dato cancellato su richiesta",
                 "10 marzo 2026, ore 17:00", "17:05", "Documento interno", "tavolo tematico", "svolta"):
        assert text in html, text
    # the video link can be a credential: the register says there was one, not which
    assert "meet.example.org" not in html and "in videoconferenza" in html
    assert "coord-mario.rossi" not in html
    assert "ne riporta" not in html
    assert "ne riporta" in attendance_html(truncated=True, totals={"organisations": 2, "in_person": 1, "remote": 1,
                                                                   "entries": 1500})


def test_text_is_escaped_in_the_page_and_in_the_margins():
    html = attendance_html(ambito='Ambito <b>"X"</b>')
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert render.css_string('Titolo "con" \\ virgolette') == '"Titolo \\22 con\\22  \\5c  virgolette"'


def minutes_html(**minutes):
    values = {"number": 2, "body": "# Apertura\nLa seduta si apre.\n\n- Proposta A accolta",
              "corrects": 1, "reason": "Refuso nel titolo", "approved_at": datetime(2026, 3, 20, 9, 0, tzinfo=timezone.utc),
              **minutes}
    attendance = {"organisations": [{"organisation_name": "ODV Amici del Pollino", "in_person": 2, "remote": 0}],
                  "totals": {"organisations": 1, "in_person": 2, "remote": 0}, "truncated": False}
    return render.minutes_html(ambito="Ambito Lagonegrese-Pollino", session=SESSION, table=TABLE, minutes=values,
                               attendance=attendance, generated_at=NOW)


def test_the_minutes_show_the_version_in_force_its_text_and_the_organisations_present():
    html = minutes_html()
    for text in ("Verbale della seduta", "n. 2, approvata il 20 marzo 2026", "della versione n. 1",
                 "Refuso nel titolo", "<h3>Apertura</h3>", "La seduta si apre.", "<li>Proposta A accolta</li>",
                 "ODV Amici del Pollino", "Apertura", "Bisogni"):
        assert text in html, text
    assert "coord-mario.rossi" not in html and "meet.example.org" not in html


PERSONAL = ("Maria Rossi", "mario.rossi", "RSSMRA80A01H501U", "rappresentante-odv")


def profile_content():
    """What the stores give, with personal values planted in fields the document must not show."""
    territory = profile.territory(
        {"name": "Ambito Lagonegrese-Pollino", "region": "basilicata", "capofila_istat": "076042",
         "ente_gestore": "Comune di Lauria", "asl_district": "ASP Potenza", "total_population": 15400,
         "version": 3, "as_of": NOW},
        [{"istat_code": "076097", "name": "Viggianello", "province": "PZ", "population": 2900,
          "population_date": date(2025, 1, 1)},
         {"istat_code": "076042", "name": "Lauria", "province": "PZ", "population": 12500,
          "population_date": date(2025, 1, 1)}], region_name="Basilicata")
    summary = {"services": 3, "capacity": [{"unit": "posti", "amount": 1250}, {"unit": "utenti-anno", "amount": 40}],
               "by_area_target": [{"area": "3", "target_group": "anziani", "services": 3, "area_name": "Anziani",
                                   "target_group_name": "Anziani", "capacity": [{"unit": "posti", "amount": 1250}]}],
               "by_comune": [{"istat_code": "076042", "name": "Lauria", "services": 2, "capacity": []}]}
    return {
        "territory": territory,
        "network": profile.network([{"name": "ODV Amici del Pollino", "type": "ets", "accounts": ["mario.rossi"]}], 1),
        "offer": profile.offer(summary),
        "needs": profile.needs([{"area": "5", "target_group": "minori", "needs": 2},
                                {"area": "3", "target_group": "disabilita", "needs": 1},
                                {"area": "3", "target_group": "anziani", "needs": 4}],
                               areas={"3": "Area anziani", "5": "Area minori"}),
        "proposals": profile.proposals(
            [{"title": "Centro estivo", "status": "accepted", "estimated_cost": Decimal("12345.60"),
              "organisation_name": "ODV Amici del Pollino", "table_title": "Tavolo socio-educativo",
              "recorded_by": "mario.rossi", "decided_by": "rappresentante-odv"}],
            per_status=[{"status": "accepted", "count": 1}, {"status": "submitted", "count": 2}],
            estimated_total=Decimal("20000.10")),
        "rounds": profile.rounds([{"title": "Priorità 2027", "table_title": "Tavolo socio-educativo",
                                   "closed_at": NOW, "ballots_count": 3, "points": 10, "opened_by": "mario.rossi",
                                   "ranking": [{"rank": 1, "title": "Centro estivo", "points": 21,
                                                "organisations": 3}]}], 1),
        "participation": profile.participation(
            [{"title": "Tavolo socio-educativo", "kind": "thematic", "sessions_held": 2, "organisations_present": 5,
              "in_person": 1200, "remote": 3, "coordinator": "mario.rossi", "attendee_name": "Maria Rossi",
              "tax_code": "RSSMRA80A01H501U"}], 1),
    }


def test_the_community_profile_shows_every_section_in_italian():
    html = render.community_profile_html(ambito="Ambito Lagonegrese-Pollino", profile=profile_content(),
                                         generated_at=NOW)
    for text in ("Profilo di comunità", "Situazione al 27 novembre 2026", "15.400 abitanti", "Viggianello", "12.500",
                 "1 gennaio 2025", "Comune capofila", "Lauria", "Basilicata", "ODV Amici del Pollino",
                 "Ente del Terzo settore", "1.250 posti", "40 utenti/anno", "Centro estivo", "12.345,60 €",
                 "20.000,10 €", "Accolta", "(presentata 2, accolta 1)", "Priorità 2027", "Tavolo socio-educativo",
                 "tavolo tematico", "1.200", "Documento pubblico"):
        assert text in html, text
    # needs: the region's area order, then the target groups' order; the total
    assert html.index("Area anziani") < html.index("Area minori")
    cells = re.findall(r"<td>Area \w+</td><td>([^<]+)</td>", html)
    assert cells == ["Anziani", "Disabilità", "Minori"]


def test_the_community_profile_carries_no_personal_data():
    html = render.community_profile_html(ambito="Ambito Lagonegrese-Pollino", profile=profile_content(),
                                         generated_at=NOW)
    for value in PERSONAL:
        assert value not in html, value


def test_sections_are_bounded_and_say_so():
    shown = profile.section(list(range(10)), limit=3)
    assert shown == {"rows": [0, 1, 2], "total": 10, "truncated": True}
    assert profile.section([1], total=1, limit=3)["truncated"] is False
    content = profile_content()
    content["network"] = profile.network([{"name": f"Org {i}", "type": "ets"} for i in range(300)], 450)
    html = render.community_profile_html(ambito="A", profile=content, generated_at=NOW)
    assert "Sono riportate le prime 300" in html and "su 450" in html


def test_an_empty_ambito_still_gets_a_profile():
    empty = {"territory": None, "network": profile.network([], 0),
             "offer": profile.offer({"services": 0, "capacity": [], "by_area_target": [], "by_comune": []}),
             "needs": profile.needs([], areas={}),
             "proposals": profile.proposals([], per_status=[], estimated_total=Decimal("0")),
             "rounds": profile.rounds([], 0), "participation": profile.participation([], 0)}
    html = render.community_profile_html(ambito="Ambito vuoto", profile=empty, generated_at=NOW)
    assert "non è ancora disponibile" in html and "Nessuna votazione di priorità conclusa" in html


# -- HTML -> PDF/A ---------------------------------------------------------------------------------------
def test_the_pdf_is_pdf_a_with_its_fonts_embedded_and_its_text_readable():
    data = pdf.to_pdf(minutes_html())
    reader = pypdf.PdfReader(io.BytesIO(data))
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="U"' in xmp
    assert reader.trailer["/Root"]["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Verbale della seduta" in text and "20 marzo 2026" in text and "Pagina 1 di 1" in text
    fonts = [font.get_object() for page in reader.pages
             for font in page["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        descendants = font.get("/DescendantFonts")
        descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
        assert "DejaVu" in str(font["/BaseFont"])
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)      # A4
