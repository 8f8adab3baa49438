#!/usr/bin/env python3
"""Benchmark: pubsim's embedded compositor vs Kamailio's presence module (memory only, with
transactions), both driven by the same SIPp PUBLISH cycle (initial, refresh, modify, remove) at a
ladder of rates, one after the other in the same run on the same machine.

For each server and rate: transactions completed, the share retransmitted, failed cycles, and
the server's CPU time per PUBLISH transaction (user + system, all its processes). A rate is
*clean* when no cycle failed, under 0.1 % of requests were retransmitted and at least 97 % of
the offered cycles completed within the step. The clean rate of a server is the highest clean
step below its first unclean one.

usage: scripts/bench_compositor.py [--rates 2000,4000,...] [--seconds 10] [--sipp 2] [--json FILE]
Rates are PUBLISH transactions per second (4 per SIPp call). Needs a release build
(swift build -c release), kamailio with the presence modules, and sipp.
"""

import argparse
import json
import platform
import sys
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="4000,8000,12000,16000,20000,24000,28000,32000,36000,40000")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--sipp", type=int, default=2, help="SIPp instances side by side")
    parser.add_argument("--json", type=Path, help="write all rows here")
    parser.add_argument("--servers", default="pubsim,kamailio")
    args = parser.parse_args()
    if not peers.pubsim_binary().exists():
        print("build first: swift build -c release", file=sys.stderr)
        return 2
    rates = [int(rate) for rate in args.rates.split(",")]
    starters = {
        "pubsim": peers.start_pubsim_compositor,
        "kamailio": peers.start_kamailio,
    }
    rows = []
    for name in args.servers.split(","):
        failures_in_a_row = 0
        for rate in rates:
            row = measure(starters[name], name, rate, args.seconds, args.sipp)
            rows.append(row)
            print(f"{name:9} {rate:6}/s  achieved {row['achievedRate']:6}/s  "
                  f"failed {row['failedCycles']:5}  retrans {row['retransmissionShare'] * 100:6.2f}%  "
                  f"cpu {row['serverCpuMicrosPerTransaction']:7.2f} us/tx  "
                  f"{'clean' if row['clean'] else 'NOT clean'}", flush=True)
            failures_in_a_row = 0 if row["clean"] else failures_in_a_row + 1
            if failures_in_a_row >= 2:
                break
    summary = {name: peers.clean_rate([row for row in rows if row["server"] == name]) for name in args.servers.split(",")}
    print()
    print("| server | clean rate (PUBLISH/s) | CPU per transaction at the highest common clean rate |")
    print("|---|---|---|")
    common = min(summary.values()) if summary else 0
    cpu_at_common = {}
    for name, rate in summary.items():
        at = [row for row in rows if row["server"] == name and row["offeredRate"] == common]
        cpu_at_common[name] = at[0]["serverCpuMicrosPerTransaction"] if at else None
        print(f"| {name} | {rate} | {cpu_at_common[name]} us at {common}/s |")
    if "pubsim" in summary and "kamailio" in summary and summary["kamailio"]:
        ratio = summary["pubsim"] / summary["kamailio"]
        print(f"\nclean rate ratio pubsim/kamailio: {ratio:.2f}x"
              + (" (pubsim was not pushed to its limit: raise --rates)" if summary["pubsim"] == rates[-1] else ""))
        if cpu_at_common.get("pubsim") and cpu_at_common.get("kamailio"):
            print(f"CPU per transaction pubsim/kamailio at {common}/s: "
                  f"{cpu_at_common['pubsim'] / cpu_at_common['kamailio']:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"machine": platform.platform(), "cores": __import__("os").cpu_count(),
                                         "seconds": args.seconds, "sippInstances": args.sipp,
                                         "cleanRate": summary, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
