"""What the console's integration tests share: a page read as the tests need it (Page), a form's CSRF field,
a form posted as a browser does, a service's app on fresh Ambiti logged in through the development login
(ServiceConsole, one subclass a service), and the catalogue in which the second Ambito was merged into the first.
"""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import psycopg
import yaml

from shared.config import Settings


class Page(HTMLParser):
    """What the tests read of a page: fields by name, text by element id, links."""

    def __init__(self, html: str):
        super().__init__()
        self.fields: dict[str, dict] = {}
        self.texts: dict[str, str] = {}
        self.links: list[str] = []
        self._open: list[tuple[str, str | None]] = []
        self._text: dict[str, list[str]] = {}
        self.feed(html)
        self.texts = {k: " ".join("".join(v).split()) for k, v in self._text.items()}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and attrs["name"] in self.fields:
                self.fields[attrs["name"]].setdefault("options", []).append(attrs)
            else:
                self.fields.setdefault(attrs["name"], attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("input", "br", "meta", "link", "img", "hr"):
            return
        self._open.append((tag, attrs.get("id")))
        if attrs.get("id"):
            self._text.setdefault(attrs["id"], [])

    def handle_endtag(self, tag):
        while self._open:
            opened, _ = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self._text[element_id].append(data)

    def message_of(self, name: str) -> str:
        """The text of what the field's aria-describedby points at (its hint and its error)."""
        ids = (self.fields[name].get("aria-describedby") or "").split()
        return " ".join(self.texts.get(i, "") for i in ids)


class ServiceConsole:
    """A service's app on fresh Ambiti, driven as a browser without JavaScript would: `service` names its
    databases, `key` fills its development token key, `create_app` is the service's app factory."""

    service = ""
    key = "c"

    def __init__(self, tenants, settings, catalogue_path):
        self.app = self.create_app(settings=Settings(tenants_file=catalogue_path, jwt_dev_key="console-" + self.key * 32,
                                                     database_url=settings.database_url,
                                                     kafka_bootstrap=settings.kafka_bootstrap))
        self.tenants = tenants
        self.slug, self.other = tenants.slugs()[:2]

    @staticmethod
    def create_app(*, settings):
        raise NotImplementedError

    def client(self, role: str, subject: str = "operatore-1", tenant: str | None = None):
        """A test client logged in through the development login page as `role` of `tenant`."""
        client = self.app.test_client()
        login = client.get("/accesso/sviluppo")
        assert login.status_code == 200, login.text
        answer = client.post("/accesso/sviluppo", data={**csrf(login.text), "ruolo": role,
                                                        "ambito": tenant or self.slug, "soggetto": subject})
        assert answer.status_code in (302, 303), answer.text
        return client

    def url(self, slug: str | None = None) -> str:
        return self.tenants.url_for(self.tenants.get(slug or self.slug), self.service)

    def db(self, sql: str, *args, slug: str | None = None):
        with psycopg.connect(self.url(slug)) as conn:
            return conn.execute(sql, args).fetchall()


def merge_other_into_first(path: Path, console: ServiceConsole) -> Path:
    """The catalogue at `path` with `console.other` merged into `console.slug` (on 2024-07-01)."""
    document = yaml.safe_load(path.read_text())
    for entry in document["tenants"]:
        if entry["slug"] == console.other:
            entry.update(status="merged", merged_into=console.slug, merged_on="2024-07-01")
        if entry["slug"] == console.slug:
            entry["merged_from"] = [console.other]
    path.write_text(yaml.safe_dump(document))
    return path


def csrf(html: str) -> dict:
    """The form's CSRF field (name and value), as a browser posts it back."""
    found = [(name, attrs.get("value", "")) for name, attrs in Page(html).fields.items()
             if "csrf" in name.lower() and attrs.get("type") == "hidden"]
    assert found, "the form carries no CSRF field"
    return dict(found[:1])


def post(client, url: str, data: dict, *, form_page: str | None = None):
    """Post a form the way a browser does: the CSRF token of the page the form is on."""
    page = client.get(form_page or url)
    assert page.status_code == 200, page.text
    return client.post(url, data={**csrf(page.text), **data})
