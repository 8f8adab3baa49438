#!/usr/bin/env python3
"""Benchmark: pubsim's embedded compositor vs Kamailio's presence module (memory only, with
transactions), both driven by the same SIPp PUBLISH cycle (initial, refresh, modify, remove) at a
ladder of rates, one after the other in the same run on the same machine.

For each server and rate: transactions completed, the share retransmitted, failed cycles, and
the server's CPU time per PUBLISH transaction (user + system, all its processes). A rate is
*clean* when no cycle failed, under 0.1 % of requests were retransmitted and at least 97 % of
the offered cycles completed within the step. The clean rate of a server is the highest clean
step below its first unclean one.

With --memory COUNTS it measures memory instead: `pubsim compositor` in its own process holding
COUNTS live publications (PIDF bodies, one-hour lifetimes) made by `pubsim run`, its RSS against
the body bytes it reports holding, and the cost of one more publication beyond its body (the
slope between the first and the last count, where the process's fixed part and the transaction
cache, the same size at the same arrival rate, drop out).

Each step runs --repeat times (3 by default), every server once per repetition; a step is clean
when most of its runs were, and its CPU is the median run's, with the range beside it. SIPp's own
CPU is shown, so that a ceiling set by the machine (two cores shared by server and drivers) shows.

usage: scripts/bench_compositor.py [--rates 2000,4000,...] [--seconds 10] [--sipp 2] [--repeat 3] [--json FILE]
       [--servers pubsim,kamailio] [--pubsim-binaries PATH,...]
       scripts/bench_compositor.py --memory 1000000,2000000 [--memory-rate 10000] [--json FILE]
Rates are PUBLISH transactions per second (4 per SIPp call). Needs a release build
(swift build -c release), kamailio with the presence modules, and sipp.
"""

import argparse
import json
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

SCENARIO = peers.REPO / "Tests" / "InteropTests" / "Scenarios" / "publish-cycle.xml"


def measure(start_server, name: str, rate: int, seconds: int, sipp_instances: int) -> dict:
    server = start_server()
    try:
        cycles_per_second = rate / 4
        calls_per_instance = int(cycles_per_second * seconds / sipp_instances)
        cpu_before = server.cpu_seconds()
        started = time.time()
        result = peers.run_sipp_parallel(SCENARIO, server.port, sipp_instances,
                                         cycles_per_second / sipp_instances, calls_per_instance,
                                         timeout_seconds=seconds * 4 + 40)
        elapsed = time.time() - started
        cpu = server.cpu_seconds() - cpu_before
        rss = server.rss_kib()
    finally:
        server.stop()
    offered = calls_per_instance * sipp_instances
    transactions = result.successful * 4
    requests = max(transactions, 1)
    retransmission_share = result.retransmissions / requests
    clean = (result.failed == 0 and retransmission_share < 0.001 and result.successful >= 0.97 * offered
             and elapsed <= seconds * 1.5 + 5)
    return {
        "server": name, "offeredRate": rate, "cycles": offered, "successfulCycles": result.successful,
        "failedCycles": result.failed, "retransmissions": result.retransmissions,
        "retransmissionShare": retransmission_share, "seconds": round(elapsed, 2),
        "achievedRate": round(transactions / elapsed), "serverCpuSeconds": round(cpu, 3),
        "serverCpuMicrosPerTransaction": round(cpu / requests * 1e6, 2), "serverRssKiB": rss,
        "sippCpuSeconds": round(result.cpu_seconds, 2), "clean": clean,
    }


def start_build(binary: Path) -> peers.Server:
    """`pubsim compositor` from another build, with the same listeners as the usual one."""
    port = peers.free_port()
    rundir = Path(tempfile.mkdtemp(prefix="pubsim-compositor-"))
    command = [str(binary), "compositor", "--listen", f"sip:127.0.0.1:{port}",
               "--listen", f"sip:127.0.0.1:{port};transport=tcp"]
    return peers.launch("pubsim", command, port, rundir, rundir / "compositor.log")


