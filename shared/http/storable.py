"""Request text the database cannot store, refused at the edge instead of failing later as a 500.

PostgreSQL text (and jsonb) holds neither the NUL character U+0000 nor a lone UTF-16 surrogate
(U+D800-U+DFFF, e.g. JSON "\\ud800": not encodable as UTF-8), so any such query value or JSON string
is a 422 naming the field. A JSON body nested deeper than Python can parse is a 400.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator

from flask import Request

from shared.http.problems import Problem, invalid

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MESSAGE = "Text cannot contain the NUL character (U+0000) or a lone surrogate (U+D800 to U+DFFF)."


def _texts(document) -> Iterator[tuple[str, str]]:
    """(dotted path, text) for every object key and string of a parsed JSON document (no recursion)."""
    stack = [("", document)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            yield path, item
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{path}.{key}" if path else str(key)
                yield name, key
                stack.append((name, child))
        elif isinstance(item, list):
            stack.extend((f"{path}.{index}" if path else str(index), child) for index, child in enumerate(item))


def refuse_unstorable_text(request: Request) -> None:
    """422 naming each query parameter or JSON field whose text cannot be stored; 400 if nested too deep."""
    query = sorted({name for name, value in request.args.items(multi=True) if _UNSTORABLE.search(name + value)})
    if query:
        raise invalid(*((name, MESSAGE) for name in query), location="query")
    if not request.is_json:
        return
    try:
        document = json.loads(request.get_data(cache=True))
    except RecursionError:
        raise Problem(400, "Malformed request", "The JSON body is nested too deeply.",
                      slug="malformed-request") from None
    except ValueError:
        return  # not JSON at all: the view's parser answers 400 with the reason
    fields = sorted({path or "_schema" for path, text in _texts(document) if _UNSTORABLE.search(text)})
    if fields:
        raise invalid(*((field, MESSAGE) for field in fields))
