"""Where the stack lives and which ports it uses: one set for `make up`, another for the tests."""

import os
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

SERVICES = ("auth", "files", "library", "processor", "billing", "sync", "exports")
# The services that touch objects: each has its own storage identity with only the rights its
# policy in deploy/storage-policies/ grants (library and sync sign cover URLs; auth, billing and
# the library may only write their part of an export).
STORAGE_SERVICES = ("auth", "files", "library", "processor", "billing", "sync", "exports")
REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Ports:
    gateway: int
    postgres: int
    amqp: int
    amqp_dist: int
    epmd: int
    s3: int
    weed_master: int
    weed_volume: int
    weed_filer: int
    weed_admin: int
    services: dict[str, int]
    # Prometheus (its UI and API) and RabbitMQ's own metrics endpoint (rabbitmq_prometheus).
    prometheus: int
    amqp_metrics: int


DEV_PORTS = Ports(
    gateway=8080,
    postgres=55432,
    amqp=45672,
    amqp_dist=45674,
    epmd=45369,
    s3=18333,
    weed_master=19333,
    weed_volume=19340,
    weed_filer=18888,
    weed_admin=23646,
    services={
        "auth": 8101,
        "files": 8102,
        "library": 8103,
        "processor": 8104,
        "billing": 8105,
        "sync": 8106,
        "exports": 8107,
    },
    prometheus=9090,
    amqp_metrics=15692,
)

# Distinct from the dev set so a test run never disturbs a running `make up` stack. SeaweedFS's
# gRPC ports are HTTP + 10000 and RabbitMQ's CLI takes 35672-35682: both stay clear.
TEST_PORTS = Ports(
    gateway=18080,
    postgres=56432,
    amqp=46672,
    amqp_dist=46674,
    epmd=46369,
    s3=24333,
    weed_master=24334,
    weed_volume=24340,
    weed_filer=24888,
    weed_admin=24646,
    services={
        "auth": 18101,
        "files": 18102,
        "library": 18103,
        "processor": 18104,
        "billing": 18105,
        "sync": 18106,
        "exports": 18107,
    },
    prometheus=29090,
    amqp_metrics=25692,
)


# An origin as a browser sends it: scheme, host and an optional port, nothing else (the value is
# written into the gateway's configuration, so nothing but these characters may reach it).
_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?")


DEFAULT_CORS_MAX_AGE_SECONDS = 600


def parse_cors_origins(text: str) -> tuple[str, ...]:
    """The origins of SCOREMATE_CORS_ORIGINS ("https://a.example, http://localhost:3000")."""
    origins = (part.strip().lower().rstrip("/") for part in text.split(","))
    return check_cors_origins(tuple(dict.fromkeys(origin for origin in origins if origin)))


def check_cors_origins(origins: tuple[str, ...]) -> tuple[str, ...]:
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise ValueError(f"not a CORS origin (scheme://host[:port], lower case): {origin!r}")
    return origins


def shift_ports(ports: Ports, offset: int) -> Ports:
    singles = {name: value + offset for name, value in vars(ports).items() if isinstance(value, int)}
    return replace(ports, **singles, services={k: v + offset for k, v in ports.services.items()})


