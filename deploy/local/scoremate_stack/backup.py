"""`python -m scoremate_stack backup|restore FOLDER`: the native stack's database and objects.

A backup folder holds `scoremate.dump` (pg_dump's custom format of the whole `scoremate`
database: every service's schema, the extensions they use), `objects/` (a copy of every object in
the bucket, under its key) and `manifest.json` (each object's key, size, SHA-256, content type and
metadata). RabbitMQ is not in it: events not yet published wait in the outboxes, which are.

Restore checks the whole folder first, stops the service processes, puts the objects back, then
replaces the dump's schemas in one transaction (a dump that does not restore leaves the database
as it was), and starts the services again.
"""

import hashlib
import json
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import boto3

from scoremate_stack import infra
from scoremate_stack.stack import Stack, StackError

DUMP = "scoremate.dump"
OBJECTS = "objects"
MANIFEST = "manifest.json"
DATABASE = "scoremate"
_CHUNK = 1024 * 1024
# A schema entry of `pg_restore --list`: "12; 2615 16390 SCHEMA - files files".
_SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ SCHEMA - (\S+) \S+$")


@dataclass(frozen=True)
class BackupSummary:
    folder: Path
    schemas: list[str]
    objects: int
    object_bytes: int


def _s3(stack: Stack) -> Any:
    """The storage admin's client: the only identity that may read and write every key."""
    cfg = stack.cfg
    return boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{cfg.ports.s3}",
        aws_access_key_id=cfg.s3_access_key,
        aws_secret_access_key=cfg.s3_secret_key,
        region_name="us-east-1",
    )


def _pg(stack: Stack, tool: str) -> list[str]:
    """A PostgreSQL client tool as the superuser, over the stack's local socket."""
    cfg = stack.cfg
    return [
        str(infra.PG_BIN / tool),
        "-h",
        str(infra.postgres_dir(cfg) / "run"),
        "-p",
        str(cfg.ports.postgres),
        "-U",
        "postgres",
    ]


def _object_path(objects: Path, key: str) -> Path:
    """Where an object's copy lives: under its key, which may never leave the folder."""
    parts = PurePosixPath(key).parts
    if not parts or key.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise StackError(f"refusing an object key that is not a plain relative path: {key!r}")
    return objects.joinpath(*parts)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _schemas_of(stack: Stack, dump: Path) -> list[str]:
    listing = subprocess.run(
        [str(infra.PG_BIN / "pg_restore"), "--list", str(dump)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise StackError(f"{dump} is not a readable pg_dump archive: {listing.stderr.strip()}")
    return [m.group(1) for line in listing.stdout.splitlines() if (m := _SCHEMA_ENTRY.match(line))]


def backup(stack: Stack, folder: Path) -> BackupSummary:
    """Dump the database, then copy every object of the bucket, into `folder` (new or empty)."""
    if folder.exists() and any(folder.iterdir()):
        raise StackError(f"{folder} is not empty: a backup goes to a new folder")
    for name in ("postgres", "s3"):
        stack.start(name)
    folder.mkdir(parents=True, exist_ok=True)
    dump = folder / DUMP
    # The database first: an object uploaded before the dump is then in the copy, whatever
    # arrives while it runs. (An object deleted in between is missing: quiet hours, docs.)
    result = subprocess.run(
        [*_pg(stack, "pg_dump"), "-d", DATABASE, "--format=custom", "-f", str(dump)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise StackError(f"pg_dump failed: {result.stderr.strip()}")
    objects = folder / OBJECTS
    s3 = _s3(stack)
    bucket = stack.cfg.s3_bucket
    entries: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            key = item["Key"]
            target = _object_path(objects, key)
            target.parent.mkdir(parents=True, exist_ok=True)
            response = s3.get_object(Bucket=bucket, Key=key)
            digest = hashlib.sha256()
            size = 0
            with target.open("wb") as handle:
                for chunk in response["Body"].iter_chunks(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    handle.write(chunk)
            entries.append(
                {
                    "key": key,
                    "size": size,
                    "sha256": digest.hexdigest(),
                    "content_type": response.get("ContentType"),
                    "metadata": response.get("Metadata", {}),
                }
            )
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "database": DATABASE,
        "dump": DUMP,
        "bucket": bucket,
        "objects": entries,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return BackupSummary(folder, _schemas_of(stack, dump), len(entries), sum(e["size"] for e in entries))


def _checked_manifest(stack: Stack, folder: Path) -> tuple[dict[str, Any], list[str]]:
    """The manifest and the dump's schemas, once every file of the backup is there and intact."""
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise StackError(f"{folder} holds no readable {MANIFEST}: {exc}") from exc
    schemas = _schemas_of(stack, folder / manifest["dump"])
    if not schemas:
        raise StackError(f"{folder / manifest['dump']} holds no schema")
    for entry in manifest["objects"]:
        path = _object_path(folder / OBJECTS, entry["key"])
        if not path.is_file() or path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            raise StackError(f"the copy of {entry['key']} is missing or damaged ({path})")
    return manifest, schemas


def _restore_objects(stack: Stack, folder: Path, manifest: dict[str, Any]) -> None:
    s3 = _s3(stack)
    bucket = stack.cfg.s3_bucket
    for entry in manifest["objects"]:
        extra: dict[str, Any] = {"Metadata": entry["metadata"]}
        if entry["content_type"]:
            extra["ContentType"] = entry["content_type"]
        path = _object_path(folder / OBJECTS, entry["key"])
        s3.upload_file(str(path), bucket, entry["key"], ExtraArgs=extra)


def _restore_database(stack: Stack, dump: Path, schemas: list[str]) -> None:
    """Drop the dump's schemas and recreate them from it, all in one transaction."""
    drop = "DROP SCHEMA IF EXISTS " + ", ".join(f'"{schema}"' for schema in schemas) + " CASCADE"
    script = subprocess.Popen(
        [str(infra.PG_BIN / "pg_restore"), "--file=-", str(dump)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert script.stdout is not None
    apply = subprocess.run(
        [
            *_pg(stack, "psql"),
            "-d",
            DATABASE,
            "-q",
            "-X",
            "--single-transaction",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            drop,
            "-f",
            "-",
        ],
        stdin=script.stdout,
        capture_output=True,
        text=True,
        check=False,
    )
    script.stdout.close()
    _, script_errors = script.communicate()
    if script.returncode != 0:
        raise StackError(f"pg_restore failed (nothing changed): {script_errors.decode().strip()}")
    if apply.returncode != 0:
        raise StackError(f"the restore was rolled back (nothing changed): {apply.stderr.strip()}")


def restore(stack: Stack, folder: Path) -> BackupSummary:
    """Put a backup of `backup()` back: the objects, then the database; the services restart."""
    for name in ("postgres", "s3"):
        stack.start(name)
    manifest, schemas = _checked_manifest(stack, folder)
    running = stack.service_instances()
    for service, instance in running:
        stack.stop(service if instance == 1 else f"{service}-{instance}")
    try:
        _restore_objects(stack, folder, manifest)
        _restore_database(stack, folder / manifest["dump"], schemas)
        # The database-wide grants are not in a dump of its contents.
        infra.provision_postgres(stack.cfg)
    finally:
        for service, instance in running:
            stack.start_service(service, instance, wait=False)
        for service, instance in running:
            stack.wait_service_ready(service, instance)
    objects = manifest["objects"]
    return BackupSummary(folder, schemas, len(objects), sum(e["size"] for e in objects))
