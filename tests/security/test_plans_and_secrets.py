"""Issue 11 rows 1 and 2: plans only through a receipt that is checked and used once, and no
service that starts outside development on the repository's own secrets."""

import os
import subprocess
import sys

import pytest

from scoremate_stack.config import SERVICES
from tests.support import ApiClient

pytestmark = pytest.mark.stack


async def test_one_receipt_buys_one_plan_once(api: ApiClient):
    first, second = await api.register(), await api.register()
    receipt = {"plan": "pro", "receipt": "sandbox:pro:order-4711"}
    bought = await api.http.post("/billing/plan", headers=first.headers, json=receipt)
    assert bought.status_code == 200, bought.text
    reused = await api.http.post("/billing/plan", headers=second.headers, json=receipt)
    assert reused.status_code == 409, reused.text
    assert reused.json()["type"].endswith("/receipt-used")
    plan = await api.http.get("/billing/plan", headers=second.headers)
    assert plan.json()["plan"] == "solo"
    # The buyer going back to Solo and up again with the same receipt buys nothing either.
    await api.http.post("/billing/plan", headers=first.headers, json={"plan": "solo"})
    again = await api.http.post("/billing/plan", headers=first.headers, json=receipt)
    assert again.status_code == 409


@pytest.mark.parametrize("service", SERVICES)
def test_no_service_starts_outside_development_on_the_stacks_own_secrets(stack, service):
    env = {**os.environ, **stack.cfg.service_env(service), "ENVIRONMENT": "production"}
    started = subprocess.run(
        [sys.executable, "-c", f"from scoremate_{service}.main import create_app; create_app()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode != 0
    assert "development or placeholder secret" in started.stderr or "sandbox" in started.stderr


async def test_private_signing_keys_are_sealed_in_their_table(api: ApiClient, stack):
    """Row 10: a dump of the auth schema gives no key to sign tokens with; tokens still work."""
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    user = await api.register()
    assert (await api.http.get("/auth/me", headers=user.headers)).status_code == 200
    engine = create_async_engine(stack.superuser_database_url)
    try:
        async with engine.connect() as conn:
            result = await conn.execute(sa.text("SELECT private_key_pem FROM auth.signing_keys"))
            stored = list(result.scalars())
    finally:
        await engine.dispose()
    assert stored
    assert not [s for s in stored if "PRIVATE KEY" in s]
