"""The demo's HTTP client: JSON over urllib with a bearer token, nothing else (the demo talks to the
services only through their APIs)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request


def http(method: str, url: str, token: str, body=None, **headers) -> tuple[int, object, dict]:
    """Status, decoded JSON body and headers of one request (an HTTP error is an answer, not an exception)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json",
        **{k.replace("_", "-"): v for k, v in headers.items()}})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}"), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}"), dict(exc.headers)


def call(method: str, url: str, token: str, body: dict | None = None, **headers) -> tuple[int, dict]:
    status, data, _headers = http(method, url, token, body, **headers)
    return status, data


def every(url: str, token: str, *, limit: int = 100) -> list:
    """Every item of a paginated list (following next_cursor); 100 is within every list's maximum."""
    items, after = [], ""
    while True:
        status, page = call("GET", f"{url}{'&' if '?' in url else '?'}limit={limit}&after={after}", token)
        if status != 200:
            raise RuntimeError(f"GET {url}: {status} {page}")
        items += page["items"]
        if not page.get("next_cursor"):
            return items
        after = page["next_cursor"]
