"""PostgreSQL, RabbitMQ and SeaweedFS started natively (no Docker, no systemd), per INFRA.md."""

import json
import secrets
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from scoremate_stack.config import SERVICES, StackConfig

PG_BIN = Path("/usr/lib/postgresql/15/bin")
RABBIT_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
AS_POSTGRES = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def http_ok(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback only)
            return bool(response.status == 200)
    except OSError:
        return False


def weed_binary() -> str:
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.exists() else (shutil.which("weed") or "weed")


# --- PostgreSQL -------------------------------------------------------------------------------


def postgres_dir(cfg: StackConfig) -> Path:
    return cfg.run_dir / "pg"


def init_postgres(cfg: StackConfig) -> None:
    """initdb once; the folder must be owned by (and its parents traversable for) postgres."""
    pg = postgres_dir(cfg)
    if (pg / "data" / "PG_VERSION").exists():
        return
    (pg / "run").mkdir(parents=True, exist_ok=True)
    pwfile = pg / "pwfile"
    pwfile.write_text(cfg.pg_superuser_password + "\n")
    pwfile.chmod(0o600)
    subprocess.run(["chown", "-R", "postgres:postgres", str(pg)], check=True)
    subprocess.run(
        [
            *AS_POSTGRES,
            str(PG_BIN / "initdb"),
            "-D",
            str(pg / "data"),
            "-U",
            "postgres",
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "-N",
        ],
        check=True,
        capture_output=True,
    )
    pwfile.unlink()


def postgres_argv(cfg: StackConfig) -> list[str]:
    pg = postgres_dir(cfg)
    return [
        *AS_POSTGRES,
        str(PG_BIN / "postgres"),
        "-D",
        str(pg / "data"),
        "-h",
        "127.0.0.1",
        "-p",
        str(cfg.ports.postgres),
        "-k",
        str(pg / "run"),
        "-c",
        "max_connections=300",
        "-c",
        "shared_buffers=256MB",
        # Development and test data: durability traded for speed, as INFRA.md measured.
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
    ]


def postgres_ready(cfg: StackConfig) -> bool:
    result = subprocess.run(
        [
            str(PG_BIN / "pg_isready"),
            "-q",
            "-h",
            "127.0.0.1",
            "-p",
            str(cfg.ports.postgres),
            "-U",
            "postgres",
        ],
        check=False,
    )
    return result.returncode == 0


def provision_postgres(cfg: StackConfig) -> None:
    """Database `scoremate` and one login role per service, allowed to create its own schema."""
    statements = ["SELECT 1"]
    for service in SERVICES:
        password = cfg.service_password(service)
        statements.append(
            f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{service}') THEN "
            f"CREATE ROLE {service} LOGIN PASSWORD '{password}'; END IF; END$$"
        )
    psql = [
        str(PG_BIN / "psql"),
        "-q",
        "-h",
        str(postgres_dir(cfg) / "run"),
        "-p",
        str(cfg.ports.postgres),
        "-U",
        "postgres",
        "-v",
        "ON_ERROR_STOP=1",
    ]
    for statement in statements:
        subprocess.run([*psql, "-d", "postgres", "-c", statement], check=True, capture_output=True)
    exists = subprocess.run(
        [*psql, "-d", "postgres", "-tAc", "SELECT 1 FROM pg_database WHERE datname = 'scoremate'"],
        check=True,
        capture_output=True,
        text=True,
    )
    if exists.stdout.strip() != "1":
        subprocess.run(
            [*psql, "-d", "postgres", "-c", "CREATE DATABASE scoremate"], check=True, capture_output=True
        )
    grants = [f"GRANT CREATE ON DATABASE scoremate TO {service}" for service in SERVICES]
    subprocess.run([*psql, "-d", "scoremate", "-c", "; ".join(grants)], check=True, capture_output=True)


# --- RabbitMQ ---------------------------------------------------------------------------------


def rabbit_dir(cfg: StackConfig) -> Path:
    return cfg.run_dir / "rabbitmq"


