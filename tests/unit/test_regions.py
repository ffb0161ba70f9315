import pytest

from shared.config import Settings
from shared.regions import RegionsError, load_regions, parse_regions


def test_the_shipped_configuration_has_basilicatas_nine_areas():
    regions = load_regions(Settings().regions_file)
    basilicata = regions.get("basilicata")
    assert [a.code for a in basilicata.areas] == [str(n) for n in range(1, 10)]
    assert basilicata.areas[2].name == "Persone anziane"
    assert "integrazione-sociosanitaria" in regions.get("lombardia").area_codes()


@pytest.mark.parametrize("document, message", [
    ({}, "regions"),
    ({"regions": {"x": {"areas": []}}}, "non-empty"),
    ({"regions": {"x": {"areas": [{"code": "A B", "name": "n"}]}}}, "code"),
    ({"regions": {"x": {"areas": [{"code": "a", "name": "n"}, {"code": "a", "name": "m"}]}}}, "unique"),
])
def test_invalid_configuration_is_refused(document, message):
    with pytest.raises(RegionsError, match=message):
        parse_regions(document)
