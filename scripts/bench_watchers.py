#!/usr/bin/env python3
"""Benchmark: NOTIFY fan-out. How many NOTIFYs a second a notifier sustains, pubsim's compositor
(`pubsim compositor`, its own process) side by side with Kamailio's presence module
(scripts/kamailio/kamailio.cfg, in memory), at several watchers per presentity, in one run on the
same machine; and a check of the compositor's `--notify-delay` knob.

Each step is one `pubsim run` of a generated watcher profile against a fresh server process:
P presentities (SUBSCRIPTIONS / F, arriving within the first second), F watchers each (arriving
uniformly over the rest of the warm-up), every presentity changing its PIDF (modify) at Poisson
times with a mean interval M chosen so that the offered NOTIFY rate P * F / M steps through the
ladder. The run lasts warm-up + SECONDS, with no --cleanup. The warm-up is 1 s + SUBSCRIPTIONS /
SUBSCRIBE_RATE: watchers arriving faster (20 000 in 4 s was tried) set off SUBSCRIBE and NOTIFY
retransmission storms on a 2-core machine, against either server, that the run's totals cannot
tell from the fan-out being measured.

Per server, fan-out and step: owed changes received per second (`notify.received` over the mean
subscribed seconds, computed from the profile: duration - mean presentity arrival - mean watcher
delay), the share of owed changes received, missing, superseded, stale, duplicates, NOTIFYs the
watchers received again (retransmissions), SUBSCRIBE retransmissions, propagation p50/p99/max
(from the changing PUBLISH's intended send), the server's CPU time per NOTIFY (user + system of
all its processes over the whole run, PUBLISH and SUBSCRIBE work included, over
`notify.notifies`, which also counts the NOTIFY after each SUBSCRIBE and unsubscribe), its peak
resident memory (RSS summed over its processes, which counts Kamailio's shared memory once per
process, and PSS, which does not), and the load generator's CPU seconds.

A step is *clean* (CLEAN_RULE below) when no owed change went missing, none arrived stale,
propagation p99 stayed under 100 ms, and the load was what was offered: every watcher subscribed,
no SUBSCRIBE or PUBLISH failed or timed out, and the server was still running. A server's clean
rate is the highest offered NOTIFY rate below its first unclean step. Stale NOTIFYs (an older
state notified after a newer one, in a later CSeq of the same dialog: Kamailio's two workers
race on close changes of one presentity) are an ordering fault, not a want of capacity, and grow
with the rate of close pairs of changes rather than with load; so a step unclean only through
stale NOTIFYs does not stop the ladder (--strict-ladder: it does), and the summary gives, beside
the clean rate, the *capacity* rate: the same rule with stale NOTIFYs ignored. A ladder stops
after its first step that is unclean for any other reason.

The notify-delay check (on unless --no-delay-check) starts the compositor once without and once
with `--notify-delay 20ms`, runs a light watcher profile against each, and reports propagation
p50 with and without, their difference and its relative error against the 20 ms asked for
(goal: within 5 %).

usage: scripts/bench_watchers.py [--quick] [--fanouts 10,100] [--subscriptions 10000]
         [--rates 1000,2000,4000,8000,16000] [--seconds 20] [--subscribe-rate 1000 | --warmup S]
         [--servers pubsim,kamailio] [--strict-ladder] [--no-delay-check | --delay-only]
         [--keep-reports DIR] [--json FILE]
Rates are offered NOTIFYs (owed changes) per second. --quick is a smoke run of about 2 minutes;
the default run about 13. Needs a release build (swift build -c release) and kamailio with the
presence modules. Loopback only.
"""

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

# A step is clean when all of these hold (see clean()).
MAX_MISSING = 0
MAX_STALE = 0
MAX_P99_MICROS = 100_000
CLEAN_RULE = (f"missing == {MAX_MISSING}, stale == {MAX_STALE}, propagation p99 < {MAX_P99_MICROS // 1000} ms, "
              "every watcher subscribed, no SUBSCRIBE/PUBLISH failed or timed out, server alive")
