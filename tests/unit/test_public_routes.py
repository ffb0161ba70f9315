"""Only blueprints declared public skip authentication; a path that merely contains /public/ does not."""
import pytest
from flask.views import MethodView

from shared.config import Settings
from shared.http.app import create_service_app
from shared.http.blueprint import Blueprint
from tests.conftest import write_catalogue


def make_app(tmp_path):
    private = Blueprint("private", __name__, url_prefix="/v1/<tenant>/calls")
    public = Blueprint("transparency", __name__, url_prefix="/v1/<tenant>/trasparenza", public=True)
    regional = Blueprint("regional", __name__, url_prefix="/v1/regions/<region>")

    @private.route("/public/notes")  # finding 5: any rule containing /public/ skipped authentication
    class Notes(MethodView):
        def get(self, tenant):
            return {"secret": tenant}

    @public.route("/piano")
    class Piano(MethodView):
        def get(self, tenant):
            return {"piano": tenant}

    @regional.route("/figures")
    class Figures(MethodView):
        def get(self, region):
            return {"region": region}

    settings = Settings(tenants_file=write_catalogue(tmp_path, ["alpha"]),
                        database_url="postgresql://nobody@127.0.0.1:1/none")
    return create_service_app(service="registry", title="t", blueprints=[private, public, regional],
                              settings=settings).test_client()


@pytest.mark.parametrize("path", ["/v1/alpha/calls/public/notes", "/v1/regions/basilicata/figures"])
def test_routes_of_other_blueprints_need_a_token(tmp_path, path):
    response = make_app(tmp_path).get(path)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_a_public_blueprint_needs_none_but_still_checks_the_ambito(tmp_path):
    client = make_app(tmp_path)
    assert client.get("/v1/alpha/trasparenza/piano").get_json() == {"piano": "alpha"}
    assert client.get("/v1/nowhere/trasparenza/piano").status_code == 404


def test_platform_routes_need_no_token(tmp_path):
    client = make_app(tmp_path)
    assert client.get("/livez").status_code == 200
    assert client.get("/openapi.json").status_code == 200
