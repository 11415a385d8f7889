"""What every service process is made of: runtime (db, broker, outbox, keys) and the app factory."""

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse

from scoremate_shared.admin import dead_letter_router
from scoremate_shared.auth import TokenVerifier
from scoremate_shared.db import Database
from scoremate_shared.errors import problem, problem_response, register_problem_handlers
from scoremate_shared.http import RequestContextMiddleware
from scoremate_shared.messaging.asyncapi import events_asyncapi
from scoremate_shared.messaging.broker import EventHandlers, create_broker
from scoremate_shared.messaging.outbox import OutboxRelay
from scoremate_shared.messaging.tables import outbox_table
from scoremate_shared.migrations import upgrade_to_head
from scoremate_shared.openapi import install_openapi, operation_id
from scoremate_shared.revocations import RevocationReader
from scoremate_shared.settings import ServiceSettings
from scoremate_shared.storage import ObjectStorage
from scoremate_shared.telemetry import metrics
from scoremate_shared.telemetry.logs import configure_logging
from scoremate_shared.telemetry.queues import QueueDepthProbe
from scoremate_shared.telemetry.tracing import configure_tracing, shutdown_tracing, trace_database

log = logging.getLogger(__name__)

S = TypeVar("S", bound=ServiceSettings)
Hook = Callable[[], Awaitable[None]]


class ServiceRuntime(Generic[S]):
    """The long-lived parts of one service process, started and stopped by the app's lifespan."""

    def __init__(
        self,
        settings: S,
        *,
        migrations_dir: Path,
        handlers: "EventHandlers[Any] | None" = None,
        storage: ObjectStorage | None = None,
    ) -> None:
        """A subclass with handlers sets `handler_parts`: what its handlers get in `ctx.parts`."""
        self.settings = settings
        self.migrations_dir = migrations_dir
        self.db = Database(settings)
        self.broker = create_broker(settings)
        self.relay = OutboxRelay(
            self.db,
            self.broker,
            poll_seconds=settings.outbox_poll_seconds,
            batch_size=settings.outbox_batch_size,
        )
        self.revocations = RevocationReader(
            self.db,
            poll_seconds=settings.revocation_poll_seconds,
            retention=timedelta(seconds=settings.revocation_retention_seconds),
        )
        self.token_verifier = TokenVerifier(
            settings.jwks_url,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            revocations=self.revocations.list,
        )
        self.handlers = handlers
        self.handler_parts: Any = None
        self.storage = storage
        queues = handlers.queues if handlers is not None else []
        self.queue_probe = QueueDepthProbe(
            settings.amqp_url, [f"{q}{suffix}" for q in queues for suffix in ("", ".retry", ".dlq")]
        )
        self.on_startup: list[Hook] = []
        self.on_shutdown: list[Hook] = []

    async def start(self) -> None:
        configure_logging(self.settings.service_name, self.settings.log_level)
        configure_tracing(self.settings.service_name, self.settings.otel_exporter_otlp_endpoint)
        trace_database(self.db.engine)
        await asyncio.to_thread(upgrade_to_head, self.settings, self.migrations_dir)
        if self.storage is not None:
            await self.storage.start()
        if self.handlers is not None:
            self.handlers.attach(
                self.broker,
                db=self.db,
                parts=self.handler_parts,
                settings=self.settings,
                revocations=self.revocations,
            )
        await self._start_broker()
        if self.handlers is not None:
            await self.handlers.declare_retry_queues(self.broker)
        self.relay.start()
        for hook in self.on_startup:
            await hook()
        await self.token_verifier.prefetch()
        await self.revocations.refresh()  # before the first request: no revoked token slips by
        self.revocations.start()
        log.info("%s started", self.settings.service_name)

    async def stop(self) -> None:
        for hook in reversed(self.on_shutdown):
            await hook()
        await self.revocations.stop()
        await self.relay.stop()
        await self.queue_probe.close()
        await self.broker.stop()
        if self.storage is not None:
            await self.storage.close()
        await self.db.dispose()
        shutdown_tracing()

    async def _start_broker(self, attempts: int = 60) -> None:
        for attempt in range(1, attempts + 1):
            try:
                await self.broker.start()
                return
            except Exception as exc:  # broker still booting: wait rather than crash-loop
                if attempt == attempts:
                    raise
                log.warning("broker not reachable (%s); retrying", exc)
                await asyncio.sleep(1.0)

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(self.db.ping(), timeout=2.0)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unavailable: {exc.__class__.__name__}"
        try:
            ok = await self.broker.ping(timeout=2.0)
            checks["broker"] = "ok" if ok else "unavailable"
        except Exception as exc:
            checks["broker"] = f"unavailable: {exc.__class__.__name__}"
        return checks

    async def outbox_backlog(self) -> tuple[int, float]:
        """Rows not yet published, and the age in seconds of the oldest of them."""
        async with self.db.session() as session:
            row = (
                await session.execute(
                    sa.select(
                        sa.func.count(),
                        sa.func.coalesce(
                            sa.func.extract("epoch", sa.func.now() - sa.func.min(outbox_table.c.created_at)),
                            0,
                        ),
                    ).where(outbox_table.c.published_at.is_(None))
                )
            ).one()
        return int(row[0]), float(row[1])


