"""The ScoreMate stack started natively: PostgreSQL, RabbitMQ, SeaweedFS, nginx and the services."""

from scoremate_stack.config import DEV_PORTS, SERVICES, TEST_PORTS, StackConfig
from scoremate_stack.stack import Stack, StackError, install

__all__ = ["DEV_PORTS", "SERVICES", "TEST_PORTS", "Stack", "StackConfig", "StackError", "install"]
