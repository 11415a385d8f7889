"""The queue type is one decision applied everywhere (docs/SCALING.md: durable classic queues): the
job queue, every event queue and their retry and dead-letter queues, as RabbitMQ itself reports
them once every service has declared its own."""

import json
import subprocess

import pytest

from scoremate_stack import infra

pytestmark = pytest.mark.stack


def test_every_queue_of_every_service_is_a_durable_classic_queue(stack):
    listed = subprocess.run(
        [
            str(infra.RABBIT_SERVER.parent / "rabbitmqctl"),
            "-q",
            "list_queues",
            "name",
            "type",
            "durable",
            "--formatter",
            "json",
        ],
        env=infra.rabbit_env(stack.cfg),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    queues = {queue["name"]: queue for queue in json.loads(listed.stdout)}
    ours = {name: q for name, q in queues.items() if name.split(".", 1)[0] in infra.SERVICES}
    # Each service consumes events; the processor's job queue is one of its own.
    assert {name.split(".", 1)[0] for name in ours} == set(infra.SERVICES)
    assert "processor.jobs" in ours
    assert any(name.endswith(".retry") for name in ours)
    assert any(name.endswith(".dlq") for name in ours)
    assert {(q["type"], q["durable"]) for q in ours.values()} == {("classic", True)}