# The notify-delay knob's goal: the p50 difference within 5 % of the delay asked for.
DELAY_GOAL = 0.05
# Watchers report a change missing when no NOTIFY brought it this long after its PUBLISH.
GRACE_SECONDS = 5
# Beyond the profile's duration, how long a `pubsim run` may take (report, unsubscribes) before
# it is stopped.
RUN_SLACK_SECONDS = 90
SAMPLE_EVERY_SECONDS = 0.5
COMPOSITOR_SUMMARY = re.compile(r"NOTIFY sent (\d+), answered (\d+), retransmitted (\d+), refused (\d+), "
                                r"timed out (\d+)")


def pss_kib_of_group(leader: int) -> int:
    """Proportional set size (KiB) summed over the process group: shared pages split between
    the processes sharing them, so Kamailio's shared memory counts once."""
    total = 0
    for pid, _ in peers.group_processes(leader):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                total += sum(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        except (OSError, ValueError, IndexError):
            continue
    return total


def profile_text(name: str, presentities: int, fanout: int, mean_interval_ms: int, warmup: float,
                 seconds: float) -> str:
    """A watcher profile: presentities arrive within the first second, their watchers over the
    rest of the warm-up; no refresh (publications and subscriptions outlive the run)."""
    watcher_spread = max(warmup - 1, 0)
    return f"""# generated by scripts/bench_watchers.py
name: {name}
duration: {int((warmup + seconds) * 1000)}ms
population:
  size: {presentities}
  identity: "bw{fanout}x{{n}}"
events:
  - package: presence
    body: pidf
expires: 3000
refresh:
  at: 0.8
modify:
  meanInterval: {mean_interval_ms}ms
arrival:
  rate: {presentities}/s
watchers:
  perPresentity: {fanout}
  arrival: {{uniform: [0ms, {int(watcher_spread * 1000)}ms]}}
  expires: 3000
  refresh: 0.8
  grace: {GRACE_SECONDS}s
"""


def subscribed_seconds(warmup: float, seconds: float) -> float:
    """Mean time a watcher is subscribed while changes are made: the duration less the mean
    presentity arrival (half of the first second) and the mean watcher delay (half the rest)."""
    return warmup + seconds - 0.5 - max(warmup - 1, 0) / 2


def run_watchers(server: peers.Server, profile: Path, report: Path, timeout: float, seed: int) -> dict:
    """One `pubsim run` against `server`, sampling the server's memory while it runs. Returns
    run.json (or None), the client's CPU seconds, the server's CPU delta, peak RSS and PSS."""
    command = [str(peers.pubsim_binary()), "run", str(profile), "--target", f"sip:127.0.0.1:{server.port}",
               "--report", str(report), "--seed", str(seed)]
    log = report.with_suffix(".log")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = server.cpu_seconds()
    started = time.time()
    peak_rss = peak_pss = 0
    timed_out = False
    with log.open("w") as output:
        run = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
        try:
            deadline = started + timeout
            while run.poll() is None:
                if time.time() > deadline:
                    timed_out = True
                    break
                peak_rss = max(peak_rss, server.rss_kib())
                peak_pss = max(peak_pss, pss_kib_of_group(server.process.pid))
                time.sleep(SAMPLE_EVERY_SECONDS)
        finally:
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGTERM)
                try:
                    run.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(run.pid, signal.SIGKILL)
                    run.wait()
    elapsed = time.time() - started
    server_cpu = server.cpu_seconds() - cpu_before
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    run_json = report / "run.json"
    try:
        result = json.loads(run_json.read_text())
    except (OSError, ValueError):
        result = None
    return {"run": result, "clientCpuSeconds": client_cpu, "serverCpuSeconds": server_cpu,
            "peakRssKiB": peak_rss, "peakPssKiB": peak_pss, "wallSeconds": elapsed, "timedOut": timed_out,
            "exitCode": run.returncode, "serverAlive": server.process.poll() is None,
            "log": log.read_text(errors="replace")[-2000:]}


