#!/usr/bin/env python3
"""Soak: pubsim runs profiles/soak.yaml against a server for MINUTES, and the resident memory
and CPU of both are sampled every minute from /proc. Warm-up lasts until every kind of request
has been made: a fifth of the run, and at least until a minute after the first refreshes (the
profile refreshes at 80 % of a 10-minute lifetime, so at 8 minutes; the first modifications and
sessions ending come before). After it, RSS may not grow more than 5 % (pubsim, and the embedded
compositor, whose state is bounded by the population). Kamailio's figures are reported, not
judged.

usage: scripts/soak.sh MINUTES [--only compositor|kamailio] [--json FILE]
Needs `swift build -c release` (and kamailio for its half).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

PROFILE = peers.REPO / "profiles" / "soak.yaml"
GROWTH_LIMIT = 0.05
# The first refreshes (80 % of the profile's 600 s lifetime) plus a minute.
WARM_UP_MINUTES = 9


def soak(server: peers.Server, minutes: int, judge_server: bool) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="pubsim-soak-"))
    run = subprocess.Popen(
        [str(peers.pubsim_binary()), "run", str(PROFILE), "--target", f"sip:127.0.0.1:{server.port}",
         # Half a minute past the last sample, so that every sample is taken under load and none
         # while the report is being written (that peak is measured apart).
         "--duration", f"{minutes * 60 + 30}s", "--report", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        start_new_session=True)
    samples = []
    started = time.time()
    try:
        for minute in range(1, minutes + 1):
            while time.time() < started + minute * 60:
                if run.poll() is not None:
                    break
                time.sleep(1)
            if run.poll() is not None:
                break
            samples.append({
                "minute": minute,
                "pubsimRssKiB": peers.rss_kib_of_group(run.pid),
                "pubsimCpuSeconds": round(peers.cpu_seconds_of_group(run.pid), 1),
                "serverRssKiB": server.rss_kib(),
                "serverCpuSeconds": round(server.cpu_seconds(), 1),
            })
            print(f"  {server.name:8} minute {minute:3}: pubsim {samples[-1]['pubsimRssKiB'] / 1024:7.1f} MiB, "
                  f"server {samples[-1]['serverRssKiB'] / 1024:7.1f} MiB", flush=True)
        report_peak = 0
        deadline = time.time() + 300
        while run.poll() is None and time.time() < deadline:
            report_peak = max(report_peak, peers.rss_kib_of_group(run.pid))
            time.sleep(0.2)
        run.wait(timeout=5)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    report = json.loads((folder / "run.json").read_text()) if (folder / "run.json").exists() else {}
    warm = max(WARM_UP_MINUTES, minutes // 5)
    after = [sample for sample in samples if sample["minute"] >= warm]
    result = {"server": server.name, "minutes": minutes, "samples": samples,
              "transactions": report.get("transactions", {}), "exit": run.returncode,
              "pubsimReportPeakKiB": report_peak}
    for who in (["pubsim", "server"] if judge_server else ["pubsim"]):
        if len(after) >= 2:
            base = after[0][f"{who}RssKiB"]
            peak = max(sample[f"{who}RssKiB"] for sample in after)
            growth = (peak - base) / base if base else 0
            result[f"{who}Growth"] = round(growth, 4)
            result[f"{who}Flat"] = growth <= GROWTH_LIMIT
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("minutes", type=int)
    parser.add_argument("--only", choices=["compositor", "kamailio"])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = []
    # The compositor's memory is judged; Kamailio's is reported.
    for name, start, judged in [("compositor", peers.start_pubsim_compositor, True),
                                ("kamailio", peers.start_kamailio, False)]:
        if args.only not in (None, name):
            continue
        server = start()
        try:
            result = soak(server, args.minutes, judge_server=judged)
            result["server"] = name
            results.append(result)
        finally:
            server.stop()
    failed = False
    for result in results:
        transactions = result["transactions"]
        line = (f"{result['server']}: {transactions.get('completed', 0)} of {transactions.get('sent', 0)} "
                f"transactions completed; pubsim RSS growth after warm-up "
                f"{result.get('pubsimGrowth', 0) * 100:.1f} %")
        if "serverGrowth" in result:
            line += f", compositor {result['serverGrowth'] * 100:.1f} %"
        line += f"; pubsim's peak while writing the report {result['pubsimReportPeakKiB'] / 1024:.1f} MiB"
        print(line)
        failed |= not result.get("pubsimFlat", False) or result.get("serverFlat") is False
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    print("flat" if not failed else "FAILED: memory grew past 5 % after warm-up")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
