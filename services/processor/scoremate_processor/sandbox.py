"""The sandbox of a render worker: what it may see and do once it reads PDFs.

PDFium is C++ and the PDFs are hostile: a file that takes over PDFium must hold a process that has
nothing worth taking. So a worker starts with a clean environment (no credentials), gets a network
namespace of its own where it may (root, or unprivileged user namespaces) and a seccomp filter
that refuses every new socket where it may (libseccomp), drops to an unprivileged user when the
service runs as root, and runs under CPU, memory, file-size and open-file limits. It reads each
PDF from a file its parent opened and hands it over, and sends its results back over its pipe;
the parent uploads them (isolation.py).
"""

import ctypes
import errno
import math
import os
import pwd
import resource
import socket
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the worker imports this module: not pydantic and the settings with it
    from scoremate_processor.settings import ProcessorSettings

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
PR_SET_DUMPABLE = 4
# Everything a worker is told: Python and PDFium need no more. PYTHONPATH is the one name passed
# through from the service (where the code is, not a secret), for deployments that rely on it.
WORKER_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
}
PASSED_THROUGH = ("PYTHONPATH",)
# No new socket of any family (the pipe to the parent exists already); io_uring could open one
# past the filter; no reading or writing the memory of another process of the same user.
REFUSED_SYSCALLS = (
    "socket",
    "socketpair",
    "io_uring_setup",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
)


class SandboxUnavailable(RuntimeError):
    """A render worker could not be started inside its sandbox: nothing is rendered without it."""


@dataclass(frozen=True)
class SandboxPolicy:
    """What the parent asks of each worker (sent to it before anything else)."""

    memory_limit_bytes: int
    cpu_seconds_per_job: int
    jobs_per_worker: int
    file_size_limit_bytes: int
    open_files_limit: int
    # (uid, gid) the worker drops to; None when the service is not root (it is unprivileged already).
    run_as: tuple[int, int] | None

    @property
    def cpu_seconds_per_worker(self) -> int:
        """The hard CPU limit: a job's share (and the second its limit is rounded up to) for starting
        up and for each job; the parent replaces a worker after `jobs_per_worker` jobs, so no job
        ever meets it."""
        return (self.cpu_seconds_per_job + 1) * (self.jobs_per_worker + 1)

    @classmethod
    def from_settings(cls, settings: "ProcessorSettings") -> "SandboxPolicy":
        return cls(
            memory_limit_bytes=settings.render_memory_limit_mb * 1024 * 1024,
            cpu_seconds_per_job=settings.render_cpu_limit_seconds,
            jobs_per_worker=settings.render_jobs_per_worker,
            file_size_limit_bytes=settings.render_file_size_limit_mb * 1024 * 1024,
            open_files_limit=settings.render_open_files_limit,
            run_as=render_identity(settings.render_user),
        )


@dataclass(frozen=True)
class SandboxReport:
    """What a worker achieved, measured from inside once its sandbox is in place."""

    uid: int
    gid: int
    network_namespace: bool
    socket_filter: bool
    # A socket(AF_INET) attempted inside failed.
    sockets_refused: bool

    @property
    def network_isolated(self) -> bool:
        return self.network_namespace or self.sockets_refused

    def describe(self) -> str:
        network = [
            *(["own network namespace"] if self.network_namespace else []),
            *(["seccomp filter refusing sockets"] if self.socket_filter else []),
        ]
        return f"uid {self.uid}, gid {self.gid}, network: {' + '.join(network) or 'NOT isolated'}"


def render_identity(user: str) -> tuple[int, int] | None:
    """The (uid, gid) of RENDER_USER (a name or `uid:gid`) when this process is root, else None."""
    if os.geteuid() != 0:
        return None
    if ":" in user:
        uid_text, _, gid_text = user.partition(":")
        try:
            uid, gid = int(uid_text), int(gid_text)
        except ValueError:
            raise ValueError(f"RENDER_USER {user!r} is neither a user name nor uid:gid") from None
    else:
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            raise ValueError(f"RENDER_USER {user!r} does not exist on this machine") from None
        uid, gid = entry.pw_uid, entry.pw_gid
    if uid == 0 or gid == 0:
        raise ValueError("RENDER_USER must be an unprivileged user, not root")
    return uid, gid


