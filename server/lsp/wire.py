"""Custom messages arrive as plain JSON and are validated by their shared_schemas model.

pygls turns the params of methods it does not know into namedtuples, which pydantic cannot
validate; this converter leaves them as the dicts they were on the wire.
"""

from __future__ import annotations

from typing import Any

from cattrs import Converter
from pygls.protocol import (
    JsonRPCNotification,
    JsonRPCRequestMessage,
    JsonRPCResponseMessage,
    default_converter,
)


def _as_sent(obj: dict[str, Any], cls: type[Any]) -> Any:
    return cls(**obj)


def first_argument(raw: Any) -> Any:
    """A command's parameters: `workspace/executeCommand` sends them as `arguments: [params]`."""
    return raw[0] if isinstance(raw, list) and raw else raw


def plain_json_converter() -> Converter:
    converter: Converter = default_converter()  # type: ignore[no-untyped-call]  # pygls is untyped here
    for message in (JsonRPCRequestMessage, JsonRPCNotification, JsonRPCResponseMessage):
        converter.register_structure_hook(message, _as_sent)
    return converter
