#!/usr/bin/env python3
"""Reads a pubsim --hdr-log back with HdrHistogram's Python library (hdrh, from PyPI) and holds it
to the run.json of the same run: every operation's line holds as many latencies as run.json
counts, the same maximum, and (for operations with 200 or more) p50, p90 and p99 within 0.2 %
(libraries differ in how they round a percentile's rank, and the histograms keep three
significant digits); the per-second lines hold every completed transaction. Exit 0 when all
holds, 1 with a line per difference.

usage: scripts/check-hdr-log.py LOG RUN.json
"""

import json
import sys

from hdrh.histogram import HdrHistogram


def main() -> int:
    log, run_path = sys.argv[1], sys.argv[2]
    run = json.load(open(run_path))
    problems, seen, per_second = [], set(), 0
    for line in open(log):
        if line.startswith("#") or line.startswith('"'):
            continue
        fields = line.strip().split(",")
        histogram = HdrHistogram.decode(fields[-1])
        if not fields[0].startswith("Tag="):
            per_second += histogram.get_total_count()
            continue
        operation = fields[0][4:]
        seen.add(operation)
        expected = run["operations"][operation]
        latency = expected["latencyMicros"]
        if histogram.get_total_count() != expected["count"]:
            problems.append(f"{operation}: {histogram.get_total_count()} latencies, run.json {expected['count']}")
        if histogram.get_max_value() != latency["max"]:
            problems.append(f"{operation}: max {histogram.get_max_value()}, run.json {latency['max']}")
        if expected["count"] >= 200:
            for name, percentile in [("p50", 50), ("p90", 90), ("p99", 99)]:
                value = histogram.get_value_at_percentile(percentile)
                if abs(value - latency[name]) > 0.002 * latency[name]:
                    problems.append(f"{operation}: {name} {value}, run.json {latency[name]}")
    for operation, expected in run["operations"].items():
        if expected["count"] > 0 and operation not in seen:
            problems.append(f"{operation}: no line in the log")
    if per_second != run["transactions"]["completed"]:
        problems.append(f"per-second lines hold {per_second}, run.json completed {run['transactions']['completed']}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
