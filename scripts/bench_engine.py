#!/usr/bin/env python3
"""Benchmark: pubsim's load engine vs SIPp as PUBLISH load generators, side by side in one run.

Both drive the same responder (`pubsim compositor` in its own process, restarted for every
step) with the same cycle (initial, refresh, modify, remove back to back per publisher; SIPp's
scenario is Tests/InteropTests/Scenarios/publish-cycle.xml, pubsim uses --arrival-rate).

  (a) client CPU time per PUBLISH transaction at the same rate;
  (b) the highest clean rate of each: every cycle completes, < 0.1 % retransmitted, >= 97 % of
      the offered cycles done, run finished on time;
  (c) pubsim's peak RSS with 500 000 and 1 000 000 live publishers, and the slope between
      them: the memory of one more publisher (--skip-cpu/--rates "" skip the others).

"floor" is scripts/floor/udp_floor.c (built with cc here): a client doing nothing but the socket
work, batched (one sendmmsg and non-blocking recvmmsg per 1 ms tick, no parsing, no timers,
one PUBLISH per transaction). Its CPU per transaction is what the kernel alone costs any client,
and its clean rate is the responder's ceiling on this machine; --tools sipp,pubsim,floor climbs
its ladder too.

All three clients send through one UDP socket: pubsim runs profiles/quickstart.yaml with
`connections: 1` (--connections changes it), as SIPp and the floor client have one socket each.
Each step of (a) runs --repeat times (3 by default), every client once per repetition, so that a
change in the machine's speed falls on all alike; the median run's CPU is reported with the range.

usage: scripts/bench_engine.py [--cpu-rate 8000,24000] [--repeat 3] [--rates 8000,16000,...] [--seconds 10]
       [--connections 1] [--pubsim-binaries PATH,...]
       [--million [--million-publishers 1000000,2000000] [--million-binary PATH]] [--json FILE]
Rates are PUBLISH transactions per second (4 per cycle). Needs `swift build -c release` and sipp.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

SCENARIO = peers.REPO / "Tests" / "InteropTests" / "Scenarios" / "publish-cycle.xml"
PROFILE = peers.REPO / "profiles" / "quickstart.yaml"


def bench_profile(connections: int) -> Path:
    """The quickstart profile with `connections` UDP sockets per shard."""
    path = Path(tempfile.mkdtemp(prefix="pubsim-bench-profile-")) / "bench.yaml"
    path.write_text(PROFILE.read_text() + f"connections: {connections}\n")
    return path


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_pubsim(port: int, rate: int, seconds: int, binary: Path | None = None, profile: Path = PROFILE) -> dict:
    """pubsim run --arrival-rate (cycles/s) against the responder; returns run.json and CPU."""
    folder = Path(tempfile.mkdtemp(prefix="pubsim-bench-"))
    cycles = rate / 4
    before = children_cpu()
    started = time.time()
    result = subprocess.run(
        [str(binary or peers.pubsim_binary()), "run", str(profile), "--target", f"sip:127.0.0.1:{port}",
         "--arrival-rate", str(cycles), "--duration", f"{seconds}s", "--report", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=seconds * 4 + 60)
    elapsed = time.time() - started
    cpu = children_cpu() - before
    report = json.loads((folder / "run.json").read_text()) if (folder / "run.json").exists() else {}
    transactions = report.get("transactions", {})
    offered_cycles = int(cycles * seconds)
    completed_cycles = report.get("operations", {}).get("remove", {}).get("count", 0)
    sent = max(transactions.get("sent", 0), 1)
    failed = transactions.get("timeouts", 0) + transactions.get("transportErrors", 0) + sum(
        count for code, count in report.get("responses", {}).items() if not code.startswith("2"))
    retransmission_share = transactions.get("retransmissions", 0) / sent
    return {
        "tool": f"pubsim@{binary}" if binary else "pubsim", "offeredRate": rate, "cyclesOffered": offered_cycles, "cyclesCompleted": completed_cycles,
        "failed": failed, "retransmissionShare": retransmission_share, "cpuSeconds": round(cpu, 3),
        "cpuMicrosPerTransaction": round(cpu / sent * 1e6, 2), "seconds": round(elapsed, 2),
        "p99Micros": report.get("latencyMicros", {}).get("p99"), "exit": result.returncode,
        "clean": (result.returncode == 0 and failed == 0 and retransmission_share < 0.001
                  and completed_cycles >= 0.97 * offered_cycles and elapsed <= seconds * 1.5 + 10),
    }


def run_sipp(port: int, rate: int, seconds: int) -> dict:
    cycles = rate / 4
    calls = int(cycles * seconds)
    before = children_cpu()
    started = time.time()
    result = peers.run_sipp_parallel(SCENARIO, port, 1, cycles, calls, timeout_seconds=seconds * 4 + 40)
    elapsed = time.time() - started
    cpu = children_cpu() - before
    sent = max(result.successful * 4 + result.failed, 1)
    retransmission_share = result.retransmissions / sent
    return {
        "tool": "sipp", "offeredRate": rate, "cyclesOffered": calls, "cyclesCompleted": result.successful,
        "failed": result.failed, "retransmissionShare": retransmission_share, "cpuSeconds": round(cpu, 3),
        "cpuMicrosPerTransaction": round(cpu / sent * 1e6, 2), "seconds": round(elapsed, 2),
        "clean": (result.failed == 0 and retransmission_share < 0.001 and result.successful >= 0.97 * calls
                  and elapsed <= seconds * 1.5 + 10),
    }


def floor_binary() -> Path:
    binary = Path(tempfile.gettempdir()) / "pubsim-udp-floor"
    source = peers.REPO / "scripts" / "floor" / "udp_floor.c"
    if not binary.exists() or binary.stat().st_mtime < source.stat().st_mtime:
        subprocess.run(["cc", "-O2", "-o", str(binary), str(source)], check=True)
    return binary


def run_floor(port: int, rate: int, seconds: int) -> dict:
    started = time.time()
    result = subprocess.run([str(floor_binary()), str(port), str(rate), str(seconds)], stdout=subprocess.PIPE,
                            text=True, timeout=seconds * 4 + 30)
    elapsed = time.time() - started
    sent, received, cpu = result.stdout.split()
    sent, received, cpu = int(sent), int(received), float(cpu)
    return {
        "tool": "floor", "offeredRate": rate, "cyclesOffered": sent, "cyclesCompleted": received,
        "failed": sent - received, "retransmissionShare": 0.0, "cpuSeconds": round(cpu, 3),
        "cpuMicrosPerTransaction": round(cpu / max(sent, 1) * 1e6, 2), "seconds": round(elapsed, 2),
        "clean": received == sent and elapsed <= seconds * 1.5 + 10,
    }


RUNNERS = {"pubsim": run_pubsim, "sipp": run_sipp, "floor": run_floor}


def measure(tool: str, rate: int, seconds: int) -> dict:
    server = peers.start_pubsim_compositor()
    try:
        row = RUNNERS[tool](server.port, rate, seconds)
    finally:
        server.stop()
    print(f"{tool:7} {rate:6}/s  cycles {row['cyclesCompleted']:6}/{row['cyclesOffered']:<6} failed {row['failed']:4}  "
          f"retrans {row['retransmissionShare'] * 100:5.2f}%  cpu {row['cpuMicrosPerTransaction']:7.2f} us/tx  "
          f"{'clean' if row['clean'] else 'NOT clean'}", flush=True)
    return row


def cpu_step(rate: int, seconds: int, repeat: int, tools: list[str]) -> dict:
    """(a) at one rate: each repetition runs every client once; the median run's CPU per client."""
    runs: dict[str, list[dict]] = {tool: [] for tool in tools}
    for repetition in range(repeat):
        for tool in tools:
            row = measure(tool, rate, seconds)
            row["repetition"] = repetition
            runs[tool].append(row)
    summary = {}
    for tool, rows in runs.items():
        cpu = sorted(row["cpuMicrosPerTransaction"] for row in rows)
        clean = sum(1 for row in rows if row["clean"])
        summary[tool] = {"cpuMedian": statistics.median(cpu), "cpuMin": cpu[0], "cpuMax": cpu[-1],
                         "cleanRuns": clean, "runs": len(rows),
                         "retransmissionShare": statistics.median(row["retransmissionShare"] for row in rows),
                         "answered": statistics.median(row["cyclesCompleted"] / max(row["cyclesOffered"], 1)
                                                       for row in rows)}
    return {"rows": [row for rows in runs.values() for row in rows], "summary": summary}


