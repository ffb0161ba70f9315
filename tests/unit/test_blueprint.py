"""Argument schemas are instances made once, not one per request."""
from flask import Flask
from flask_smorest import Api
from marshmallow import Schema, fields

from shared.http.blueprint import Blueprint


class Counted(Schema):
    made = 0
    name = fields.String(required=True)

    def __init__(self, *args, **kwargs):
        type(self).made += 1
        super().__init__(*args, **kwargs)


def test_an_argument_schema_class_is_instantiated_once():
    app = Flask("t")
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    blp = Blueprint("b", __name__)

    @blp.route("/things", methods=["POST"])
    @blp.arguments(Counted)
    def post(body):
        return {"name": body["name"]}

    Api(app).register_blueprint(blp)
    client = app.test_client()
    made = Counted.made
    for _ in range(5):
        assert client.post("/things", json={"name": "x"}).json == {"name": "x"}
    assert Counted.made == made  # none per request
    assert client.post("/things", json={}).status_code == 422