def compositor_notify_counts(server_log: str) -> dict | None:
    """`pubsim compositor`'s own NOTIFY counts from its exit summary line."""
    match = COMPOSITOR_SUMMARY.search(server_log)
    if not match:
        return None
    sent, answered, retransmitted, refused, timed_out = (int(group) for group in match.groups())
    return {"sent": sent, "answered": answered, "retransmitted": retransmitted, "refused": refused,
            "timedOut": timed_out}


def clean(row: dict, ignore_stale: bool = False) -> tuple[bool, list[str]]:
    """The clean rule and, when it fails, why (ignore_stale: the capacity rule)."""
    why = []
    if row.get("error"):
        return False, [row["error"]]
    if row["missing"] > MAX_MISSING:
        why.append(f"{row['missing']} missing")
    if row["stale"] > MAX_STALE and not ignore_stale:
        why.append(f"{row['stale']} stale")
    if row["p99Micros"] >= MAX_P99_MICROS:
        why.append(f"p99 {row['p99Micros'] / 1000:.1f} ms")
    if row["established"] < row["watchers"] or row["subscribeFailed"] or row["subscribeTimeouts"]:
        why.append(f"subscriptions {row['established']} of {row['watchers']}, "
                   f"{row['subscribeFailed']} failed, {row['subscribeTimeouts']} timed out")
    if row["publishFailed"] or row["publishTimeouts"]:
        why.append(f"PUBLISH {row['publishFailed']} failed, {row['publishTimeouts']} timed out")
    if not row["serverAlive"]:
        why.append("server exited")
    if row["runTimedOut"]:
        why.append("pubsim run overran")
    return not why, why


