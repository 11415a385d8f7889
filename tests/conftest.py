"""The real stack for integration and end-to-end tests: started once per session, on test ports,
in a throw-away folder, by the same code as `make up`."""

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from scoremate_stack import Stack, StackConfig
from scoremate_stack.config import SERVICES
from tests.otlp_receiver import OtlpReceiver
from tests.support import ApiClient

# Settings the tests need different from production defaults (fast retries, short grace).
TEST_SERVICE_ENV: dict[str, dict[str, str]] = {
    service: {
        "CONSUMER_RETRY_BASE_SECONDS": "0.2",
        "CONSUMER_RETRY_MAX_DELAY_SECONDS": "5",
        "LOG_LEVEL": "INFO",
    }
    for service in SERVICES
}


def _port_offset() -> int:
    # Parallel runs on one machine (several developers' checkouts) each take their own ports.
    return int(os.environ.get("SCOREMATE_TEST_PORT_OFFSET", "0"))


# Billing notifies a real local webhook receiver and SMTP server (tests/billing/receivers.py).
WEBHOOK_PORT = 14390 + _port_offset()
SMTP_PORT = 14391 + _port_offset()
# A small Solo quota, so that crossing 80 % takes a few corpus files.
TEST_SOLO_QUOTA_MB = 5
TEST_SERVICE_ENV["billing"].update(
    {
        "SOLO_QUOTA_MB": str(TEST_SOLO_QUOTA_MB),
        "NOTIFY_WEBHOOK_URL": f"http://127.0.0.1:{WEBHOOK_PORT}/hooks/usage",
        "NOTIFY_WEBHOOK_SECRET": "test-webhook-secret",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(SMTP_PORT),
    }
)
TEST_SERVICE_ENV["files"]["DEFAULT_QUOTA_BYTES"] = str(TEST_SOLO_QUOTA_MB * 1024 * 1024)
# A referrer is paid for this many referrals at most (tests/security/test_referrals.py); a resent
# verification e-mail waits this long after the previous one.
TEST_REFERRAL_CAP = 3
TEST_SERVICE_ENV["billing"]["REFERRAL_MAX_PAID_PER_REFERRER"] = str(TEST_REFERRAL_CAP)
TEST_VERIFICATION_RESEND_SECONDS = 3
TEST_SERVICE_ENV["auth"]["EMAIL_VERIFICATION_RESEND_SECONDS"] = str(TEST_VERIFICATION_RESEND_SECONDS)
# The reservation sweeper looks every second (tests move a reservation's expiry into the past).
TEST_SERVICE_ENV["files"]["SWEEP_INTERVAL_SECONDS"] = "1"
# Reconciliation deletes staging strays a second old (tests/security/test_write_once_uploads.py).
TEST_RECONCILE_GRACE_SECONDS = 1
TEST_SERVICE_ENV["files"]["RECONCILE_GRACE_SECONDS"] = str(TEST_RECONCILE_GRACE_SECONDS)
# Resumable uploads from 1 MiB, in parts of S3's minimum (tests/test_multipart_uploads.py).
TEST_MULTIPART_THRESHOLD_BYTES = 1024 * 1024
TEST_MULTIPART_PART_BYTES = 5 * 1024 * 1024
TEST_SERVICE_ENV["files"]["MULTIPART_THRESHOLD_BYTES"] = str(TEST_MULTIPART_THRESHOLD_BYTES)
TEST_SERVICE_ENV["files"]["MULTIPART_PART_BYTES"] = str(TEST_MULTIPART_PART_BYTES)
# A user may ask for their thumbnails again this many times an hour
# (tests/security/test_refresh_rate_limit.py).
TEST_REFRESH_THUMBNAILS_PER_HOUR = 3
TEST_SERVICE_ENV["processor"]["REFRESH_THUMBNAILS_PER_HOUR"] = str(TEST_REFRESH_THUMBNAILS_PER_HOUR)


# The live sync stream's heartbeat (and token recheck) every second (tests/test_sync_stream.py).
TEST_SYNC_HEARTBEAT_SECONDS = 1
TEST_SERVICE_ENV["sync"]["SYNC_HEARTBEAT_SECONDS"] = str(TEST_SYNC_HEARTBEAT_SECONDS)
# The exports service's memory ceiling (RLIMIT_DATA): tests/exports/test_export_large.py exports a
# library larger than it. Last month's report is written within a second of the start.
TEST_EXPORTS_MEMORY_LIMIT_BYTES = 256 * 1024 * 1024
TEST_SERVICE_ENV["exports"]["MEMORY_LIMIT_BYTES"] = str(TEST_EXPORTS_MEMORY_LIMIT_BYTES)
TEST_SERVICE_ENV["exports"]["REPORT_SCHEDULE_CHECK_SECONDS"] = "1"
# The one browser origin the gateway answers CORS for (tests/test_cors.py).
TEST_CORS_ORIGIN = "https://app.scoremate.test"


@pytest.fixture(scope="session")
def otlp() -> Iterator[OtlpReceiver]:
    """Where every service of the test stack exports its spans."""
    receiver = OtlpReceiver(14318 + _port_offset())
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def stack(otlp: OtlpReceiver) -> Iterator[Stack]:
    # Not under pytest's tmp_path: PostgreSQL runs as `postgres` and needs to traverse the path.
    run_dir = Path(tempfile.mkdtemp(prefix="scoremate-test-"))
    run_dir.chmod(0o755)
    tracing = {"OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"}
    extra_env = {service: {**env, **tracing} for service, env in TEST_SERVICE_ENV.items()}
    stack = Stack(
        StackConfig.for_tests(
            run_dir, extra_env=extra_env, port_offset=_port_offset(), cors_origins=(TEST_CORS_ORIGIN,)
        )
    )
    try:
        stack.up()
        yield stack
    finally:
        stack.down()
        if os.environ.get("SCOREMATE_KEEP_TEST_STACK") is None:
            shutil.rmtree(run_dir, ignore_errors=True)
        else:
            print(f"test stack kept in {run_dir}")


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[ApiClient]:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        yield ApiClient(http)
