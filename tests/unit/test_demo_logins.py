"""What `make demo` prints for logging in locally as each role (issue 13 item 7): every role is there, each
demo Ambito's office, the address of the right service's development login landing on a page, and the user
names are the demo's own accounts. tests/integration/test_demo_logins.py logs in with each line."""
from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from shared.cli import demo
from shared.cli.demo_consultation_lagonegrese_pollino import ACCOUNTS, TABLES
from shared.cli.demo_logins import demo_logins, login_lines
from shared.http.auth import REGIONAL_ROLES, ROLES
from shared.web.login import ROLE_NAMES
from shared.web.settings import LOCAL_URLS

FEATURED = "lagonegrese-pollino"
LOGINS = demo_logins(ambiti=list(demo.DEMO), featured=FEATURED, region="basilicata")


def test_every_role_and_every_demo_ambitos_office_can_log_in():
    assert {login.role for login in LOGINS} == set(ROLES)
    assert {login.tenant for login in LOGINS if login.role == "operator"} == set(demo.DEMO)
    for login in LOGINS:
        assert (login.tenant is None) == (login.role in REGIONAL_ROLES), login


def test_each_printed_address_is_the_services_development_login_landing_on_its_page():
    names = {slug: f"Nome di {slug}" for slug in demo.DEMO}
    lines = login_lines(LOGINS, urls=LOCAL_URLS, names=names)
    addresses = [line.strip() for line in lines if line.strip().startswith("http")]
    assert len(addresses) == len(LOGINS)
    for login, address in zip(LOGINS, addresses):
        url = urlsplit(address)
        assert f"{url.scheme}://{url.netloc}" == LOCAL_URLS[login.service] and url.path == "/accesso/sviluppo"
        assert parse_qs(url.query) == {"ruolo": [login.role], **({"ambito": [login.tenant]} if login.tenant else {}),
                                       "soggetto": [login.subject], "next": [login.landing]}
        assert login.landing.startswith("/") and not login.landing.startswith("//")
    text = "\n".join(lines)
    for login in LOGINS:   # what to pick in the form, as the form names it
        assert f"{ROLE_NAMES[login.role]} · " in text and f"«{login.subject}»" in text
        if login.tenant:
            assert f"«Nome di {login.tenant}»" in text
        assert re.fullmatch(r"[A-Za-z0-9._@-]+", login.subject)   # what the development login accepts


def test_the_user_names_are_the_demos_own_accounts():
    by_role = {login.role: login for login in LOGINS if login.tenant in (FEATURED, None)}
    coordinators = {table[5] for table in TABLES}
    assert by_role["coordinator"].subject in coordinators
    forum = [name for name, account in ACCOUNTS.items() if account == by_role["stakeholder"].subject]
    assert forum and any(forum[0] in table[6] for table in TABLES), "the representative sits at no table"
    # The office: the account the demo loads each Ambito's FASE 1 with (shared/cli/demo.py _fase_1).
    source = Path(demo.__file__).read_text()
    assert 'subject=f"ufficio-di-piano-{tenant}"' in source
    assert all(login.subject == f"ufficio-di-piano-{login.tenant}" for login in LOGINS if login.role == "operator")


def test_the_demo_prints_the_logins_before_the_portal_line_which_stays_last():
    tree = ast.parse(Path(demo.__file__).read_text())
    [load] = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "load"]
    prints = [n for n in ast.walk(load) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
    prints.sort(key=lambda n: n.lineno)
    last, before = ast.unparse(prints[-1]), ast.unparse(prints[-2])
    assert "/portale/" in last and "login_lines" in before