def measure(start_server, name: str, fanout: int, subscriptions: int, rate: int, warmup: float,
            seconds: float, seed: int, workdir: Path) -> dict:
    presentities = max(subscriptions // fanout, 1)
    mean_interval_ms = max(round(presentities * fanout / rate * 1000), 1)
    offered = presentities * fanout * 1000 / mean_interval_ms
    profile = workdir / f"{name}-f{fanout}-r{rate}.yaml"
    profile.write_text(profile_text(f"bench-watchers-f{fanout}-r{rate}", presentities, fanout, mean_interval_ms,
                                    warmup, seconds))
    report = workdir / f"{name}-f{fanout}-r{rate}"
    row = {"server": name, "fanout": fanout, "presentities": presentities, "watchers": presentities * fanout,
           "offeredRate": rate, "offeredExact": round(offered, 1), "meanIntervalMs": mean_interval_ms,
           "warmupSeconds": warmup, "seconds": seconds}
    try:
        server = start_server()
    except Exception as error:  # noqa: BLE001 - a server that does not start is a row, not a crash
        row.update(error=f"server did not start: {str(error)[:300]}", clean=False, capacityClean=False,
                   why=["server did not start"])
        return row
    try:
        measured = run_watchers(server, profile, report, warmup + seconds + GRACE_SECONDS + RUN_SLACK_SECONDS, seed)
    finally:
        server_log = server.stop()
        shutil.rmtree(server.rundir, ignore_errors=True)
    run = measured["run"]
    if run is None or "notify" not in run:
        row.update(error=f"no run.json (exit {measured['exitCode']}): {measured['log'][-300:]}", clean=False,
                   capacityClean=False, why=["no run.json"], serverAlive=measured["serverAlive"])
        return row
    notify, subscriptions_json = run["notify"], run["subscriptions"]
    latency = notify.get("latencyMicros", {})
    window = subscribed_seconds(warmup, seconds)
    notifies = max(notify.get("notifies", 0), 1)
    publish_timeouts = run.get("transactions", {}).get("timeouts", 0) + run.get("transactions", {}).get(
        "transportErrors", 0)
    publish_failed = sum(count for code, count in run.get("responses", {}).items() if not code.startswith("2"))
    row.update({
        "expected": notify["expected"], "received": notify["received"], "missing": notify["missing"],
        "superseded": notify.get("superseded", 0), "stale": notify["stale"], "duplicates": notify["duplicates"],
        "notifies": notify.get("notifies", 0), "retransmittedSeen": notify.get("retransmitted", 0),
        "beforeAnswer": notify.get("beforeAnswer", 0),
        "receivedShare": round(notify["received"] / notify["expected"], 4) if notify["expected"] else None,
        "subscribedSeconds": round(window, 2),
        "receivedRate": round(notify["received"] / window),
        "p50Micros": latency.get("p50", 0), "p99Micros": latency.get("p99", 0), "maxMicros": latency.get("max", 0),
        "established": subscriptions_json.get("established", 0), "subscribeFailed": subscriptions_json.get("failed", 0),
        "subscribeTimeouts": subscriptions_json.get("timeouts", 0),
        "subscribeRetransmissions": subscriptions_json.get("retransmissions", 0),
        "publishes": run.get("transactions", {}).get("completed", 0),
        "publishTimeouts": publish_timeouts, "publishFailed": publish_failed,
        "publishRetransmissions": run.get("transactions", {}).get("retransmissions", 0),
        "runSeconds": round(run.get("durationSeconds", 0), 2), "wallSeconds": round(measured["wallSeconds"], 2),
        "serverCpuSeconds": round(measured["serverCpuSeconds"], 3),
        "serverCpuMicrosPerNotify": round(measured["serverCpuSeconds"] / notifies * 1e6, 2),
        "serverPeakRssKiB": measured["peakRssKiB"], "serverPeakPssKiB": measured["peakPssKiB"],
        "clientCpuSeconds": round(measured["clientCpuSeconds"], 2),
        "serverAlive": measured["serverAlive"], "runTimedOut": measured["timedOut"],
    })
    counts = compositor_notify_counts(server_log) if name == "pubsim" else None
    if counts:
        row["serverNotify"] = counts
    row["clean"], row["why"] = clean(row)
    row["capacityClean"] = clean(row, ignore_stale=True)[0]
    return row


def step_line(row: dict) -> str:
    if row.get("error"):
        return f"{row['server']:8} F={row['fanout']:<3} {row['offeredRate']:6}/s  ERROR {row['error'][:200]}"
    return (f"{row['server']:8} F={row['fanout']:<3} {row['offeredRate']:6}/s  received {row['receivedRate']:6}/s "
            f"({(row['receivedShare'] or 0) * 100:5.1f} %)  missing {row['missing']:5}  "
            f"superseded {row['superseded']:5}  "
            f"stale {row['stale']:3}  retrans {row['retransmittedSeen']:4}  p50 {row['p50Micros'] / 1000:6.2f} ms  "
            f"p99 {row['p99Micros'] / 1000:7.2f} ms  cpu {row['serverCpuMicrosPerNotify']:6.1f} us/NOTIFY  "
            f"client cpu {row['clientCpuSeconds']:5.1f} s  "
            + ("clean" if row["clean"] else "NOT clean: " + "; ".join(row["why"])
               + (" (capacity clean)" if row["capacityClean"] else "")))


def print_table(rows: list[dict]) -> None:
    print("| server | F | presentities | offered NOTIFY/s | received/s | received % | missing | superseded | stale "
          "| duplicates | NOTIFY retrans seen | SUBSCRIBE retrans | p50 ms | p99 ms | max ms | server CPU us/NOTIFY "
          "| peak RSS MiB "
          "| peak PSS MiB | client CPU s | clean |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        if row.get("error"):
            print(f"| {row['server']} | {row['fanout']} | {row['presentities']} | {row['offeredRate']} | "
                  f"error: {row['error'][:80]} ||||||||||||||| no |")
            continue
        print(f"| {row['server']} | {row['fanout']} | {row['presentities']} | {row['offeredRate']} | "
              f"{row['receivedRate']} | {(row['receivedShare'] or 0) * 100:.2f} | {row['missing']} | "
              f"{row['superseded']} | {row['stale']} | {row['duplicates']} | {row['retransmittedSeen']} | "
              f"{row['subscribeRetransmissions']} | "
              f"{row['p50Micros'] / 1000:.2f} | {row['p99Micros'] / 1000:.2f} | {row['maxMicros'] / 1000:.1f} | "
              f"{row['serverCpuMicrosPerNotify']:.1f} | {row['serverPeakRssKiB'] / 1024:.0f} | "
              f"{row['serverPeakPssKiB'] / 1024:.0f} | {row['clientCpuSeconds']:.1f} | "
              f"{'yes' if row['clean'] else 'no (' + '; '.join(row['why']) + ')'} |")


def ladder_rate(rows: list[dict], key: str) -> int:
    """The highest offered rate below the first step failing `key` (clean or capacityClean)."""
    return peers.clean_rate([{"offeredRate": row["offeredRate"], "clean": row[key]} for row in rows])


def summarize(rows: list[dict], servers: list[str], fanouts: list[int], rates: list[int]) -> dict:
    summary = {}
    print()
    print("| F | server | clean NOTIFY/s | capacity NOTIFY/s (stale ignored) | stale NOTIFYs in the ladder "
          "| CPU us/NOTIFY at the highest common capacity rate |")
    print("|---|---|---|---|---|---|")
    ratio_lines = []
    for fanout in fanouts:
        ladders = {name: [row for row in rows if row["server"] == name and row["fanout"] == fanout] for name in servers}
        clean_rates = {name: ladder_rate(ladder, "clean") for name, ladder in ladders.items()}
        capacity_rates = {name: ladder_rate(ladder, "capacityClean") for name, ladder in ladders.items()}
        common = min(capacity_rates.values()) if capacity_rates else 0
        cpu = {}
        for name, ladder in ladders.items():
            at = [row for row in ladder if row["offeredRate"] == common and not row.get("error")]
            cpu[name] = at[0]["serverCpuMicrosPerNotify"] if at and common else None
        at_top = [name for name, rate in capacity_rates.items() if rate == rates[-1]]
        entry = {"cleanRate": clean_rates, "capacityRate": capacity_rates, "commonCapacityRate": common,
                 "cpuMicrosPerNotifyAtCommon": cpu, "notPushedToLimit": at_top}
        for name, ladder in ladders.items():
            stale = sum(row.get("stale", 0) for row in ladder)
            top = " (top of ladder)" if name in at_top else ""
            print(f"| {fanout} | {name} | {clean_rates[name]} | {capacity_rates[name]}{top} | {stale} | "
                  + (f"{cpu[name]} at {common}/s" if cpu[name] is not None else "n/a") + " |")
        if "pubsim" in ladders and "kamailio" in ladders:
            for label, table in (("clean", clean_rates), ("capacity", capacity_rates)):
                ratio = table["pubsim"] / table["kamailio"] if table["kamailio"] else None
                entry[f"{label}RatioPubsimKamailio"] = ratio
                ratio_lines.append(f"F={fanout}: {label} rate pubsim/kamailio "
                                   + (f"{ratio:.2f}x" if ratio is not None else "n/a (kamailio: no clean step)")
                                   + (f" (not pushed to the limit: {', '.join(at_top)}; raise --rates)"
                                      if at_top and label == "capacity" else ""))
            if cpu.get("pubsim") and cpu.get("kamailio"):
                ratio_lines.append(f"F={fanout}: CPU per NOTIFY pubsim/kamailio at {common}/s: "
                                   f"{cpu['pubsim'] / cpu['kamailio']:.2f}")
        summary[str(fanout)] = entry
    if ratio_lines:
        print()
        print("\n".join(ratio_lines))
    print(f"\nclean rule: {CLEAN_RULE}; capacity: the same without the stale condition")
    return summary


def delay_check(delay: str, presentities: int, fanout: int, interval_ms: int, seconds: float, seed: int,
                workdir: Path) -> dict:
    """Propagation p50 against `pubsim compositor` without and with --notify-delay."""
    delay_ms = parse_milliseconds(delay)
    warmup = 3.0
    profile = workdir / "delay-check.yaml"
    profile.write_text(profile_text("bench-watchers-delay-check", presentities, fanout, interval_ms, warmup, seconds))
    result = {"delay": delay, "presentities": presentities, "fanout": fanout, "meanIntervalMs": interval_ms,
              "seconds": seconds}
    for label, extra in (("without", []), ("with", ["--notify-delay", delay])):
        server = peers.start_pubsim_compositor(extra=extra)
        try:
            measured = run_watchers(server, profile, workdir / f"delay-{label}",
                                    warmup + seconds + GRACE_SECONDS + RUN_SLACK_SECONDS, seed)
        finally:
            server.stop()
            shutil.rmtree(server.rundir, ignore_errors=True)
        run = measured["run"]
        if run is None or "notify" not in run:
            result[label] = {"error": f"no run.json (exit {measured['exitCode']}): {measured['log'][-300:]}"}
            continue
        notify = run["notify"]
        result[label] = {"p50Micros": notify["latencyMicros"]["p50"], "p99Micros": notify["latencyMicros"]["p99"],
                         "maxMicros": notify["latencyMicros"]["max"], "received": notify["received"],
                         "expected": notify["expected"], "missing": notify["missing"],
                         "superseded": notify.get("superseded", 0), "stale": notify["stale"]}
    if "p50Micros" in result.get("without", {}) and "p50Micros" in result.get("with", {}):
        difference = (result["with"]["p50Micros"] - result["without"]["p50Micros"]) / 1000
        error = abs(difference - delay_ms) / delay_ms
        result.update(differenceMs=round(difference, 3), relativeError=round(error, 4), withinGoal=error <= DELAY_GOAL)
    print()
    print(f"notify-delay check: {presentities} presentities x {fanout} watchers, a change every "
          f"{interval_ms / 1000:g} s each, {seconds:g} s (+{warmup:g} s warm-up)")
    print("| compositor | received of owed | missing | superseded | propagation p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|---|")
    for label in ("without", "with"):
        part = result.get(label, {})
        name = "no delay" if label == "without" else f"--notify-delay {delay}"
        if "error" in part or not part:
            print(f"| {name} | error: {part.get('error', 'not run')[:100]} ||||||")
            continue
        print(f"| {name} | {part['received']} of {part['expected']} | {part['missing']} | {part['superseded']} | "
              f"{part['p50Micros'] / 1000:.2f} | {part['p99Micros'] / 1000:.2f} | {part['maxMicros'] / 1000:.1f} |")
    if "differenceMs" in result:
        print(f"p50 difference {result['differenceMs']:.2f} ms against {delay_ms:g} ms asked: relative error "
              f"{result['relativeError'] * 100:.1f} % (goal within {DELAY_GOAL * 100:g} %: "
              f"{'met' if result['withinGoal'] else 'NOT met'})")
    return result


def parse_milliseconds(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(us|ms|s)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"a fixed delay such as 20ms, not {text!r}")
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run (about 2 minutes): 2 000 subscriptions, rates 1000,4000, 5 s steps, "
                             "a small delay check")
    parser.add_argument("--fanouts", default="10,100", help="watchers per presentity")
    parser.add_argument("--subscriptions", type=int, help="watchers in all, per step (default 10000)")
    parser.add_argument("--rates", help="offered NOTIFYs per second (default 1000,2000,4000,8000,16000)")
    parser.add_argument("--seconds", type=float, help="changes after the warm-up, per step (default 20)")
    parser.add_argument("--subscribe-rate", type=float, default=1000,
                        help="watchers arriving per second in the warm-up (default 1000)")
    parser.add_argument("--warmup", type=float, help="presentities arrive in the first second, watchers "
                                                     "over the rest (default 1 + subscriptions / subscribe-rate)")
    parser.add_argument("--servers", default="pubsim,kamailio")
    parser.add_argument("--seed", type=int, default=1, help="the same requests for every server")
    parser.add_argument("--strict-ladder", action="store_true",
                        help="stop a ladder at its first unclean step, stale NOTIFYs included")
    parser.add_argument("--no-delay-check", action="store_true", help="skip the --notify-delay check")
    parser.add_argument("--delay-only", action="store_true", help="only the --notify-delay check")
    parser.add_argument("--delay", default="20ms", help="the --notify-delay checked (fixed)")
    parser.add_argument("--keep-reports", type=Path, help="keep profiles, run reports and logs here")
    parser.add_argument("--json", type=Path, help="write all rows here")
    args = parser.parse_args()
    if not peers.pubsim_binary().exists():
        print("build first: swift build -c release", file=sys.stderr)
        return 2
    subscriptions = args.subscriptions or (2000 if args.quick else 10000)
    default_rates = "1000,4000" if args.quick else "1000,2000,4000,8000,16000"
    rates = [int(rate) for rate in (args.rates or default_rates).split(",")]
    seconds = args.seconds if args.seconds is not None else (5 if args.quick else 20)
    warmup = args.warmup if args.warmup is not None else 1 + subscriptions / args.subscribe_rate
    fanouts = [int(fanout) for fanout in args.fanouts.split(",")]
    servers = args.servers.split(",")
    parse_milliseconds(args.delay)
    starters = {"pubsim": peers.start_pubsim_compositor, "kamailio": peers.start_kamailio}
    unknown = [name for name in servers if name not in starters]
    if unknown:
        print(f"unknown server {', '.join(unknown)}: pubsim or kamailio", file=sys.stderr)
        return 2
    if args.keep_reports:
        args.keep_reports.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="bench-watchers-", dir=args.keep_reports))
    else:
        workdir = Path(tempfile.mkdtemp(prefix="pubsim-bench-watchers-"))
    started = time.time()
    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        print(f"note: load average {load_before[0]:.2f} before the run (other work on this machine "
              f"shares its {os.cpu_count()} cores with the servers and pubsim; figures will be lower and noisier)",
              flush=True)
    rows, summary, delay = [], {}, None
    try:
        if not args.delay_only:
            print(f"{subscriptions} subscriptions per step, warm-up {warmup:g} s + {seconds:g} s, "
                  f"rates {rates} NOTIFY/s, fan-outs {fanouts}, servers {servers}", flush=True)
            for fanout in fanouts:
                for name in servers:
                    for rate in rates:
                        row = measure(starters[name], name, fanout, subscriptions, rate, warmup, seconds,
                                      args.seed, workdir)
                        rows.append(row)
                        print(step_line(row), flush=True)
                        if not row["clean"] and (args.strict_ladder or not row["capacityClean"]):
                            break
            print()
            print_table(rows)
            summary = summarize(rows, servers, fanouts, rates)
        if args.delay_only or not args.no_delay_check:
            if args.quick:
                delay = delay_check(args.delay, 200, 5, 2000, 8, args.seed, workdir)
            else:
                delay = delay_check(args.delay, 500, 5, 2000, 20, args.seed, workdir)
    finally:
        if not args.keep_reports:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n{time.time() - started:.0f} s in all" + (f"; reports in {workdir}" if args.keep_reports else ""))
    if args.json:
        args.json.write_text(json.dumps({
            "machine": platform.platform(), "cores": os.cpu_count(), "loadAverageBefore": load_before,
            "loadAverageAfter": os.getloadavg(), "subscriptions": subscriptions,
            "warmupSeconds": warmup, "seconds": seconds, "rates": rates, "fanouts": fanouts, "cleanRule": CLEAN_RULE,
            "cleanRate": summary, "rows": rows, "notifyDelayCheck": delay}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
