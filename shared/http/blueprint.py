"""flask-smorest's Blueprint, with argument schemas built once.

Given a schema *class*, `Blueprint.arguments` hands it to webargs, which
instantiates it on every request (field deep copies included: about 0.2 ms a
request on the write path). An instance made once at import serves every
request the same way: marshmallow schemas keep no per-call state.
"""
from __future__ import annotations

import flask_smorest
from marshmallow import Schema


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest Blueprint whose `arguments` schemas are instances made once."""

    def arguments(self, schema, *args, **kwargs):
        if isinstance(schema, type) and issubclass(schema, Schema):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)