def million(count: int = 1_000_000, binary: Path | None = None, rate: int = 40_000) -> dict:
    """Peak RSS of pubsim holding `count` live publications on a separate compositor (arriving at
    `rate` a second, then held 10 s), and that RSS per publisher. Timeouts void the figure: each
    keeps a transaction, and its request, until Timer F."""
    server = peers.start_pubsim_compositor()
    folder = Path(tempfile.mkdtemp(prefix="pubsim-million-"))
    profile = peers.write_live_publications_profile(folder / "million.yaml", count, rate)
    seconds = count // rate + 10
    try:
        command = ["/usr/bin/time", "-f", "%M", str(binary or peers.pubsim_binary()), "run", str(profile),
                   "--target", f"sip:127.0.0.1:{server.port}", "--duration", f"{seconds}s", "--report", str(folder)]
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                timeout=seconds * 3 + 120)
        peak_kib = int(result.stderr.strip().splitlines()[-1])
        report = json.loads((folder / "run.json").read_text())
        server_rss = server.rss_kib()
    finally:
        server.stop()
    row = {"publishers": count, "publishersPeak": report["publishers"]["peak"],
           "peakRssMiB": round(peak_kib / 1024, 1), "bytesPerPublisher": round(peak_kib * 1024 / count),
           "initialCompleted": report["operations"]["initial"]["count"],
           "timeouts": report["transactions"]["timeouts"], "compositorRssMiB": round(server_rss / 1024, 1)}
    print(f"{count} publishers: peak {row['publishersPeak']} live, pubsim peak RSS {row['peakRssMiB']} MiB "
          f"({row['bytesPerPublisher']} B each, baseline included; compositor {row['compositorRssMiB']} MiB), "
          f"{row['timeouts']} timeouts", flush=True)
    return row