def create_service_app(runtime: ServiceRuntime[Any], *, title: str, routers: Sequence[APIRouter]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        # What start-up loaded (modules, models, pools) lives as long as the process: out of the
        # collector's sight, a full collection under load walks only what requests allocate.
        gc.freeze()
        try:
            yield
        finally:
            await runtime.stop()

    # Before uvicorn's own start-up lines, so every line of the process is JSON.
    configure_logging(runtime.settings.service_name, runtime.settings.log_level)
    # RequestContextMiddleware opens the server span and records the metrics: FastAPI's own
    # telemetry would do both a second time on every request.
    app = FastAPI(
        title=title,
        lifespan=lifespan,
        telemetry={"tracing": False, "metrics": False, "logs": False},
        generate_unique_id_function=operation_id,
    )
    install_openapi(app)
    app.state.runtime = runtime
    app.state.db = runtime.db
    app.state.token_verifier = runtime.token_verifier
    app.add_middleware(RequestContextMiddleware)
    register_problem_handlers(app)
    app.include_router(_operations_router(runtime))
    app.include_router(
        dead_letter_router(
            runtime.settings.service_name,
            runtime.handlers.queues if runtime.handlers is not None else [],
            runtime.settings.amqp_url,
        )
    )
    for router in routers:
        app.include_router(router)
    return app


def _operations_router(runtime: ServiceRuntime[Any]) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Database and broker are reachable")
    async def readyz() -> Response:
        checks = await runtime.readiness()
        if all(v == "ok" for v in checks.values()):
            return JSONResponse({"status": "ready", "checks": checks})
        return problem_response(
            problem(503, "Not ready", "A dependency is unavailable", "not-ready", checks=checks)
        )

    asyncapi_document: dict[str, Any] = {}

    @router.get(
        "/asyncapi.json", summary="The events this service consumes (AsyncAPI)", include_in_schema=False
    )
    async def asyncapi() -> JSONResponse:
        if not asyncapi_document and runtime.handlers is not None:
            asyncapi_document.update(events_asyncapi(runtime.settings.service_name, runtime.handlers))
        return JSONResponse(asyncapi_document)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        try:
            backlog, oldest = await runtime.outbox_backlog()
            metrics.outbox_backlog.set(backlog)
            metrics.outbox_oldest_age_seconds.set(oldest)
        except Exception:  # the database may be away; still serve the rest
            log.debug("outbox backlog unavailable", exc_info=True)
        try:
            await asyncio.wait_for(runtime.queue_probe.refresh(), timeout=2)
        except Exception:  # the broker may be away
            log.debug("queue depth unavailable", exc_info=True)
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    return router
