"""CPU seconds spent by each part of the stack over a measured stretch, read from /proc: where the
time of the pipeline goes, and how busy the rest of the machine was meanwhile."""

import os
import time
from collections import defaultdict
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
REST = "rest of the machine (other work)"


def _processes() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds of the process and of its children already reaped)."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
        table[int(stat.parent.name)] = (int(fields[1]), (utime + stime + cutime + cstime) / TICKS)
    return table


def _machine_busy_seconds() -> float:
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / TICKS


def snapshot(roots: dict[str, int], split: tuple[str, ...] = ()) -> dict[str, float]:
    """CPU seconds so far of each named process tree (those in `split` as the process itself and
    its children apart), of this process, and of the whole machine."""
    table = _processes()
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (parent, _) in table.items():
        children[parent].append(pid)

    def own(pid: int) -> float:
        return table.get(pid, (0, 0.0))[1]

    def tree(pid: int) -> float:
        return own(pid) + sum(tree(child) for child in children[pid])

    seconds = {}
    for name, pid in roots.items():
        if name in split:
            seconds[f"{name}: service process"] = own(pid)
            seconds[f"{name}: its worker processes"] = tree(pid) - own(pid)
        else:
            seconds[name] = tree(pid)
    seconds["benchmark client"] = time.process_time()
    seconds["whole machine"] = _machine_busy_seconds()
    return seconds


def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds between two snapshots; REST is what no named part accounts for."""
    delta = {name: after[name] - before[name] for name in before}
    machine = delta.pop("whole machine")
    delta[REST] = machine - sum(delta.values())
    return delta
