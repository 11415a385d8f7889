"""PostgreSQL, RabbitMQ and SeaweedFS started natively (no Docker, no systemd), per INFRA.md."""

import json
import secrets
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from scoremate_stack.config import REPO_ROOT, SERVICES, STORAGE_SERVICES, StackConfig

PG_BIN = Path("/usr/lib/postgresql/15/bin")
RABBIT_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
AS_POSTGRES = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
# What each service may do in the bucket: the same documents compose gives MinIO.
STORAGE_POLICIES = REPO_ROOT / "deploy" / "storage-policies"


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
    argv = [
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
    ]
    if cfg.durable_postgres:
        # Said out loud, so a postgresql.conf edited by hand cannot turn them off unnoticed.
        durability = ["fsync=on", "full_page_writes=on", "synchronous_commit=on"]
    else:
        # The throw-away test stack only: durability traded for speed, as INFRA.md measured.
        durability = ["fsync=off", "full_page_writes=off", "synchronous_commit=off"]
    for setting in durability:
        argv += ["-c", setting]
    return argv


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
        # The broker's own metrics for Prometheus (rabbitmq_prometheus), on loopback only.
        f"prometheus.tcp.port = {cfg.ports.amqp_metrics}\n"
        "prometheus.tcp.ip = 127.0.0.1\n"
    )
    # The management plugin adds seconds to every boot; it is off here (compose enables it).
    # rabbitmq_prometheus alone serves the broker's metrics for the stack's Prometheus.
    (d / "etc" / "enabled_plugins").write_text("[rabbitmq_prometheus].\n")
    (d / "etc" / "rabbitmq-env.conf").write_text("")


def epmd_argv(cfg: StackConfig) -> list[str]:
    return ["epmd", "-port", str(cfg.ports.epmd)]


def rabbit_argv() -> list[str]:
    return [str(RABBIT_SERVER)]


# --- SeaweedFS (S3) ---------------------------------------------------------------------------


def s3_dir(cfg: StackConfig) -> Path:
    return cfg.run_dir / "s3"


# SeaweedFS's own actions for the S3 policy actions the services' policies use. Its "Write"
# covers PUT and DELETE alike: where a policy allows only s3:PutObject (the processor), the
# SeaweedFS identity may also delete those keys; MinIO and AWS keep the two apart. Multipart
# uploads: creating, sending parts and completing are "Write" (s3:PutObject on AWS), aborting is
# "Write", listing an upload's parts is "Read" of its key, and listing the uploads in progress is
# "Read" of the bucket, which SeaweedFS lets read every key there: only files, which reads every
# key anyway, has s3:ListBucketMultipartUploads.
_SEAWEEDFS_ACTIONS = {
    "s3:GetObject": "Read",
    "s3:PutObject": "Write",
    "s3:DeleteObject": "Write",
    "s3:ListBucket": "List",
    "s3:AbortMultipartUpload": "Write",
    "s3:ListMultipartUploadParts": "Read",
    "s3:ListBucketMultipartUploads": "Read",
}
_S3_ARN = "arn:aws:s3:::"


def seaweedfs_actions(policy: dict[str, Any]) -> list[str]:
    """A storage policy (deploy/storage-policies/, AWS's format, as MinIO takes it) as SeaweedFS
    identity actions: "Read:<bucket>/<key pattern>", "List:<bucket>/<prefix pattern>". SeaweedFS
    matches `*` and `?` in them against "<bucket>/<key>" (or the listed prefix) as AWS does."""
    actions: list[str] = []
    for statement in policy["Statement"]:
        if statement["Effect"] != "Allow":
            raise ValueError(f"only Allow statements translate to SeaweedFS actions: {statement}")
        for s3_action in statement["Action"]:
            action = _SEAWEEDFS_ACTIONS[s3_action]
            for resource in statement["Resource"]:
                if not resource.startswith(_S3_ARN):
                    raise ValueError(f"not an S3 resource: {resource}")
                target = resource.removeprefix(_S3_ARN)
                if action == "List" and "Condition" in statement:
                    # Listing allowed only under the prefixes of the condition.
                    prefixes = statement["Condition"]["StringLike"]["s3:prefix"]
                    actions += [f"List:{target}/{prefix}" for prefix in prefixes]
                else:
                    actions.append(f"{action}:{target}")
    return list(dict.fromkeys(actions))


def storage_policy(service: str) -> dict[str, Any]:
    policy: dict[str, Any] = json.loads((STORAGE_POLICIES / f"{service}.json").read_text())
    return policy


def s3_identities(cfg: StackConfig) -> dict[str, Any]:
    """The admin (the stack runner's, and the tests' to look into the bucket) and one identity per
    service, with the rights of its policy only."""
    admin = {
        "name": "admin",
        "credentials": [{"accessKey": cfg.s3_access_key, "secretKey": cfg.s3_secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    services = []
    for service in STORAGE_SERVICES:
        access_key, secret_key = cfg.storage_credentials(service)
        services.append(
            {
                "name": service,
                "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                "actions": seaweedfs_actions(storage_policy(service)),
            }
        )
    return {"identities": [admin, *services]}


def init_s3(cfg: StackConfig) -> None:
    d = s3_dir(cfg)
    (d / "data").mkdir(parents=True, exist_ok=True)
    (d / "log").mkdir(parents=True, exist_ok=True)
    (d / "s3.json").write_text(json.dumps(s3_identities(cfg)))


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
