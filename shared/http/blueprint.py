"""flask-smorest's Blueprint, with argument schemas built once and errors documented from the views.

Given a schema *class*, `Blueprint.arguments` hands it to webargs, which
instantiates it on every request (field deep copies included: about 0.2 ms a
request on the write path). An instance made once at import serves every
request the same way: marshmallow schemas keep no per-call state.

Every operation's OpenAPI description gets the problem+json responses, the
precondition and idempotency headers that what the view declares implies (its
URL, `requires`, `arguments`, `idempotent`, the concurrency helpers it calls):
see shared/http/openapi.py. A view adds only its domain conflicts
(`alt_response(409, **conflicts(...))`), and says with `doc(if_match=..., etag=...)`
what its code does not show.
"""
from __future__ import annotations

import flask_smorest
from flask.views import MethodView
from marshmallow import Schema

from shared.http import openapi, openapi_components


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest Blueprint whose `arguments` schemas are instances made once.

    `public=True` declares that its routes need no token (transparency pages);
    every other blueprint's routes need one (the app factory reads the flag).
    """

    def __init__(self, *args, public: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.public = public
        self._prepare_doc_cbks.append(self._prepare_problem_doc)

    def add_url_rule(self, rule, endpoint=None, view_func=None, provide_automatic_options=None, **kwargs):
        super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **kwargs)
        # The facts each operation's documentation follows from, read while the rule is at hand.
        docs = self._docs[self._endpoints[-1]]
        full_rule = (self.url_prefix or "") + rule
        for method, info in docs.items():
            if method == "parameters":
                continue
            func = getattr(view_func, method) if isinstance(view_func, type(MethodView)) else view_func
            info["pdz_facts"] = openapi.operation_facts(full_rule, method, func, info, public=self.public)

    @staticmethod
    def doc(*, if_match: str | None = None, etag: bool | None = None, **kwargs):
        """flask-smorest's `doc`, plus what the view's code does not show: `if_match` ("required" or
        "optional": 428 without it / 412 if stale) and `etag` (its answers carry an ETag)."""
        def decorator(func):
            wrapper = flask_smorest.Blueprint.doc(**kwargs)(func)
            marks = wrapper._apidoc.setdefault("pdz", {})   # doc() made _apidoc a copy of its own
            if if_match is not None:
                marks["if_match"] = if_match
            if etag is not None:
                marks["etag"] = etag
            return wrapper
        return decorator

    @staticmethod
    def _prepare_problem_doc(doc, doc_info, *, api, spec, **_kwargs):
        facts = doc_info.get("pdz_facts")
        if facts is None:
            return doc
        openapi_components.register_components(spec)
        if not getattr(api, "_pdz_cursors", False):   # parameters and schemas are made later, by apispec
            api.ma_plugin.converter.add_parameter_attribute_function(openapi_components.cursor_parameter)
            api.ma_plugin.converter.add_attribute_function(openapi_components.cursor_property)
            api._pdz_cursors = True
        # Manual parameters and responses are merged here, not replaced later, so the derived ones stay.
        manual = doc_info.get("manual_doc", {})
        doc.setdefault("parameters", []).extend(manual.pop("parameters", []))
        responses = {str(code): value for code, value in doc.get("responses", {}).items()}
        for code, response in manual.pop("responses", {}).items():
            responses[str(code)] = flask_smorest.utils.deepupdate(responses.get(str(code), {}), response)
        doc["responses"] = responses
        return openapi.document(doc, facts)

    def arguments(self, schema, *args, **kwargs):
        if isinstance(schema, type) and issubclass(schema, Schema):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)
