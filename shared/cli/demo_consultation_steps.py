"""The demo's FASE 2 steps for one Ambito over consultation's HTTP API. Each step reads what exists (by title
or natural key) and writes only what is missing, so a second run writes nothing; creating POSTs carry stable
Idempotency-Keys, for a run interrupted between a write and its answer."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
# Attendees' names are personal data in the register: the demo's are made up and say so.
ATTENDEES = ["Mario Rossi (dimostrativo)", "Giulia Bianchi (dimostrativa)", "Luca Esposito (dimostrativo)",
             "Anna Romano (dimostrativa)", "Paolo Colombo (dimostrativo)", "Francesca Ricci (dimostrativa)",
             "Marco Greco (dimostrativo)", "Sara Bruno (dimostrativa)"]
POINTS = 10


def run(demo, tables: dict) -> str:
    """Everything after the tables; the line that says what the Ambito holds."""
    spec, held, present, needs, proposals = demo.spec, 0, 0, {}, {}
    for number, (_kind, title, *_rest) in enumerate(spec["tables"]):
        work, table = spec["work"].get(title), tables[title]
        if work is None:
            continue
        session = held_session(demo, table, work, number)
        present += attendance(demo, table, session, work, number)
        approved_minutes(demo, table, session, work, number)
        held += 1
        needs.update(record_needs(demo, table, session, work, number))
        proposals.update(submit_proposals(demo, table, work, number, needs))
    closed = closed_round(demo, tables, proposals)
    winner = accepted(demo, closed)
    year, milestones = cronoprogramma(demo)
    offers = map_of_services(demo)
    first = closed["results"]["ranking"][0]
    return (f"{demo.tenant}: {len(tables)} tables, {held} sessions held with attendance ({present} attendees)"
            f" and approved minutes, {len(needs)} needs, {len(proposals)} proposals; round «{closed['title']}»"
            f" closed ({closed['results']['ballots_count']} ballots, first with {first['points']} points);"
            f" accepted «{winner['title']}» (proposal.accepted); cronoprogramma {year}: {milestones} milestones;"
            f" {offers} services on the map; "
            + (f"{demo.writes} writes in this run" if demo.writes else "nothing new in this run (already loaded)"))


def held_session(demo, table: dict, work: dict, number: int) -> dict:
    """The table's first session, scheduled in the past, its members invited, held."""
    coordinator, title = demo.coordinator(table), f"{table['title']} – primo incontro"
    found = [s for s in demo.all(f"/tables/{table['id']}/sessions") if s["title"] == title
             and s["status"] != "cancelled"]
    if found:
        session = found[0]
    else:
        day = datetime.now(ROME).date() - timedelta(days=work["days_ago"])
        starts = datetime.combine(day, time(10, 0), ROME)
        session, _ = demo.write("POST", f"/tables/{table['id']}/sessions", {
            "title": title, "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2, minutes=30))
            .isoformat(), "place": demo.spec["place"], "video_link": demo.spec["video_link"],
            "agenda": work["agenda"]}, coordinator, key=f"session-{number}", expect=(201,))
    if session["status"] == "scheduled":
        demo.write("POST", f"/sessions/{session['id']}/invitations", {}, coordinator, key=f"invitations-{number}",
                   expect=(201,))
        _, etag = demo.get(f"/sessions/{session['id']}")
        session, _ = demo.write("POST", f"/sessions/{session['id']}/hold", {}, coordinator, etag=etag)
    return session


def attendance(demo, table: dict, session: dict, work: dict, number: int) -> int:
    """The register: one attendee per organisation present (read back through the summary, which names
    nobody and logs no access)."""
    summary, _ = demo.get(f"/sessions/{session['id']}/attendance-summary")
    present = {o["organisation_id"] for o in summary["organisations"]}
    starts = datetime.fromisoformat(session["starts_at"])
    for i, (organisation, mode) in enumerate(work["attendees"]):
        if demo.replica[organisation] in present:
            continue
        demo.write("POST", f"/sessions/{session['id']}/attendance", {
            "organisation_id": demo.replica[organisation], "mode": mode,
            "arrived_at": (starts + timedelta(minutes=2 * i)).isoformat(),
            "left_at": (starts + timedelta(hours=2)).isoformat(),
            "attendee_name": ATTENDEES[(number + i) % len(ATTENDEES)],
            "attendee_role": "Referente dell'organizzazione al tavolo"}, demo.coordinator(table),
            key=f"attendance-{number}-{i}", expect=(201,))
    return len(work["attendees"])


