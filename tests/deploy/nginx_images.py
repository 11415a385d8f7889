"""`nginx -t`, then a real start, of a gateway configuration inside a copy of its container: the
folders its image has (nothing more), what the platform mounts over them, its user, a read-only
root where the manifest asks for one, and only the host names the platform resolves.

Debian's nginx (the stack runner's, installed by `make install`) runs chrooted into a tmpfs built
in a private mount and network namespace (`unshare`), so nothing of this machine shows through:
needs root, as `make test` has here."""

import os
import shutil
import subprocess
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from scoremate_stack.stack import APT_PACKAGES

NGINX = APT_PACKAGES["nginx"]


@dataclass(frozen=True)
class ImageLayout:
    """What nginx touches of an image's file system, as the image's Dockerfile builds it
    (github.com/nginxinc/docker-nginx and docker-nginx-unprivileged, Debian variants): the
    nginx.org package creates /etc/nginx, /var/cache/nginx and /var/log/nginx (whose two logs
    are links to the container's output), Debian links /var/run to /run, and the user nginx is
    uid and gid 101."""

    user: tuple[int, int]
    # Owner of /var/cache/nginx (the unprivileged image hands it to its user).
    cache_owner: int = 0
    # Compiled into the image's nginx: opened before the configuration is read.
    error_log: str = "/var/log/nginx/error.log"
    prefix: str = "/etc/nginx/"
    directories: tuple[str, ...] = ("/etc/nginx", "/var/cache/nginx", "/var/log/nginx", "/run", "/tmp")
    symlinks: tuple[tuple[str, str], ...] = (
        ("/var/run", "/run"),
        ("/var/log/nginx/access.log", "/dev/stdout"),
        ("/var/log/nginx/error.log", "/dev/stderr"),
    )


# Checked for these releases only: another one means reading its Dockerfile again.
IMAGE_LAYOUTS = {
    "nginx:1.27.5": ImageLayout(user=(0, 0)),
    # Runs as its user nginx; its own configuration keeps the pid and temp folders in /tmp.
    "nginxinc/nginx-unprivileged:1.27.5": ImageLayout(user=(101, 101), cache_owner=101),
}


@dataclass
class GatewayContainer:
    """One gateway container as a platform runs it."""

    image: str
    # Files the platform mounts (the configuration), by path in the container.
    files: dict[str, str]
    # emptyDir or tmpfs mounts: empty and writable, hiding whatever the image has there.
    empty_dirs: list[str] = field(default_factory=list)
    user: tuple[int, int] | None = None  # None: the image's
    read_only_root: bool = False
    # The names the platform's DNS answers for this container.
    hosts: list[str] = field(default_factory=list)
    config_path: str = "/etc/nginx/nginx.conf"


# Builds the container's root in a tmpfs, then runs nginx there twice: `-t`, and a start that
# must write its pid file (which `-t` never does) before it is asked to quit. nginx's output goes
# to files its user owns, as a container runtime hands the container's output to its user.
_SCRIPT = textwrap.dedent(
    """\
    set -eu
    staging=$1 root=$2 nginx=$3 userspec=$4 read_only=$5 error_log=$6 prefix=$7 conf=$8 pid=$9
    shift 9
    out=$staging.out
    : >"$out"
    chown "$userspec" "$out"
    mount -t tmpfs -o mode=0755 image "$root"
    cp -a "$staging/." "$root/"
    for host_dir in /usr /dev; do
      mkdir -p "$root$host_dir"
      mount --bind "$host_dir" "$root$host_dir"
      mount -o remount,bind,ro "$root$host_dir"
    done
    mkdir -p "$root/proc"
    mount --rbind /proc "$root/proc"
    for empty_dir in "$@"; do
      mkdir -p "$root$empty_dir"
      mount -t tmpfs -o mode=0777 empty-dir "$root$empty_dir"
    done
    if [ "$read_only" = 1 ]; then mount -o remount,ro "$root"; fi
    set +e
    chroot --userspec="$userspec" "$root" "$nginx" -p "$prefix" -c "$conf" -e "$error_log" -t >>"$out" 2>&1
    tested=$?
    if [ $tested != 0 ]; then cat "$out" >&2; exit $tested; fi
    chroot --userspec="$userspec" "$root" "$nginx" -p "$prefix" -c "$conf" -e "$error_log" \
      -g 'daemon off;' >>"$out" 2>&1 &
    master=$!
    for _ in $(seq 100); do
      if chroot "$root" /usr/bin/test -s "$pid"; then
        kill -QUIT "$master"
        wait "$master"
        cat "$out" >&2
        echo "nginx started, wrote $pid and quit"
        exit 0
      fi
      if ! kill -0 "$master" 2>/dev/null; then
        wait "$master"
        cat "$out" >&2
        echo "nginx did not start" >&2
        exit 1
      fi
      sleep 0.1
    done
    kill -KILL "$master"
    cat "$out" >&2
    echo "nginx wrote no pid file $pid within 10 s" >&2
    exit 1
    """
)