def summarize(runs: list[dict]) -> dict:
    """One step from its repetitions: clean when most runs were, CPU as median and range."""
    cpu = sorted(run["serverCpuMicrosPerTransaction"] for run in runs)
    clean_runs = sum(1 for run in runs if run["clean"])
    return {"server": runs[0]["server"], "offeredRate": runs[0]["offeredRate"], "runs": len(runs),
            "cleanRuns": clean_runs, "clean": clean_runs * 2 > len(runs),
            "retransmissionShare": statistics.median(run["retransmissionShare"] for run in runs),
            "cpuMedian": statistics.median(cpu), "cpuMin": cpu[0], "cpuMax": cpu[-1],
            "sippCpuSeconds": statistics.median(run["sippCpuSeconds"] for run in runs)}


def memory_row(count: int, rate: int) -> dict:
    """The compositor holding `count` live publications made by `pubsim run` (arriving at `rate` a
    second, one-hour lifetimes, so that all are live at the end): its RSS, and the body bytes it
    says it holds."""
    server = peers.start_pubsim_compositor()
    folder = Path(tempfile.mkdtemp(prefix="pubsim-compositor-memory-"))
    profile = peers.write_live_publications_profile(folder / "memory.yaml", count, rate)
    seconds = count // rate + 5
    try:
        idle_kib = server.rss_kib()
        subprocess.run([str(peers.pubsim_binary()), "run", str(profile), "--target", f"sip:127.0.0.1:{server.port}",
                        "--duration", f"{seconds}s", "--report", str(folder)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=seconds * 3 + 120, check=True)
        report = json.loads((folder / "run.json").read_text())
        rss_kib = server.rss_kib()
    finally:
        output = server.stop()
    held = re.search(r"live publications (\d+)(?: holding (\d+) bytes of bodies)?", output)
    if not held:
        raise RuntimeError(f"no summary line from the compositor: {output[-500:]}")
    live, body_bytes = int(held.group(1)), int(held.group(2) or 0)
    beyond = rss_kib * 1024 - body_bytes
    row = {"publications": live, "offered": count, "timeouts": report["transactions"]["timeouts"],
           "idleRssMiB": round(idle_kib / 1024, 1), "rssMiB": round(rss_kib / 1024, 1),
           "bodyBytes": body_bytes, "bodyBytesEach": round(body_bytes / max(live, 1)),
           "rssBeyondBodiesMiB": round(beyond / 2**20, 1),
           "bytesPerPublicationBeyondBodies": round(beyond / max(live, 1))}
    print(f"{live} publications live ({count} offered, {row['timeouts']} timeouts): RSS {row['rssMiB']} MiB "
          f"(idle {row['idleRssMiB']}), bodies {body_bytes / 2**20:.1f} MiB ({row['bodyBytesEach']} B each), "
          f"beyond the bodies {row['rssBeyondBodiesMiB']} MiB = {row['bytesPerPublicationBeyondBodies']} B "
          f"per publication, everything included", flush=True)
    return row


def memory(counts: list[int], rate: int) -> dict:
    rows = [memory_row(count, rate) for count in counts]
    result = {"arrivalRate": rate, "rows": rows}
    first, last = rows[0], rows[-1]
    if last["publications"] > first["publications"]:
        slope = ((last["rssBeyondBodiesMiB"] - first["rssBeyondBodiesMiB"]) * 2**20
                 / (last["publications"] - first["publications"]))
        result["bytesPerFurtherPublication"] = round(slope)
        print(f"    each further publication beyond its body: {slope:.0f} B (goal <= 400)", flush=True)
    for row in rows:
        if row["publications"] == 1_000_000:
            met = row["rssBeyondBodiesMiB"] <= 400
            print(f"    1 000 000 publications: {row['rssBeyondBodiesMiB']} MiB + bodies "
                  f"(goal <= 400 MiB + bodies: {'met' if met else 'not met'})", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="4000,8000,12000,16000,20000,24000,28000,32000,36000,40000")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--sipp", type=int, default=2, help="SIPp instances side by side")
    parser.add_argument("--json", type=Path, help="write all rows here")
    parser.add_argument("--servers", default="pubsim,kamailio")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step; the median is reported")
    parser.add_argument("--pubsim-binaries", help="other pubsim builds to measure alongside, comma-separated "
                        "(an A/B of a change: --servers pubsim --pubsim-binaries /tmp/pubsim-before)")
    parser.add_argument("--memory", help="measure the compositor's memory at these live publication counts "
                        "(comma-separated, e.g. 1000000,2000000) instead of CPU")
    parser.add_argument("--memory-rate", type=int, default=10000,
                        help="with --memory: publications arriving per second")
    args = parser.parse_args()
    if not peers.pubsim_binary().exists():
        print("build first: swift build -c release", file=sys.stderr)
        return 2
    if args.memory:
        result = memory([int(count) for count in args.memory.split(",") if count], args.memory_rate)
        if args.json:
            args.json.write_text(json.dumps({"machine": platform.platform(), "memory": result}, indent=2))
        return 0
    rates = [int(rate) for rate in args.rates.split(",")]
    starters = {
        "pubsim": peers.start_pubsim_compositor,
        "kamailio": peers.start_kamailio,
    }
    names = [name for name in args.servers.split(",") if name]
    # Other builds of pubsim, measured alongside (an A/B of a change): each is a server of its own.
    for binary in [Path(path) for path in (args.pubsim_binaries or "").split(",") if path]:
        name = f"pubsim@{binary}"
        starters[name] = lambda binary=binary: start_build(binary)
        names.append(name)
    rows = []
    unclean_in_a_row = {name: 0 for name in names}
    # Rate by rate, each repetition running every server once, so that a change in the machine's
    # speed during the run falls on both alike.
    for rate in rates:
        active = [name for name in names if unclean_in_a_row[name] < 2]
        if not active:
            break
        for repetition in range(args.repeat):
            for name in active:
                row = measure(starters[name], name, rate, args.seconds, args.sipp)
                row["repetition"] = repetition
                rows.append(row)
                print(f"{name:9} {rate:6}/s #{repetition + 1}  achieved {row['achievedRate']:6}/s  "
                      f"failed {row['failedCycles']:5}  retrans {row['retransmissionShare'] * 100:6.2f}%  "
                      f"cpu {row['serverCpuMicrosPerTransaction']:7.2f} us/tx  sipp cpu {row['sippCpuSeconds']:5.2f} s  "
                      f"{'clean' if row['clean'] else 'NOT clean'}", flush=True)
        for name in active:
            step = summarize([row for row in rows if row["server"] == name and row["offeredRate"] == rate])
            unclean_in_a_row[name] = 0 if step["clean"] else unclean_in_a_row[name] + 1
    steps = [summarize([row for row in rows if row["server"] == name and row["offeredRate"] == rate])
             for rate in rates for name in names
             if any(row["server"] == name and row["offeredRate"] == rate for row in rows)]
    print()
    print("| offered PUBLISH/s | server | clean (runs) | retransmitted, median | server CPU per transaction: "
          "median [min-max] | SIPp CPU, median |")
    print("|---|---|---|---|---|---|")
    for step in steps:
        print(f"| {step['offeredRate']} | {step['server']} | {'yes' if step['clean'] else 'no'} "
              f"({step['cleanRuns']}/{step['runs']}) | {step['retransmissionShare'] * 100:.2f} % | "
              f"{step['cpuMedian']:.1f} us [{step['cpuMin']:.1f}-{step['cpuMax']:.1f}] | {step['sippCpuSeconds']:.2f} s |")
    summary = {name: peers.clean_rate([step for step in steps if step["server"] == name]) for name in names}
    print()
    for name, rate in summary.items():
        print(f"clean rate {name}: {rate}/s")
    if "pubsim" in summary and "kamailio" in summary:
        if summary["kamailio"]:
            print(f"clean rate ratio pubsim/kamailio: {summary['pubsim'] / summary['kamailio']:.2f}x"
                  + (" (pubsim was not pushed to its limit: raise --rates)" if summary["pubsim"] == rates[-1] else ""))
        for rate in rates:
            pair = {step["server"]: step for step in steps if step["offeredRate"] == rate}
            if "pubsim" in pair and "kamailio" in pair:
                print(f"CPU per transaction pubsim/kamailio at {rate}/s: "
                      f"{pair['pubsim']['cpuMedian'] / pair['kamailio']['cpuMedian']:.2f} (goal <= 0.33)")
    if args.json:
        args.json.write_text(json.dumps({"machine": platform.platform(), "cores": __import__("os").cpu_count(),
                                         "seconds": args.seconds, "sippInstances": args.sipp, "repeat": args.repeat,
                                         "cleanRate": summary, "steps": steps, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