def minutes_text(demo, table: dict, session: dict, work: dict) -> str:
    """The minutes: a public document, so organisations and no person."""
    day = datetime.fromisoformat(session["starts_at"]).astimezone(ROME)
    modes = {"in_person": "in presenza", "remote": "da remoto"}
    lines = [f"# Verbale – {session['title']}", "", f"Riunione: {table['title']}.", "",
             f"Il giorno {day:%d/%m/%Y} alle ore {day:%H:%M}, presso {demo.spec['place']} e in videoconferenza, "
             "si sono riunite le organizzazioni indicate di seguito.", "", "## Organizzazioni presenti", ""]
    lines += [f"- {name} ({modes[mode]})" for name, mode in work["attendees"]]
    lines += ["", "## Ordine del giorno", ""] + [f"{n}. {item}" for n, item in enumerate(work["agenda"], 1)]
    lines += ["", "## Sintesi della discussione", "", work["summary"], "",
              "_Verbale dimostrativo: dati inventati per la dimostrazione._"]
    return "\n".join(lines)


def approved_minutes(demo, table: dict, session: dict, work: dict, number: int) -> None:
    """Minutes drafted and approved by the table's coordinator, unless a version is in force."""
    coordinator, path = demo.coordinator(table), f"/sessions/{session['id']}/minutes"
    listing, _ = demo.get(path, coordinator)
    if listing["in_force"]:
        return
    drafts = [m for m in listing["items"] if m["status"] == "draft"]
    if drafts:
        _, etag = demo.get(f"{path}/{drafts[0]['number']}", coordinator)
        draft = drafts[0]
    else:
        draft, etag = demo.write("POST", path, {"body": minutes_text(demo, table, session, work)}, coordinator,
                                 key=f"minutes-{number}", expect=(201,))
    demo.write("POST", f"{path}/{draft['number']}/approve", {}, coordinator, etag=etag)


def record_needs(demo, table: dict, session: dict, work: dict, number: int) -> dict:
    """The table's needs by title: each by its organisation's representative, or by the coordinator on behalf."""
    found = {n["title"]: n for n in demo.all(f"/needs?table_id={table['id']}")}
    for i, need in enumerate(work["needs"]):
        if need["title"] in found:
            continue
        token = demo.coordinator(table) if need["on_behalf"] else demo.representative(need["by"])
        found[need["title"]], _ = demo.write("POST", "/needs", {
            "table_id": table["id"], "session_id": session["id"], "organisation_id": demo.replica[need["by"]],
            "on_behalf": need["on_behalf"], "title": need["title"], "description": need["description"],
            "area": need["area"], "target_group": need["target_group"],
            "comuni": [demo.spec["comuni"][c] for c in need["comuni"]], "evidence": need["evidence"]},
            token, key=f"need-{number}-{i}", expect=(201,))
    return {n["title"]: found[n["title"]] for n in work["needs"]}


def submit_proposals(demo, table: dict, work: dict, number: int, needs: dict) -> dict:
    """The table's proposals by title, each submitted by its organisation's representative."""
    found = {p["title"]: p for p in demo.all(f"/proposals?table_id={table['id']}")}
    for i, proposal in enumerate(work["proposals"]):
        if proposal["title"] in found:
            continue
        found[proposal["title"]], _ = demo.write("POST", "/proposals", {
            "table_id": table["id"], "organisation_id": demo.replica[proposal["by"]],
            "need_ids": [needs[title]["id"] for title in proposal["needs"]],
            "title": proposal["title"], "description": proposal["description"],
            "expected_outcome": proposal["expected_outcome"],
            "deliverers": [demo.replica[name] for name in proposal["deliverers"]],
            "estimated_cost": proposal["estimated_cost"]},
            demo.representative(proposal["by"]), key=f"proposal-{number}-{i}", expect=(201,))
    return {p["title"]: found[p["title"]] for p in work["proposals"]}