def worker_environment() -> dict[str, str]:
    """The whole environment of a worker: never the service's own, which holds its credentials."""
    passed = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    return {**WORKER_ENVIRONMENT, **passed}


def protect_service_process() -> None:
    """Workers that keep the service's uid (it is not root) must not read its environment or memory
    through /proc or ptrace: the service process stops being dumpable (only root may look inside)."""
    _prctl(PR_SET_DUMPABLE, 0)


# --- inside the worker ----------------------------------------------------------------------------


def enter_sandbox(policy: SandboxPolicy) -> SandboxReport:
    """Called by the worker before it reads any PDF: the privileged steps first, then the drop."""
    seccomp = _seccomp()
    namespace = _unshare(CLONE_NEWNET)
    _set_limits(policy)
    if policy.run_as is not None:
        _drop_privileges(*policy.run_as)
    if not namespace:
        # Unprivileged user namespaces (where the kernel allows them) give a network namespace too.
        namespace = _unshare(CLONE_NEWUSER | CLONE_NEWNET)
    # Another worker of the same user must not read this one's memory (another user's PDF).
    _prctl(PR_SET_DUMPABLE, 0)
    socket_filter = seccomp is not None and _refuse_new_sockets(seccomp)
    return SandboxReport(
        uid=os.getuid(),
        gid=os.getgid(),
        network_namespace=namespace,
        socket_filter=socket_filter,
        sockets_refused=_inet_socket_refused(),
    )


def arm_cpu_limit(policy: SandboxPolicy) -> None:
    """Before each job: the CPU limit counts a process's whole life, so it is moved to what this
    worker has used so far plus one job's share (never past the hard limit set at start)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = math.ceil(usage.ru_utime + usage.ru_stime)
    hard = policy.cpu_seconds_per_worker
    resource.setrlimit(resource.RLIMIT_CPU, (min(used + policy.cpu_seconds_per_job, hard), hard))


def _set_limits(policy: SandboxPolicy) -> None:
    limits = {
        resource.RLIMIT_AS: policy.memory_limit_bytes,
        resource.RLIMIT_FSIZE: policy.file_size_limit_bytes,
        resource.RLIMIT_NOFILE: policy.open_files_limit,
        # A crash on a hostile file leaves no core file (it would hold the user's PDF).
        resource.RLIMIT_CORE: 0,
    }
    for kind, limit in limits.items():
        _, current_hard = resource.getrlimit(kind)
        if current_hard != resource.RLIM_INFINITY:
            limit = min(limit, current_hard)
        resource.setrlimit(kind, (limit, limit))
    hard = policy.cpu_seconds_per_worker
    resource.setrlimit(resource.RLIMIT_CPU, (min(policy.cpu_seconds_per_job, hard), hard))


def _drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    try:
        os.setuid(0)
    except PermissionError:
        return
    raise SandboxUnavailable("the render worker could take root back after dropping it")


def _seccomp() -> ModuleType | None:
    """pyseccomp, or None where libseccomp.so.2 is missing (it looks for it when imported, with tools
    a sandboxed worker may no longer run)."""
    try:
        import pyseccomp
    except (ImportError, RuntimeError, OSError):
        return None
    return pyseccomp


def _refuse_new_sockets(seccomp: Any) -> bool:
    """Load the seccomp filter; False where the kernel refuses it."""
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        arch = seccomp.system_arch()
        for name in REFUSED_SYSCALLS:
            # A syscall this libseccomp does not know (an old one and io_uring) cannot be called.
            if name in ("socket", "socketpair") or seccomp.resolve_syscall(arch, name) >= 0:
                rules.add_rule(seccomp.ERRNO(errno.EACCES), name)
        rules.load()
    except (OSError, ValueError, RuntimeError):
        return False
    return True


def _inet_socket_refused() -> bool:
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        return True
    probe.close()
    return False


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _unshare(flags: int) -> bool:
    # os.unshare exists from Python 3.12 on.
    return bool(_libc().unshare(flags) == 0)


def _prctl(option: int, value: int) -> None:
    if _libc().prctl(option, value, 0, 0, 0) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
