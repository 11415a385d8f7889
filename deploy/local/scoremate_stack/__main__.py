"""`python -m scoremate_stack up|down|status|logs|clean|install` (what the Makefile runs; install
and up also build the web app when web/ changed),
`backup FOLDER` and `restore FOLDER` (docs/OPERATIONS.md, Back up and restore)."""

import argparse
import os
import sys
from pathlib import Path

from scoremate_stack.backup import backup, restore
from scoremate_stack.config import SERVICES, StackConfig, parse_cors_origins
from scoremate_stack.contracts import write_event_docs
from scoremate_stack.gateway import (
    COMPOSE_CONFIG,
    K8S_GATEWAY_CONFIG,
    render_compose_gateway_config,
    render_k8s_gateway_config,
)
from scoremate_stack.monitoring import k8s_observability_files
from scoremate_stack.openapi import write_openapi
from scoremate_stack.stack import Stack, StackError, install
from scoremate_stack.web import build_web


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scoremate_stack", description=__doc__)
    parser.add_argument(
        "command",
        choices=[
            "up",
            "down",
            "status",
            "logs",
            "clean",
            "install",
            "build-web",
            "render-compose-gateway",
            "render-k8s-observability",
            "write-event-docs",
            "write-openapi",
            "backup",
            "restore",
        ],
    )
    parser.add_argument("folder", nargs="?", type=Path, help="backup and restore: the backup's folder")
    args = parser.parse_args(argv)
    if args.command in ("backup", "restore") and args.folder is None:
        parser.error(f"{args.command} needs the backup's folder")
    cfg = StackConfig.dev()
    stack = Stack(cfg)
    try:
        if args.command == "install":
            install()
            build_web()
        elif args.command == "build-web":
            print("web/dist built" if build_web() else "web/dist is current")
        elif args.command == "write-event-docs":
            for path in write_event_docs():
                print(f"wrote {path}")
        elif args.command == "write-openapi":
            print(f"wrote {write_openapi()}")
        elif args.command == "render-compose-gateway":
            # The committed files allow no CORS origin; a deployment renders its own.
            origins = parse_cors_origins(os.environ.get("SCOREMATE_CORS_ORIGINS", ""))
            for target, rendered in (
                (COMPOSE_CONFIG, render_compose_gateway_config(origins)),
                (K8S_GATEWAY_CONFIG, render_k8s_gateway_config(origins)),
            ):
                target.write_text(rendered)
                print(f"wrote {target}")
        elif args.command == "render-k8s-observability":
            for target, rendered in k8s_observability_files().items():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(rendered)
                print(f"wrote {target}")
        elif args.command == "up":
            install()
            build_web()
            stack.up()
            print(f"ScoreMate is up: gateway {cfg.gateway_url}, Prometheus {cfg.prometheus_url}")
            print(f"Logs: {cfg.log_dir}/ (make logs follows them all)")
        elif args.command == "down":
            stack.down()
            print("ScoreMate is down (data kept in .run/)")
        elif args.command == "clean":
            stack.clean()
            print("ScoreMate is down and its data is wiped")
        elif args.command == "status":
            for name, pid in stack.status().items():
                print(f"{name:10} {'running, pid ' + str(pid) if pid else 'stopped'}")
        elif args.command == "backup":
            summary = backup(stack, args.folder)
            print(
                f"backed up schemas {', '.join(summary.schemas)} and {summary.objects} objects "
                f"({summary.object_bytes} bytes) to {summary.folder}"
            )
        elif args.command == "restore":
            summary = restore(stack, args.folder)
            print(
                f"restored schemas {', '.join(summary.schemas)} and {summary.objects} objects "
                f"from {summary.folder}"
            )
        elif args.command == "logs":
            cfg.log_dir.mkdir(parents=True, exist_ok=True)
            names = ["postgres", "rabbitmq", "s3", "nginx", "prometheus", *SERVICES]
            files = [str(cfg.log_dir / f"{name}.log") for name in names]
            files.append(str(cfg.log_dir / "gateway-access.json"))
            os.execvp("tail", ["tail", "-n", "20", "-F", *files])  # noqa: S606
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
