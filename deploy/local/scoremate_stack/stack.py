"""The whole stack as one object: the same code serves `make up` and the test suite."""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from scoremate_stack import infra, monitoring
from scoremate_stack.config import REPO_ROOT, SERVICES, StackConfig
from scoremate_stack.gateway import write_gateway_config
from scoremate_stack.processes import ProcessTable, wait_until

INFRA = ("postgres", "epmd", "rabbitmq", "s3")
APT_PACKAGES = {
    "rabbitmq-server": infra.RABBIT_SERVER,
    "nginx": Path("/usr/sbin/nginx"),
    "postgresql-15": infra.PG_BIN / "postgres",
    "prometheus": monitoring.PROMETHEUS_BIN,
    # The browser the web app's tests drive headless (tests/browser, Playwright over the DevTools
    # protocol), and its WebDriver for tools that speak that instead (Selenium).
    "chromium": Path("/usr/bin/chromium"),
    "chromium-driver": Path("/usr/bin/chromedriver"),
}
# Installed without their recommendations: Prometheus' would bring node-exporter and its hardware
# collectors (smartmontools, ipmitool), which the stack never runs; Chromium's a desktop's printing
# and power services, which a headless browser never uses.
WITHOUT_RECOMMENDS = {"prometheus", "chromium", "chromium-driver"}
# How each process prefers to be stopped (INFRA.md): postgres "fast" shutdown on SIGINT.
STOP_SIGNAL = {"postgres": signal.SIGINT}


class StackError(RuntimeError):
    pass


def venv_python() -> str:
    candidate = REPO_ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def install() -> None:
    """Install the Debian packages the stack needs, only those that are missing."""
    missing = [package for package, path in APT_PACKAGES.items() if not path.exists()]
    if not missing:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    plain = [package for package in missing if package not in WITHOUT_RECOMMENDS]
    lean = [package for package in missing if package in WITHOUT_RECOMMENDS]
    if plain:
        subprocess.run(["apt-get", "install", "-y", "-q", *plain], check=True, env=env)
    if lean:
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", *lean], check=True, env=env
        )
    # Without systemd nothing starts them, but some images would: the stack runs its own.
    for service in ("rabbitmq-server", "nginx", "prometheus"):
        subprocess.run(["service", service, "stop"], check=False, capture_output=True)
    if "prometheus" in lean and shutil.which("systemctl"):
        # The packaged one would take port 9090, the stack's, at the next boot.
        subprocess.run(["systemctl", "disable", "--now", "prometheus"], check=False, capture_output=True)


