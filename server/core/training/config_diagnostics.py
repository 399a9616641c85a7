"""`promptweight.train.yaml` checked as the user types: every problem located at its key or
value, as the prompt files' are. The same checks as `load_run_config`, which a run starts with."""

from __future__ import annotations

import yaml
from pydantic import ValidationError

from server.core.formats.frontmatter import yaml_error_problem
from server.core.prompt_model import Problem, Span
from server.core.yaml_limits import compose_limited
from shared_schemas.training import TrainingConfig

CODE = "train-config"


def is_training_config(name: str) -> bool:
    return name.endswith("promptweight.train.yaml") or name.endswith(".train.yaml")


def _span(node: yaml.Node) -> Span:
    return Span(node.start_mark.index, max(node.start_mark.index, node.end_mark.index))


def _node_at(root: yaml.Node, path: tuple[int | str, ...]) -> yaml.Node:
    """The node at `path` (keys and indexes), or the deepest one on the way."""
    node = root
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            found = next((value for key, value in node.value if key.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            found = node.value[step] if step < len(node.value) else None
        else:
            found = None
        if found is None:
            break
        node = found
    return node


def _key_span(root: yaml.Node, path: tuple[int | str, ...]) -> Span:
    """An unexpected key's own span (else its mapping's)."""
    parent = _node_at(root, path[:-1])
    if isinstance(parent, yaml.MappingNode):
        for key, _value in parent.value:
            if key.value == path[-1]:
                return _span(key)
    return _span(parent)


def check_config_text(text: str) -> list[Problem]:
    """Every problem of a run config's text, each at its place."""
    try:
        value, root, refusal = compose_limited(text, yaml.SafeLoader, single=True)
    except yaml.YAMLError as error:
        return [yaml_error_problem(error, 0, len(text), CODE)]
    if refusal is not None:
        return [Problem("error", refusal.code, refusal.reason, Span(refusal.start, refusal.end))]
    first_line = Span(0, text.find("\n") if "\n" in text else len(text))
    if root is None or not isinstance(value, dict):
        return [Problem("error", CODE, "a training config is a mapping of settings", first_line)]
    try:
        TrainingConfig.model_validate(value)
    except ValidationError as error:
        problems = []
        for found in error.errors():
            path = tuple(found["loc"])
            if found["type"] == "missing":
                where, message = first_line, f"`{'.'.join(map(str, path))}` is required"
            elif found["type"] == "extra_forbidden":
                where, message = _key_span(root, path), f"unknown setting `{path[-1]}`"
            else:
                where = _span(_node_at(root, path))
                message = f"`{'.'.join(map(str, path))}`: {found['msg']}"
            problems.append(Problem("error", CODE, message, where))
        return sorted(problems, key=lambda p: p.span.start)
    return []