def memory(counts: list[int], binary: Path | None, rate: int) -> dict:
    """RSS at each population, and the cost of one more publisher: the slope between the first
    and the last (the process's fixed part drops out)."""
    rows = [million(count, binary, rate) for count in counts]
    result = {"rows": rows}
    if len(rows) > 1 and rows[-1]["publishers"] > rows[0]["publishers"]:
        grown = (rows[-1]["peakRssMiB"] - rows[0]["peakRssMiB"]) * 1024 * 1024
        slope = grown / (rows[-1]["publishers"] - rows[0]["publishers"])
        result["bytesPerPublisherSlope"] = round(slope)
        print(f"    each further publisher: {slope:.0f} B (goal <= 250)", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpu-rate", default="8000,24000", help="rates of (a), comma-separated")
    parser.add_argument("--rates", default="8000,16000,24000,32000,40000,48000,56000,64000")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--million", action="store_true", help="also measure RSS with 1 000 000 publishers")
    parser.add_argument("--million-publishers", default="500000,1000000",
                        help="with --million: populations to measure, e.g. 1000000,2000000 (the slope between "
                             "the first and last is the cost per publisher)")
    parser.add_argument("--million-binary", type=Path, help="with --million: the pubsim to measure")
    parser.add_argument("--million-rate", type=int, default=10000,
                        help="with --million: arrivals per second (below what the compositor takes cleanly)")
    parser.add_argument("--tools", default="sipp,pubsim", help="which ladders to climb in (b)")
    parser.add_argument("--skip-cpu", action="store_true", help="skip (a)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step of (a); the median is reported")
    parser.add_argument("--connections", type=int, default=1, help="pubsim's UDP sockets (SIPp and floor: 1)")
    parser.add_argument("--pubsim-binaries", help="other pubsim builds measured alongside in (a), comma-separated "
                        "(an A/B of a change)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not peers.pubsim_binary().exists():
        print("build first: swift build -c release", file=sys.stderr)
        return 2
    results: dict = {"machine": os.uname().release, "cores": os.cpu_count(), "seconds": args.seconds,
                     "repeat": args.repeat, "pubsimConnections": args.connections}
    profile = bench_profile(args.connections)
    RUNNERS["pubsim"] = lambda port, rate, seconds: run_pubsim(port, rate, seconds, profile=profile)
    tools = ["pubsim", "sipp", "floor"]
    for binary in [Path(path) for path in (args.pubsim_binaries or "").split(",") if path]:
        RUNNERS[f"pubsim@{binary}"] = lambda port, rate, seconds, binary=binary: run_pubsim(
            port, rate, seconds, binary=binary, profile=profile)
        tools.append(f"pubsim@{binary}")
    if not args.skip_cpu:
        results["cpu"] = {}
        table = []
        for rate in [int(rate) for rate in args.cpu_rate.split(",") if rate]:
            print(f"(a) CPU per transaction at {rate}/s, {args.repeat} runs each")
            step = cpu_step(rate, args.seconds, args.repeat, tools)
            per = {tool: max(row["cpuMedian"], 0.001) for tool, row in step["summary"].items()}
            step["pubsimToSipp"] = round(per["pubsim"] / per["sipp"], 2)
            step["pubsimToFloor"] = round(per["pubsim"] / per["floor"], 2)
            results["cpu"][str(rate)] = step
            table.append((rate, step))
            print(f"    pubsim/SIPp CPU per transaction: {per['pubsim'] / per['sipp']:.2f} (goal <= 0.5); "
                  f"pubsim/floor: {per['pubsim'] / per['floor']:.2f} (goal at 24 000/s <= 1.5); "
                  f"floor/SIPp: {per['floor'] / per['sipp']:.2f}", flush=True)
        print()
        print("| offered PUBLISH/s | client | CPU per transaction: median [min-max] | clean runs | "
              "retransmitted (floor: answered), median |")
        print("|---|---|---|---|---|")
        for rate, step in table:
            for tool, row in step["summary"].items():
                share = (f"{row['answered'] * 100:.2f} % answered" if tool == "floor"
                         else f"{row['retransmissionShare'] * 100:.2f} %")
                print(f"| {rate} | {tool} | {row['cpuMedian']:.1f} us [{row['cpuMin']:.1f}-{row['cpuMax']:.1f}] | "
                      f"{row['cleanRuns']}/{row['runs']} | {share} |")
        print()
    rates = [int(rate) for rate in args.rates.split(",") if rate]
    ladder = {}
    if rates:
        print("(b) highest clean rate")
        for tool in args.tools.split(","):
            rows = []
            misses = 0
            for rate in rates:
                row = measure(tool, rate, args.seconds)
                rows.append(row)
                misses = 0 if row["clean"] else misses + 1
                if misses >= 2:
                    break
            ladder[tool] = {"cleanRate": peers.clean_rate(rows), "rows": rows}
        results["ladder"] = ladder
        for tool, outcome in ladder.items():
            print(f"    clean rate {tool}: {outcome['cleanRate']}/s"
                  + (" (not pushed to its limit)" if outcome["cleanRate"] == rates[-1] else ""))
        if "sipp" in ladder and "pubsim" in ladder:
            print(f"    ratio pubsim/SIPp: {ladder['pubsim']['cleanRate'] / max(ladder['sipp']['cleanRate'], 1):.2f}")
    if args.million:
        counts = [int(count) for count in args.million_publishers.split(",") if count]
        print(f"(c) memory with {', '.join(map(str, counts))} live publishers")
        results["million"] = memory(counts, args.million_binary, args.million_rate)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