class Stack:
    def __init__(self, cfg: StackConfig) -> None:
        self.cfg = cfg
        self.processes = ProcessTable(cfg.pid_dir, cfg.log_dir)

    # --- names and addresses used by callers ------------------------------------------------

    @property
    def gateway_url(self) -> str:
        return self.cfg.gateway_url

    @property
    def amqp_url(self) -> str:
        return self.cfg.amqp_url

    @property
    def superuser_database_url(self) -> str:
        return self.cfg.superuser_database_url

    def service_url(self, service: str, instance: int = 1) -> str:
        return f"http://127.0.0.1:{self.cfg.service_port(service, instance)}"

    # --- lifecycle ----------------------------------------------------------------------------

    def up(self, timeout: float = 180.0) -> None:
        self.cfg.run_dir.mkdir(parents=True, exist_ok=True)
        self.cfg.run_dir.chmod(0o755)
        self.start_infra(timeout)
        for service in SERVICES:
            self.start_service(service, wait=False)
        self.start("nginx")
        self.start("prometheus", wait=False)
        for service in SERVICES:
            self.wait_service_ready(service, timeout=timeout)
        self._wait("prometheus", timeout)

    def start_infra(self, timeout: float = 120.0) -> None:
        for name in INFRA:
            self.start(name, wait=False)
        for name in INFRA:
            self._wait(name, timeout)

    def down(self) -> None:
        instances = (
            sorted(p.stem for p in self.cfg.pid_dir.glob("*.pid")) if self.cfg.pid_dir.exists() else []
        )
        services = [name for name in instances if name.split("-")[0] in SERVICES]
        for name in [*services, "prometheus", "nginx", "s3", "rabbitmq", "epmd", "postgres"]:
            self.stop(name)

    def start(self, name: str, *, wait: bool = True, timeout: float = 120.0) -> None:
        """Start one process by name (postgres, epmd, rabbitmq, s3, nginx, prometheus or a service)."""
        if name in SERVICES:
            self.start_service(name, wait=wait, timeout=timeout)
            return
        if self.processes.is_running(name):
            if wait:
                self._wait(name, timeout)
            return
        cfg = self.cfg
        if name == "postgres":
            infra.init_postgres(cfg)
            self.processes.spawn(name, infra.postgres_argv(cfg))
        elif name == "epmd":
            self.processes.spawn(name, infra.epmd_argv(cfg), env=infra.rabbit_env(cfg), cwd=cfg.run_dir)
        elif name == "rabbitmq":
            if not self.processes.is_running("epmd"):
                self.start("epmd")
            infra.init_rabbit(cfg)
            # Its own folder as working directory: crash dumps land there, not in the checkout.
            self.processes.spawn(
                name, infra.rabbit_argv(), env=infra.rabbit_env(cfg), cwd=infra.rabbit_dir(cfg)
            )
        elif name == "s3":
            infra.init_s3(cfg)
            self.processes.spawn(name, infra.s3_argv(cfg), cwd=infra.s3_dir(cfg))
        elif name == "nginx":
            conf = write_gateway_config(cfg)
            prefix = cfg.run_dir / "nginx"
            errlog = cfg.log_dir / "gateway-error.log"
            cfg.log_dir.mkdir(parents=True, exist_ok=True)
            base = ["/usr/sbin/nginx", "-p", str(prefix), "-c", str(conf), "-e", str(errlog)]
            check = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True, check=False)
            if check.returncode != 0:
                raise StackError(f"gateway configuration is invalid:\n{check.stderr}")
            self.processes.spawn(name, [*base, "-g", "daemon off;"])
        elif name == "prometheus":
            monitoring.write_prometheus_config(cfg, self.service_instances())
            self.processes.spawn(name, monitoring.prometheus_argv(cfg), cwd=monitoring.prometheus_dir(cfg))
        else:
            raise StackError(f"unknown process {name!r}")
        if wait:
            self._wait(name, timeout)

    def start_service(
        self, service: str, instance: int = 1, *, wait: bool = True, timeout: float = 120.0
    ) -> None:
        name = service if instance == 1 else f"{service}-{instance}"
        if not self.processes.is_running(name):
            port = self.cfg.service_port(service, instance)
            argv = [
                venv_python(),
                "-m",
                "uvicorn",
                "--factory",
                f"scoremate_{service}.main:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
                "--timeout-graceful-shutdown",
                "10",
            ]
            env = {**os.environ, **self.cfg.service_env(service, instance)}
            # Series of a previous run's processes would be added to this one's.
            metrics_dir = self.cfg.metrics_dir(service, instance)
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir(parents=True)
            self.processes.spawn(name, argv, env=env, cwd=REPO_ROOT)
            monitoring.write_service_targets(self.cfg, self.service_instances())
        if wait:
            self.wait_service_ready(service, instance, timeout=timeout)

    def stop(self, name: str) -> None:
        if name == "rabbitmq":
            # The wrapper script traps TERM and stops the Erlang VM cleanly (~3 s).
            self.processes.stop(name, signal.SIGTERM, timeout=40)
            # Should the wrapper have died first, the VM it started must not outlive it.
            beam_pid_file = infra.rabbit_dir(self.cfg) / "rabbit.pid"
            if beam_pid_file.exists():
                beam = ProcessTable(beam_pid_file.parent, self.cfg.log_dir)
                beam.stop("rabbit", signal.SIGTERM, timeout=20)
            return
        self.processes.stop(name, STOP_SIGNAL.get(name, signal.SIGTERM), timeout=20)
        if monitoring.service_instance(name) is not None:
            # Stopped on purpose: no longer a target. (A killed one stays, and shows as down.)
            monitoring.write_service_targets(self.cfg, self.service_instances())

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal a process without waiting (SIGKILL by default: a crash)."""
        if not self.processes.send_signal(name, sig):
            raise StackError(f"{name} is not running")
        if sig == signal.SIGKILL:
            pid_file = self.cfg.pid_dir / f"{name}.pid"
            wait_until(lambda: not self.processes.is_running(name), 10)
            pid_file.unlink(missing_ok=True)

    def restart(self, name: str) -> None:
        self.stop(name)
        self.start(name)

    def is_running(self, name: str) -> bool:
        return self.processes.is_running(name)

    def service_instances(self) -> list[tuple[str, int]]:
        """(service, instance) of every service process running now."""
        if not self.cfg.pid_dir.exists():
            return []
        names = [path.stem for path in self.cfg.pid_dir.glob("*.pid")]
        found = [(name, monitoring.service_instance(name)) for name in names]
        return [instance for name, instance in found if instance and self.processes.is_running(name)]

    def status(self) -> dict[str, int | None]:
        names = [*INFRA, "nginx", "prometheus", *SERVICES]
        return {name: self.processes.pid(name) for name in names}

    def clean(self) -> None:
        self.down()
        if self.cfg.run_dir.exists():
            shutil.rmtree(self.cfg.run_dir)

    # --- readiness ----------------------------------------------------------------------------

    def _ready_check(self, name: str) -> Callable[[], bool]:
        cfg = self.cfg
        checks: dict[str, Callable[[], bool]] = {
            "postgres": lambda: infra.postgres_ready(cfg),
            "epmd": lambda: infra.port_open(cfg.ports.epmd),
            "rabbitmq": lambda: infra.port_open(cfg.ports.amqp),
            "s3": lambda: infra.s3_ready(cfg),
            "nginx": lambda: infra.http_ok(f"{cfg.gateway_url}/healthz"),
            "prometheus": lambda: infra.http_ok(f"{cfg.prometheus_url}/-/ready"),
        }
        return checks[name]

    def _wait(self, name: str, timeout: float) -> None:
        check = self._ready_check(name)
        deadline = time.monotonic() + timeout
        while not check():
            if not self.processes.is_running(name):
                raise StackError(f"{name} exited during start-up; its log ends:\n{self.processes.tail(name)}")
            if time.monotonic() > deadline:
                raise StackError(
                    f"{name} not ready after {timeout:.0f}s; its log ends:\n{self.processes.tail(name)}"
                )
            time.sleep(0.05)
        if name == "postgres":
            infra.provision_postgres(self.cfg)

    def wait_service_ready(self, service: str, instance: int = 1, *, timeout: float = 120.0) -> None:
        name = service if instance == 1 else f"{service}-{instance}"
        url = f"{self.service_url(service, instance)}/readyz"
        deadline = time.monotonic() + timeout
        while not infra.http_ok(url):
            if not self.processes.is_running(name):
                raise StackError(f"{name} exited during start-up; its log ends:\n{self.processes.tail(name)}")
            if time.monotonic() > deadline:
                raise StackError(
                    f"{name} not ready after {timeout:.0f}s; its log ends:\n{self.processes.tail(name)}"
                )
            time.sleep(0.1)
