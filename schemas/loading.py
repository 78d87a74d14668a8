"""Config files (YAML or JSON) to validated models, with errors that name the file and line."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class ConfigError(Exception):
    """A config file an operator must fix: `<path>:<line>: <message>`, like a compiler error."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.message}"


def load_yaml_model(path: Path, model: type[M]) -> M:
    """Read, parse and validate one config file, or raise ConfigError saying where it is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), None, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise ConfigError(str(path), None, f"cannot read: {exc.strerror or exc}") from None
    return load_yaml_text(text, str(path), model)


def load_yaml_text(text: str, source: str, model: type[M]) -> M:
    """Parse YAML (JSON when `source` ends in .json) and validate; `source` names it in errors."""
    if source.lower().endswith(".json"):
        document = _parse_json(text, source)
        root = _compose_quietly(text.replace("\t", " "))  # JSON whitespace tabs are YAML errors
    else:
        document, root = _parse_yaml(text, source)
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise _config_error(exc, source, root) from None


def _parse_json(text: str, source: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(source, exc.lineno, f"invalid JSON: {exc.msg}") from None


def _parse_yaml(text: str, source: str) -> tuple[object, yaml.Node | None]:
    """One parse gives both the data and the node tree that knows every value's line."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        document = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(source, line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(source, None, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return document, root


def _compose_quietly(text: str) -> yaml.Node | None:
    """Lines are a courtesy: text that parsed as JSON but not as YAML just loses them."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def _config_error(error: ValidationError, source: str, root: yaml.Node | None) -> ConfigError:
    problems = error.errors()
    first = problems[0]
    message = f"{_dotted(first['loc'])}: {first['msg']}"
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more error(s))"
    return ConfigError(source, node_line(root, first["loc"]), message)


def _dotted(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc) or "(document)"


def node_line(root: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """1-based line of the node at `loc`, or of its nearest ancestor present in the file."""
    if root is None:
        return None
    node: yaml.Node = root
    line = root.start_mark.line + 1
    for index, part in enumerate(loc):
        child = _child(node, part)
        if child is None:
            continue  # a missing field, or a pydantic union tag that is not in the file
        key_node, node = child
        key_is_at_fault = tuple(loc[index + 1 : index + 2]) == ("[key]",)  # pydantic's marker
        anchor = node if isinstance(node, yaml.ScalarNode) and not key_is_at_fault else key_node
        line = anchor.start_mark.line + 1
    return line


def _child(node: yaml.Node, part: int | str) -> tuple[yaml.Node, yaml.Node] | None:
    """(the node that names the child, the child) for one step of a pydantic `loc`."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                return key_node, value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item = node.value[part]
        return item, item
    return None
