"""The catalogue's sharing and merger declarations: read with the line of each, checked, turned into shares.

On a tenant: `shares: [{to, data, since}]` (what it gives), `merged_from` (on a
successor: each predecessor gives it everything non-personal, since the
predecessor's `merged_on`, unless the predecessor declares its own share to it
or `share_with_successor: false`), and on a predecessor `status: merged`,
`merged_into`, `merged_on`, `merger_reason`. Every refusal names the line
(docs/federation.md lists the rules and why).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from shared.sharing import DATA_SETS, EVERYTHING, Share, Sharing
from shared.tenants_yaml import line_of

SHARE_KEYS = ("to", "data", "since")
ALL_DATA = "everything"   # `data: everything`: every data set, today's and those added later


class Refusal(ValueError):
    """One rule broken: `container[key]` (its line) at `path`; shared/tenants.py adds the file and line."""

    def __init__(self, container, key, path: str, message: str):
        super().__init__(f"{path} {message}")
        self.line = line_of(container, key)


def read_date(container, key, path: str) -> date | None:
    """A YYYY-MM-DD date (YAML's own date, or the same as text); None if absent."""
    value = container.get(key)
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Refusal(container, key, f"{path}.{key}", f"must be a date written YYYY-MM-DD, not {value!r}")


def read_shares(entry, slug: str, where: str) -> tuple[Share, ...]:
    """The `shares:` a tenant entry declares, checked on their own (the tenants they name: `check`)."""
    shares = entry.get("shares")
    if shares is None:
        return ()
    if not isinstance(shares, list):
        raise Refusal(entry, "shares", f"{where}.shares", "must be a list of {to, data, since}")
    found = []
    for index, share in enumerate(shares):
        path = f"{where}.shares[{index}]"
        if not isinstance(share, dict):
            raise Refusal(shares, index, path, "must be a mapping {to, data, since}")
        unknown = [k for k in share if k not in SHARE_KEYS]
        if unknown:
            raise Refusal(share, unknown[0], path, f"has an unknown key {unknown[0]!r} (known: {', '.join(SHARE_KEYS)})")
        to = share.get("to")
        if not isinstance(to, str) or not to.strip():
            raise Refusal(share, "to", f"{path}.to", "is required: the slug of the receiving tenant")
        found.append(Share(origin=slug, to=to, data=_data(share, f"{path}.data"),
                           since=read_date(share, "since", path)))
    return tuple(found)


def _data(share, path: str) -> tuple[str, ...]:
    data = share.get("data")
    if data == ALL_DATA:
        return EVERYTHING
    if not isinstance(data, list) or not data:
        raise Refusal(share, "data", path, f"must list data sets ({', '.join(DATA_SETS)}) or be '{ALL_DATA}'")
    for index, name in enumerate(data):
        if not isinstance(name, str) or name not in DATA_SETS:
            raise Refusal(data, index, f"{path}[{index}]",
                          f"names unknown data set {name!r} (known: {', '.join(DATA_SETS)})")
        if name in data[:index]:
            raise Refusal(data, index, f"{path}[{index}]", f"repeats the data set {name!r}")
    return tuple(data)


def sharing_of(tenants) -> Sharing:
    """Every share the catalogue declares or implies (dated ones included: `Sharing.on(day)` filters)."""
    by_slug = {t.slug: t for t in tenants}
    shares = [share for tenant in tenants for share in tenant.shares]
    for successor in tenants:
        if successor.status == "merged":
            continue   # a merged Ambito receives nothing new: its replicas stay as its history
        for slug in successor.merged_from:
            predecessor = by_slug.get(slug)
            if predecessor is None or not predecessor.share_with_successor:
                continue
            if any(s.to == successor.slug for s in predecessor.shares):
                continue   # the predecessor's own declaration wins (it may narrow what is shared)
            shares.append(Share(origin=slug, to=successor.slug, data=EVERYTHING, since=predecessor.merged_on,
                                implied=True))
    return Sharing(shares)


def check(tenants: list, entries: list) -> list:
    """The rules across tenants (entries: the YAML mappings, for the lines); the tenants, merged_into filled."""
    index = {t.slug: i for i, t in enumerate(tenants)}
    successor_of = _check_merged_from(tenants, entries, index)
    tenants = [_check_merger(i, t, entries[i], tenants, index, successor_of) for i, t in enumerate(tenants)]
    for i, tenant in enumerate(tenants):
        _check_shares(i, tenant, entries[i], tenants, index, successor_of)
    return tenants


def _check_merged_from(tenants, entries, index) -> dict[str, int]:
    successor_of: dict[str, int] = {}
    for i, tenant in enumerate(tenants):
        listed = entries[i].get("merged_from")
        for k, slug in enumerate(tenant.merged_from):
            path = f"tenants[{i}].merged_from[{k}]"
            if slug not in index:
                raise Refusal(listed, k, path, f"names unknown tenant {slug!r}")
            if slug == tenant.slug:
                raise Refusal(listed, k, path, f"names {slug!r} itself: a tenant cannot be merged from itself")
            if slug in tenant.merged_from[:k]:
                raise Refusal(listed, k, path, f"repeats {slug!r}")
            if slug in successor_of:
                other = successor_of[slug]
                raise Refusal(listed, k, path, f"names {slug!r}, already merged into {tenants[other].slug!r}"
                                               f" (line {line_of(entries[other], 'merged_from')}): a tenant is"
                                               " merged into one successor only")
            successor_of[slug] = i
    for tenant in tenants:   # each tenant has one successor at most: a chain that comes back is a cycle
        chain, slug = [tenant.slug], tenant.slug
        while slug in successor_of:
            slug = tenants[successor_of[slug]].slug
            chain.append(slug)
            if slug == tenant.slug:
                last = successor_of[chain[-2]]
                listed = entries[last].get("merged_from")
                raise Refusal(listed, tenants[last].merged_from.index(chain[-2]), f"tenants[{last}].merged_from",
                              f"makes a merger cycle: {' -> '.join(chain)} (each merged into the next)")
            if len(chain) > len(tenants):
                break
    return successor_of


def _check_merger(i, tenant, entry, tenants, index, successor_of):
    path = f"tenants[{i}]"
    lister = successor_of.get(tenant.slug)
    if tenant.status != "merged":
        for key in ("merged_into", "merged_on", "merger_reason"):
            if entry.get(key) is not None:
                raise Refusal(entry, key, f"{path}.{key}", "is for a tenant with status: merged only")
    elif tenant.merged_into is None:
        if lister is None:
            raise Refusal(entry, "status", f"{path}.status", "is merged, but no tenant lists it in merged_from:"
                                                             " name its successor (merged_into) and list it there")
        tenant = replace(tenant, merged_into=tenants[lister].slug)
    elif tenant.merged_into not in index:
        raise Refusal(entry, "merged_into", f"{path}.merged_into", f"names unknown tenant {tenant.merged_into!r}")
    elif lister is None or tenants[lister].slug != tenant.merged_into:
        whose = "no tenant lists" if lister is None else f"{tenants[lister].slug!r} lists"
        raise Refusal(entry, "merged_into", f"{path}.merged_into",
                      f"names {tenant.merged_into!r}, which does not list {tenant.slug!r} in merged_from"
                      f" ({whose} it)")
    if entry.get("share_with_successor") is not None:
        if not isinstance(entry["share_with_successor"], bool):
            raise Refusal(entry, "share_with_successor", f"{path}.share_with_successor", "must be true or false")
        if lister is None:
            raise Refusal(entry, "share_with_successor", f"{path}.share_with_successor",
                          "is for a tenant listed in another's merged_from only")
    return tenant


def _predecessors(slug, tenants, index) -> set[str]:
    found, todo = set(), [slug]
    while todo:
        for p in tenants[index[todo.pop()]].merged_from:
            if p not in found:
                found.add(p)
                todo.append(p)
    return found


def _check_shares(i, tenant, entry, tenants, index, successor_of) -> None:
    nodes = entry.get("shares") or []
    successor = tenants[successor_of[tenant.slug]].slug if tenant.slug in successor_of else None
    for k, share in enumerate(tenant.shares):
        node, path = nodes[k], f"tenants[{i}].shares[{k}].to"
        if share.to not in index:
            raise Refusal(node, "to", path, f"names unknown tenant {share.to!r}")
        if share.to == tenant.slug:
            raise Refusal(node, "to", path, f"names {tenant.slug!r} itself: a tenant does not share with itself")
        earlier = [j for j, s in enumerate(tenant.shares[:k]) if s.to == share.to]
        if earlier:
            raise Refusal(node, "to", path, f"declares a second share to {share.to!r} (the first: line"
                                            f" {line_of(nodes[earlier[0]], 'to')}): one declaration per receiver")
        target = tenants[index[share.to]]
        if target.status == "merged":
            raise Refusal(node, "to", path, f"names {share.to!r}, a merged tenant: it receives nothing"
                                            f" (share with its successor {target.merged_into!r})")
        if share.to in _predecessors(tenant.slug, tenants, index):
            raise Refusal(node, "to", path, f"names {share.to!r}, merged into {tenant.slug!r}: a cycle"
                                            " (after a merger data flows one way, into the merged Ambito)")
        if share.to == successor and not tenant.share_with_successor:
            raise Refusal(node, "to", path, f"contradicts share_with_successor: false (line"
                                            f" {line_of(entry, 'share_with_successor')})")