def rabbit_env(cfg: StackConfig) -> dict[str, str]:
    """Server and CLI must share HOME (the Erlang cookie) and these names, or the CLI hangs."""
    d = rabbit_dir(cfg)
    return {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": str(d / "home"),
        "RABBITMQ_NODENAME": f"scoremate{cfg.ports.amqp}@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(cfg.ports.amqp),
        "RABBITMQ_DIST_PORT": str(cfg.ports.amqp_dist),
        "ERL_EPMD_PORT": str(cfg.ports.epmd),
        "ERL_EPMD_ADDRESS": "127.0.0.1",
        "RABBITMQ_CONFIG_FILE": str(d / "etc" / "rabbitmq.conf"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(d / "etc" / "enabled_plugins"),
        "RABBITMQ_CONF_ENV_FILE": str(d / "etc" / "rabbitmq-env.conf"),
        "RABBITMQ_MNESIA_BASE": str(d / "mnesia"),
        "RABBITMQ_LOG_BASE": str(d / "log"),
        "RABBITMQ_PID_FILE": str(d / "rabbit.pid"),
        "LANG": "C.UTF-8",
    }


def init_rabbit(cfg: StackConfig) -> None:
    d = rabbit_dir(cfg)
    for sub in ("home", "mnesia", "log", "etc"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    cookie = d / "home" / ".erlang.cookie"
    if not cookie.exists():
        cookie.write_text(secrets.token_hex(20))
        cookie.chmod(0o400)
    (d / "etc" / "rabbitmq.conf").write_text(
        f"listeners.tcp.default = 127.0.0.1:{cfg.ports.amqp}\n"
        "loopback_users = none\n"
        f"default_user = {cfg.amqp_user}\n"
        f"default_pass = {cfg.amqp_password}\n"
        "log.console = true\n"
        "log.console.level = warning\n"
        "log.file = false\n"
        # A laptop disk is often fuller than the default 50 MB limit allows for; never block.
        "disk_free_limit.absolute = 10MB\n"
    )
    # The management plugin adds seconds to every boot; it is off here (compose enables it).
    (d / "etc" / "enabled_plugins").write_text("[].\n")
    (d / "etc" / "rabbitmq-env.conf").write_text("")


def epmd_argv(cfg: StackConfig) -> list[str]:
    return ["epmd", "-port", str(cfg.ports.epmd)]


def rabbit_argv() -> list[str]:
    return [str(RABBIT_SERVER)]


# --- SeaweedFS (S3) ---------------------------------------------------------------------------


def s3_dir(cfg: StackConfig) -> Path:
    return cfg.run_dir / "s3"


def init_s3(cfg: StackConfig) -> None:
    d = s3_dir(cfg)
    (d / "data").mkdir(parents=True, exist_ok=True)
    (d / "log").mkdir(parents=True, exist_ok=True)
    identities = {
        "identities": [
            {
                "name": "scoremate",
                "credentials": [{"accessKey": cfg.s3_access_key, "secretKey": cfg.s3_secret_key}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    (d / "s3.json").write_text(json.dumps(identities))


def s3_argv(cfg: StackConfig) -> list[str]:
    d = s3_dir(cfg)
    p = cfg.ports
    return [
        weed_binary(),
        f"-logdir={d / 'log'}",
        "mini",
        f"-dir={d / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={p.weed_master}",
        f"-volume.port={p.weed_volume}",
        f"-filer.port={p.weed_filer}",
        f"-s3.port={p.s3}",
        f"-admin.port={p.weed_admin}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-webdav=false",
        "-admin.ui=false",
        "-master.telemetry=false",
        f"-s3.config={d / 's3.json'}",
        f"-bucket={cfg.s3_bucket}",
        f"-filer.localSocket={d / 'filer.sock'}",
        f"-s3.localSocket={d / 's3.sock'}",
    ]


def s3_ready(cfg: StackConfig) -> bool:
    return http_ok(f"http://127.0.0.1:{cfg.ports.s3}/healthz")
