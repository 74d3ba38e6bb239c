"""Protocols: the file format, its validation and the step graph with its times."""

from elab.domain.protocol.graph import Edge, StepGraph, StepTime, Timing, step_time
from elab.domain.protocol.library import find_protocol, list_protocol_files
from elab.domain.protocol.loader import (
    ProtocolDocument,
    content_sha256,
    load_document,
    load_protocol,
    parameter_value,
    parse_overrides,
    protocol_from_content,
    protocol_from_tree,
)
from elab.domain.protocol.model import Protocol, Step, model_json_schema

__all__ = [
    "Edge",
    "Protocol",
    "ProtocolDocument",
    "Step",
    "StepGraph",
    "StepTime",
    "Timing",
    "content_sha256",
    "find_protocol",
    "list_protocol_files",
    "load_document",
    "load_protocol",
    "model_json_schema",
    "parameter_value",
    "parse_overrides",
    "protocol_from_content",
    "protocol_from_tree",
    "step_time",
]
