#!/usr/bin/env python3
"""Benchmark: `pubsim extract --summary` vs tshark with a PUBLISH display filter, on the same
captures in the same run, with the counts compared.

Without --capture it records three first (needs root for tcpdump on lo), pubsim's own traffic
against its compositor, cycles of initial, refresh, modify and remove per new publisher:
  udp:        `--arrival-rate 6000` for 15 s over UDP, about 720 000 packets, 90 000 Call-IDs;
  many-calls: `--arrival-rate 12000` for 25 s over UDP, about 2.4 M packets, 300 000 Call-IDs
              (the per-dialog state extraction keeps grows with them);
  tcp:        `--arrival-rate 6000` for 15 s over TCP (segments, some carrying several requests,
              reassembled per stream).

usage: scripts/bench_extract.py [--capture FILE]... [--json FILE]
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

RECORDINGS = {"udp": (6000, 15, "udp"), "many-calls": (12000, 25, "udp"), "tcp": (6000, 15, "tcp")}


def record(path: Path, cycles_per_second: int, seconds: int, transport: str) -> None:
    server = peers.start_pubsim_compositor()
    dump = subprocess.Popen(["tcpdump", "-i", "lo", "-w", str(path), "-s", "0", "-B", "65536",
                             transport, "port", str(server.port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    target = f"sip:127.0.0.1:{server.port}" + (";transport=tcp" if transport == "tcp" else "")
    try:
        subprocess.run([str(peers.pubsim_binary()), "run", str(peers.REPO / "profiles" / "quickstart.yaml"),
                        "--target", target, "--arrival-rate", str(cycles_per_second),
                        "--duration", f"{seconds}s"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        time.sleep(2)
    finally:
        dump.terminate()
        dump.wait()
        server.stop()


def timed(command: list[str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    output = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    wall = time.time() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), output


def warm(capture: Path) -> None:
    with capture.open("rb") as file:
        while file.read(1 << 24):
            pass


def compare(name: str, capture: Path) -> dict:
    """pubsim and tshark on one capture: time, rate and whether they count the same."""
    # The file is read once first, so that both tools read it from memory (a capture not read
    # for a while may have left the page cache, and the first run would time the disk). Then the
    # median of five pubsim runs (the first after a build also loads the binary); tshark, at 30x
    # the time or more, runs once.
    warm(capture)
    runs = sorted((timed([str(peers.pubsim_binary()), "extract", str(capture), "--summary"]) for _ in range(5)),
                  key=lambda run: run[0])
    wall, cpu, output = runs[2]
    summary = json.loads(output)
    packets = summary["packets"]
    messages = summary["publish"]["messages"]
    t_wall, t_cpu, t_output = timed(["tshark", "-r", str(capture), "-Y",
                                     'sip.Method == "PUBLISH" || sip.CSeq.method == "PUBLISH"',
                                     "-T", "fields", "-e", "sip.Method", "-e", "sip.Status-Code",
                                     "-E", "occurrence=a", "-E", "aggregator=,"])
    requests = responses = 0
    for line in t_output.splitlines():
        fields = line.split("\t")
        requests += sum(1 for method in fields[0].split(",") if method == "PUBLISH")
        responses += len([code for code in (fields[1].split(",") if len(fields) > 1 else []) if code])
    row = {"capture": name, "packets": packets, "chains": summary["publish"].get("chains"),
           "pubsimSeconds": round(wall, 2), "pubsimPacketsPerSecond": round(packets / wall),
           "tsharkSeconds": round(t_wall, 2), "tsharkPacketsPerSecond": round(packets / t_wall),
           "ratio": round(t_wall / wall, 2),
           "sameCounts": (messages["requests"], messages["responses"]) == (requests, responses),
           "pubsimCounts": messages, "tsharkCounts": {"requests": requests, "responses": responses}}
    print(f"{name}: {packets} packets: pubsim {wall:.2f} s ({packets / wall:,.0f} packets/s), tshark {t_wall:.2f} s "
          f"({packets / t_wall:,.0f} packets/s): {t_wall / wall:.2f}x; same counts: {row['sameCounts']}", flush=True)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--capture", type=Path, action="append", default=[])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    captures = [(path.name, path) for path in args.capture]
    if not captures:
        folder = Path(tempfile.mkdtemp(prefix="pubsim-extract-"))
        for name, (rate, seconds, transport) in RECORDINGS.items():
            path = folder / f"{name}.pcap"
            record(path, rate, seconds, transport)
            captures.append((name, path))
    rows = [compare(name, path) for name, path in captures]
    slowest = min(rows, key=lambda row: row["pubsimPacketsPerSecond"])
    lowest = min(rows, key=lambda row: row["ratio"])
    print(f"slowest: {slowest['pubsimPacketsPerSecond']:,} packets/s ({slowest['capture']}, goal >= 1 500 000); "
          f"lowest ratio to tshark: {lowest['ratio']}x ({lowest['capture']}, goal >= 30x)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