@dataclass(frozen=True)
class StackConfig:
    run_dir: Path
    ports: Ports
    # Requests per second per client address on login and register.
    login_rate_per_second: int = 10
    login_burst: int = 20
    pg_superuser_password: str = "pg-dev-superuser-pw"
    amqp_user: str = "scoremate"
    amqp_password: str = "scoremate-dev-pw"
    # The storage admin: creates the bucket, and lets the tests look into it; never a service's.
    s3_access_key: str = "SCOREMATEDEVKEY"
    s3_secret_key: str = "scoremate-dev-secret-key"
    s3_bucket: str = "scores"
    # Worker processes of each API service (uvicorn reads WEB_CONCURRENCY): one per core. The
    # processor keeps one: its renders run in a pool of worker processes of its own.
    web_concurrency: int = field(default_factory=lambda: os.cpu_count() or 1)
    # PostgreSQL keeps every acknowledged commit through a crash or power cut (fsync,
    # full_page_writes, synchronous_commit on): `make up` is some people's server. Only the
    # throw-away test stack trades that for speed.
    durable_postgres: bool = True
    # How often Prometheus scrapes every target (seconds).
    scrape_interval_seconds: int = 15
    # Browser origins the gateway answers CORS for (docs/API.md), e.g. "https://app.example.com";
    # none by default. `make up` takes them from SCOREMATE_CORS_ORIGINS (comma-separated).
    cors_origins: tuple[str, ...] = ()
    # How long a browser may reuse a preflight's answer.
    cors_max_age_seconds: int = DEFAULT_CORS_MAX_AGE_SECONDS
    extra_env: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_cors_origins(self.cors_origins)

    @classmethod
    def dev(cls) -> "StackConfig":
        return cls(
            run_dir=REPO_ROOT / ".run",
            ports=DEV_PORTS,
            cors_origins=parse_cors_origins(os.environ.get("SCOREMATE_CORS_ORIGINS", "")),
        )

    @classmethod
    def for_tests(
        cls,
        run_dir: Path,
        extra_env: dict[str, dict[str, str]] | None = None,
        port_offset: int = 0,
        cors_origins: tuple[str, ...] = (),
    ) -> "StackConfig":
        """Test ports, shifted by `port_offset` (0-400) so parallel test runs do not collide."""
        if not 0 <= port_offset <= 400:
            raise ValueError("port_offset must be between 0 and 400")
        return cls(
            run_dir=run_dir,
            ports=shift_ports(TEST_PORTS, port_offset),
            login_rate_per_second=1000,
            login_burst=1000,
            # Always several workers, whatever the machine: the tests see what `make up` runs.
            web_concurrency=2,
            durable_postgres=False,
            scrape_interval_seconds=5,
            cors_origins=cors_origins,
            extra_env=extra_env or {},
        )

    @property
    def log_dir(self) -> Path:
        return self.run_dir / "logs"

    @property
    def pid_dir(self) -> Path:
        return self.run_dir / "pids"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.gateway}"

    @property
    def prometheus_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.prometheus}"

    @property
    def amqp_url(self) -> str:
        return f"amqp://{self.amqp_user}:{self.amqp_password}@127.0.0.1:{self.ports.amqp}/"

    @property
    def superuser_database_url(self) -> str:
        return (
            f"postgresql+asyncpg://postgres:{self.pg_superuser_password}"
            f"@127.0.0.1:{self.ports.postgres}/scoremate"
        )

    @staticmethod
    def service_password(service: str) -> str:
        return f"{service}-dev-pw"

    @staticmethod
    def storage_credentials(service: str) -> tuple[str, str]:
        """The access key and secret of a service's own storage identity (development values)."""
        if service not in STORAGE_SERVICES:
            raise ValueError(f"{service} has no storage identity")
        return f"scoremate-{service}-devkey", f"scoremate-{service}-dev-secret"

    def service_port(self, service: str, instance: int = 1) -> int:
        return self.ports.services[service] + 10 * (instance - 1)

    def upload_token_secret(self) -> str:
        """Generated once per run folder, so tokens survive a restart of the stack."""
        return self._generated_secret("upload_token_secret")

    def signing_key_encryption_key(self) -> str:
        """Generated once per run folder: the sealed signing keys stay readable across restarts."""
        return self._generated_secret("signing_key_encryption_key")

    def _generated_secret(self, name: str) -> str:
        path = self.run_dir / "secrets" / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def metrics_dir(self, service: str, instance: int = 1) -> Path:
        """Where the workers of one service process write their Prometheus series."""
        return self.run_dir / "metrics" / (service if instance == 1 else f"{service}-{instance}")

    def service_env(self, service: str, instance: int = 1) -> dict[str, str]:
        """The environment a service process gets (its settings read these names)."""
        ports = self.ports
        env = {
            "SERVICE_NAME": service,
            "DATABASE_URL": (
                f"postgresql+asyncpg://{service}:{self.service_password(service)}"
                f"@127.0.0.1:{ports.postgres}/scoremate"
            ),
            "DB_SCHEMA": service,
            "AMQP_URL": self.amqp_url,
            "JWKS_URL": f"http://127.0.0.1:{ports.services['auth']}/auth/.well-known/jwks.json",
            "UPLOAD_TOKEN_SECRET": self.upload_token_secret(),
            "LOG_DIR": str(self.log_dir),
            "INSTANCE": str(instance),
            # The native stack is a developer's: its secrets are the repository's own.
            "ENVIRONMENT": "development",
            "WEB_CONCURRENCY": "1" if service == "processor" else str(self.web_concurrency),
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir(service, instance)),
        }
        if service in STORAGE_SERVICES:
            access_key, secret_key = self.storage_credentials(service)
            env |= {
                "S3_ENDPOINT_URL": f"http://127.0.0.1:{ports.s3}",
                "S3_PUBLIC_ENDPOINT_URL": f"{self.gateway_url}/s3",
                "S3_ACCESS_KEY": access_key,
                "S3_SECRET_KEY": secret_key,
                "S3_BUCKET": self.s3_bucket,
                "S3_REGION": "us-east-1",
            }
        if service == "auth":  # the one service that holds private signing keys
            env["SIGNING_KEY_ENCRYPTION_KEY"] = self.signing_key_encryption_key()
            # The link in the verification e-mail opens this stack's own page (web/, /verify-email).
            env["EMAIL_VERIFICATION_LINK"] = f"{self.gateway_url}/verify-email?token={{token}}"
        env.update(self.extra_env.get(service, {}))
        return env
