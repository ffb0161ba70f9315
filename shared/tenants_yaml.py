"""The tenant catalogue's YAML, read with the line of every value, so that errors name the line.

PyYAML's composed nodes carry marks (0-based line, column); the loader below
builds plain dicts and lists that remember the 1-based line of each value
(`Located.line_of(key)`), refuses a key written twice in one mapping (PyYAML
would keep the last silently), and keeps a date it cannot read (2020-13-01) as
text, so that the catalogue's own check names its line instead of PyYAML failing
without one.
"""
from __future__ import annotations

import yaml


class YamlError(ValueError):
    """The text is not YAML, or a mapping repeats a key; `line` is 1-based (None if unknown)."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


class LocatedDict(dict):
    """A mapping that remembers its own line and the line of each value."""

    line: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict = {}


class LocatedList(list):
    """A sequence that remembers its own line and the line of each item."""

    line: int | None = None

    def __init__(self, *args):
        super().__init__(*args)
        self.lines: list[int] = []


def line_of(container, key=None) -> int | None:
    """The line of `container[key]` (or of the container itself), if the container was read from a file."""
    if key is None:
        return getattr(container, "line", None)
    lines = getattr(container, "lines", None)
    if isinstance(lines, dict):
        return lines.get(key, getattr(container, "line", None))
    if isinstance(lines, list) and isinstance(key, int) and 0 <= key < len(lines):
        return lines[key]
    return getattr(container, "line", None)


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise YamlError(f"the key {key!r} is written twice in one mapping", key_node.start_mark.line + 1)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = value_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(item, deep=True) for item in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [item.start_mark.line + 1 for item in node.value]
    return result


def _timestamp(loader: _Loader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:   # 2020-13-01 looks like a date and is not one: the catalogue's check says so
        return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def load_located(text: str):
    """The YAML document, with LocatedDict / LocatedList containers; YamlError naming the line."""
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(f"not valid YAML: {exc.problem or exc}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"not valid YAML: {exc}", None) from None
    finally:
        loader.dispose()