def closed_round(demo, tables: dict, proposals: dict) -> dict:
    """The prioritisation round on the table's proposals: opened, a ballot per member, closed early."""
    spec = demo.spec["round"]
    table = tables[spec["table"]]
    coordinator = demo.coordinator(table)
    ids = [proposals[p["title"]]["id"] for p in demo.spec["work"][spec["table"]]["proposals"]]
    found = [r for r in demo.all(f"/rounds?table_id={table['id']}") if r["title"] == spec["title"]
             and r["status"] != "cancelled"]
    if found:
        ballot_round = found[0]
    else:
        closes = datetime.now(timezone.utc) + timedelta(days=7)
        ballot_round, _ = demo.write("POST", "/rounds", {
            "table_id": table["id"], "title": spec["title"], "description": spec["description"],
            "proposal_ids": ids, "points": POINTS, "closes_at": closes.isoformat()}, coordinator, key="round",
            expect=(201,))
    if ballot_round["status"] == "open":
        for organisation, points in spec["ballots"].items():
            path = f"/rounds/{ballot_round['id']}/ballots/{demo.replica[organisation]}"
            if demo.get(path, missing_ok=True)[0] is None:
                demo.write("PUT", path, {"allocations": [{"proposal_id": pid, "points": n}
                                                         for pid, n in zip(ids, points)]},
                           demo.representative(organisation))
        _, etag = demo.get(f"/rounds/{ballot_round['id']}")
        demo.write("POST", f"/rounds/{ballot_round['id']}/close", {}, coordinator, etag=etag)
    return demo.get(f"/rounds/{ballot_round['id']}")[0]


def accepted(demo, closed: dict) -> dict:
    """The round's first proposal through evaluation (the Ufficio di Piano's valuator), assessment and
    acceptance: `proposal.accepted` goes to planning."""
    spec, pid = demo.spec["round"], closed["results"]["ranking"][0]["proposal_id"]
    proposal, etag = demo.get(f"/proposals/{pid}")
    if proposal["status"] == "submitted":
        proposal, etag = demo.write("POST", f"/proposals/{pid}/evaluation",
                                    {"valuators": [demo.operator_account]}, etag=etag)
    if proposal["status"] == "under_evaluation":
        if not any(a["valuator"] == demo.operator_account for a in proposal["assessments"]):
            demo.write("PUT", f"/proposals/{pid}/assessment", spec["assessment"])
        _, etag = demo.get(f"/proposals/{pid}")
        proposal, _ = demo.write("POST", f"/proposals/{pid}/decision",
                                 {"outcome": "accepted", "answer": spec["answer"]}, etag=etag)
    if proposal["status"] != "accepted":
        raise RuntimeError(f"proposal {proposal['title']!r} of {demo.tenant} is {proposal['status']}, not accepted")
    return proposal


def cronoprogramma(demo) -> tuple[int, int]:
    """This year's template milestones; the call for applications done, the tables in progress."""
    today = datetime.now(ROME).date()
    template, _ = demo.write("POST", "/timeline/template", {"year": today.year})
    if not template["created"]:
        demo.writes -= 1    # a 200 says the year held them all: nothing was written
    for milestone in template["items"]:
        start, end = date.fromisoformat(milestone["planned_start"]), date.fromisoformat(milestone["planned_end"])
        if milestone["status"] != "planned":
            continue
        if milestone["template_key"] == "avviso" and end < today:
            change = {"status": "done", "actual_start": milestone["planned_start"],
                      "actual_end": milestone["planned_end"]}
        elif milestone["template_key"] == "tavoli" and start <= today:
            change = {"status": "in_progress", "actual_start": milestone["planned_start"]}
        else:
            continue
        _, etag = demo.get(f"/timeline/milestones/{milestone['id']}")
        demo.write("PATCH", f"/timeline/milestones/{milestone['id']}", change, etag=etag)
    return today.year, len(template["items"])


def map_of_services(demo) -> int:
    """A few services of the Ambito's organisations, recorded by the Ufficio di Piano."""
    found = {(o["organisation"]["id"], o["name"]) for o in demo.all("/offer?current=false")}
    for i, offer in enumerate(demo.spec["offers"]):
        organisation = demo.replica[offer["by"]]
        if (organisation, offer["name"]) in found:
            continue
        body = {k: v for k, v in offer.items() if k != "by"}
        demo.write("POST", "/offer", {**body, "organisation_id": organisation,
                                      "comuni": [demo.spec["comuni"][c] for c in offer["comuni"]]},
                   key=f"offer-{i}", expect=(201,))
    return len(demo.spec["offers"])