def require_sandbox() -> None:
    if not NGINX.exists():
        pytest.skip(f"{NGINX} is missing: `make install` installs Debian's nginx")
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("checking a gateway inside its image's layout needs root and unshare (util-linux)")


def _staging_tree(container: GatewayContainer, layout: ImageLayout, staging: Path) -> None:
    def place(path: str) -> Path:
        return staging / path.lstrip("/")

    for directory in layout.directories:
        place(directory).mkdir(parents=True, exist_ok=True)
    place("/tmp").chmod(0o1777)
    os.chown(place("/var/cache/nginx"), layout.cache_owner, 0)
    for link, target in layout.symlinks:
        place(link).parent.mkdir(parents=True, exist_ok=True)
        place(link).symlink_to(target)
    # Not the image's: what lets this machine's nginx run from this machine's /usr.
    for link, target in (
        ("/bin", "usr/bin"),
        ("/sbin", "usr/sbin"),
        ("/lib", "usr/lib"),
        ("/lib64", "usr/lib64"),
    ):
        place(link).symlink_to(target)
    shutil.copy("/etc/ld.so.cache", place("/etc/ld.so.cache"))
    # The image's accounts: Debian's own and nginx's (this nginx's default worker user is nobody).
    place("/etc/passwd").write_text(
        "root:x:0:0:root:/root:/bin/sh\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        "nginx:x:101:101:nginx user:/nonexistent:/bin/false\n"
    )
    place("/etc/group").write_text("root:x:0:\nnogroup:x:65534:\nnginx:x:101:\n")
    place("/etc/nsswitch.conf").write_text("hosts: files dns\n")
    # The platform's DNS, as a hosts file: every name it answers gets an address, no other does
    # (no resolv.conf, and no network to reach a name server anyway).
    addresses = [f"10.96.{i // 250}.{i % 250 + 2}" for i in range(len(container.hosts))]
    place("/etc/hosts").write_text(
        "127.0.0.1 localhost\n"
        + "".join(f"{address} {name}\n" for address, name in zip(addresses, container.hosts, strict=True))
    )
    for path, text in container.files.items():
        place(path).parent.mkdir(parents=True, exist_ok=True)
        place(path).write_text(text)


def pid_file(config: str) -> str:
    lines = [line.strip() for line in config.splitlines() if line.strip().startswith("pid ")]
    assert len(lines) == 1, "the gateway configuration names no pid file"
    return lines[0].removeprefix("pid ").rstrip(";").strip()


def run_in_image(container: GatewayContainer, workdir: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t`, then a start and a graceful stop, in the container's file system; the
    returned process failed if either did."""
    require_sandbox()
    if container.image not in IMAGE_LAYOUTS:
        pytest.fail(f"no known layout for {container.image}: read its Dockerfile, add it to IMAGE_LAYOUTS")
    layout = IMAGE_LAYOUTS[container.image]
    staging, root = workdir / "staging", workdir / "root"
    staging.mkdir()
    root.mkdir()
    _staging_tree(container, layout, staging)
    uid, gid = container.user or layout.user
    argv = [
        "unshare",
        "--mount",
        "--net",
        # A pid namespace of its own: whatever happens to this check (a timeout), no nginx outlives it.
        "--pid",
        "--fork",
        "--kill-child",
        "--propagation",
        "private",
        "sh",
        "-c",
        _SCRIPT,
        "gateway-check",
        str(staging),
        str(root),
        str(NGINX),
        f"{uid}:{gid}",
        "1" if container.read_only_root else "0",
        layout.error_log,
        layout.prefix,
        container.config_path,
        pid_file(container.files[container.config_path]),
        *container.empty_dirs,
    ]
    return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
