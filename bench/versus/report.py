"""The closing tables: medians over rounds, ratios, and the marks the comparison is judged by."""

from bench.versus.load import Case, Figures, Summary, summarise

Row = dict[str, object]


def num(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def pick(summary: Summary | None, name: str) -> float | None:
    value = None if summary is None else getattr(summary, name)
    return None if value is None else float(value)


def ratio(top: Summary | None, bottom: Summary | None) -> float | None:
    if top is None or bottom is None or bottom.rps == 0:
        return None
    return top.rps / bottom.rps


def faults(summary: Summary | None) -> str:
    return "-" if summary is None else f"{summary.socket_errors}/{summary.non_2xx}"


def versus_rows(cases: list[tuple[int, Case]], results: list[dict[str, list[Figures]]]) -> list[Row]:
    """One row per case: the peer against ScoreMate through its gateway."""
    rows: list[Row] = []
    for (index, case), by_target in zip(cases, results, strict=True):
        peer, scoremate = summarise(by_target["peer"]), summarise(by_target["ScoreMate"])
        times = ratio(scoremate, peer)
        faster = None if times is None else times >= 3
        p99_below = p99_lower(scoremate, peer)
        rows.append(
            {
                "#": index,
                "case": case.name,
                "clients": case.connections,
                "peer req/s": num(pick(peer, "rps")),
                "ScoreMate req/s": num(pick(scoremate, "rps")),
                "ScoreMate/peer": num(times, 2),
                "peer p50 ms": num(pick(peer, "p50_ms")),
                "SM p50 ms": num(pick(scoremate, "p50_ms")),
                "peer p99 ms": num(pick(peer, "p99_ms")),
                "SM p99 ms": num(pick(scoremate, "p99_ms")),
                "errors/non-2xx peer": faults(peer),
                "errors/non-2xx SM": faults(scoremate),
                ">=3x req/s": mark(faster),
                "p99 below peer": mark(p99_below),
            }
        )
    return rows


def floor_rows(cases: list[Case], results: list[dict[str, list[Figures]]]) -> list[Row]:
    """One row per call: the floor against the library service hit directly, with CPU per request."""
    rows: list[Row] = []
    for case, by_target in zip(cases, results, strict=True):
        floor, library = summarise(by_target["floor"]), summarise(by_target["library"])
        rows.append(
            {
                "call": case.name,
                "clients": case.connections,
                "floor req/s": num(pick(floor, "rps")),
                "library req/s": num(pick(library, "rps")),
                "library/floor": num(ratio(library, floor), 2),
                "floor p50/p99 ms": latency(floor),
                "library p50/p99 ms": latency(library),
                "floor CPU ms/req": num(pick(floor, "cpu_ms"), 2),
                "library CPU ms/req": num(pick(library, "cpu_ms"), 2),
                # Well below 100%: the process waited (database, locks, a busy machine), not computed.
                "floor/library CPU busy %": f"{num(pick(floor, 'busy_pct'))}/{num(pick(library, 'busy_pct'))}",
                "errors/non-2xx floor": faults(floor),
                "errors/non-2xx library": faults(library),
            }
        )
    return rows


def p99_lower(ours: Summary | None, theirs: Summary | None) -> bool | None:
    if ours is None or theirs is None or ours.p99_ms is None:
        return None if ours is None or theirs is None else False
    # Nothing of theirs completed: any p99 of ours is below.
    return theirs.p99_ms is None or ours.p99_ms < theirs.p99_ms


def latency(summary: Summary | None) -> str:
    return f"{num(pick(summary, 'p50_ms'))}/{num(pick(summary, 'p99_ms'))}"


def mark(flag: bool | None) -> str:
    return "-" if flag is None else ("yes" if flag else "no")
