"""The committed AsyncAPI document is fresh, well formed and agrees with the worker's topics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from schemas.asyncapi import ASYNCAPI_PATH, TOPICS, build_asyncapi, main, render_asyncapi
from stream.settings import Settings


def _resolve(document: dict[str, Any], ref: str) -> Any:
    """Follow a local JSON pointer such as `#/components/messages/Brand`."""
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_committed_document_matches_a_fresh_build() -> None:
    committed = yaml.safe_load(ASYNCAPI_PATH.read_text(encoding="utf-8"))
    assert committed == build_asyncapi(), "stale: run `python -m schemas.asyncapi`"


def test_build_is_deterministic() -> None:
    assert render_asyncapi() == render_asyncapi()


def test_main_writes_the_rendered_document(tmp_path: Path) -> None:
    target = tmp_path / "asyncapi.yaml"
    main(["--output", str(target)])
    assert target.read_text(encoding="utf-8") == render_asyncapi()


def test_document_is_asyncapi_3() -> None:
    document = build_asyncapi()
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"] and document["info"]["version"]


def test_every_local_reference_resolves() -> None:
    document = build_asyncapi()
    refs = _refs(document)
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), ref
        _resolve(document, ref)


def test_every_channel_has_an_operation_and_a_message_with_payload() -> None:
    document = build_asyncapi()
    operated = {
        operation["channel"]["$ref"].removeprefix("#/channels/")
        for operation in document["operations"].values()
    }
    for channel_id, channel in document["channels"].items():
        assert channel_id in operated, f"no operation on {channel_id}"
        assert channel["messages"], f"no message on {channel_id}"
        for reference in channel["messages"].values():
            message = _resolve(document, reference["$ref"])
            assert message["payload"], f"no payload for {channel_id}"
            assert message["bindings"]["kafka"]["key"]["description"]


def test_payload_schemas_are_the_pydantic_models() -> None:
    schemas = build_asyncapi()["components"]["schemas"]
    for topic in TOPICS:
        generated = topic.model.model_json_schema(
            mode=topic.mode, ref_template="#/components/schemas/{model}"
        )
        generated.pop("$defs", None)
        assert schemas[topic.model.__name__] == generated


def test_every_worker_topic_is_described_with_its_partitions() -> None:
    defaults = Settings.model_fields
    worker_topics = {defaults[name].default for name in defaults if name.startswith("topic_")}
    addresses = {channel["address"] for channel in build_asyncapi()["channels"].values()}
    assert addresses == worker_topics
    partitions = defaults["partitions"].default
    for topic in TOPICS:
        expected = 1 if topic.cleanup_policy == "compact" else partitions
        assert topic.partitions == expected, topic.address
