"""Start, measure and stop the peers pubsim is compared with: Kamailio (a real Event State
Compositor), pubsim's own compositor, and SIPp (the reference load generator).

Everything listens on 127.0.0.1 only and every process started here is stopped here.
Used by the benchmark scripts beside this file; importable, no side effects on import.
"""

import os
import resource
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
KAMAILIO_SQL = Path("/usr/share/kamailio/db_sqlite")


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 at the time of asking."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue


def group_processes(leader: int) -> list[tuple[str, list[str]]]:
    """(pid, fields of /proc/pid/stat after the command) for every live process in the group."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the command: state ppid pgrp session ... utime(14) stime(15) (1-based overall)
        if int(fields[2]) == leader:
            found.append((entry, fields))
    return found


def cpu_seconds_of_group(leader: int) -> float:
    """User + system CPU seconds of every live process in the process group `leader`."""
    ticks = sum(int(fields[11]) + int(fields[12]) for _, fields in group_processes(leader))
    return ticks / CLOCK_TICKS


def rss_kib_of_group(leader: int) -> int:
    """Resident memory (KiB) summed over the process group."""
    total = 0
    for pid, _ in group_processes(leader):
        try:
            with open(f"/proc/{pid}/status") as status:
                total += sum(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        except OSError:
            continue
    return total


def clean_rate(rows: list[dict]) -> int:
    """The highest offered rate of a ladder below its first unclean step (rows need
    `offeredRate` and `clean`)."""
    best = 0
    for row in sorted(rows, key=lambda row: row["offeredRate"]):
        if not row["clean"]:
            break
        best = row["offeredRate"]
    return best


@dataclass
class Server:
    """A compositor process running in its own process group on 127.0.0.1:port (UDP+TCP)."""

    name: str
    process: subprocess.Popen
    port: int
    rundir: Path
    log: Path

    def cpu_seconds(self) -> float:
        return cpu_seconds_of_group(self.process.pid)

    def rss_kib(self) -> int:
        return rss_kib_of_group(self.process.pid)

    def stop(self) -> str:
        """SIGTERM the group, wait, and return what the server printed."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.log.read_text(errors="replace")


def options_answered(host: str, port: int, source: str, branch: str, timeout: float = 0.2) -> bool:
    """One SIP OPTIONS over UDP from `source` (an address of this host, port chosen by the
    kernel) to host:port; True when a 200 comes back within `timeout`. IPv4 or IPv6 literals."""
    ipv6 = ":" in host
    family = socket.AF_INET6 if ipv6 else socket.AF_INET
    target = f"[{host}]" if ipv6 else host
    via = f"[{source}]" if ":" in source else source
    request = (
        f"OPTIONS sip:ping@{target}:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {via}:9;branch=z9hG4bK-ready-{branch};rport\r\n"
        f"Max-Forwards: 70\r\nFrom: <sip:probe@{via}>;tag=p\r\nTo: <sip:ping@{target}>\r\n"
        f"Call-ID: ready-{branch}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    ).encode()
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        probe.settimeout(timeout)
        probe.bind((source, 0))
        probe.sendto(request, (host, port))
        try:
            data, _ = probe.recvfrom(65535)
            return data.startswith(b"SIP/2.0 200")
        except socket.timeout:
            return False


def wait_until_answers_options(port: int, process: subprocess.Popen, log: Path, timeout: float = 20,
                               host: str = "127.0.0.1", source: str = "127.0.0.1") -> None:
    """Polls with a SIP OPTIONS over UDP until a 200 comes back."""
    deadline = time.time() + timeout
    branch = 0
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        branch += 1
        if options_answered(host, port, source, f"{branch}"):
            return
        time.sleep(0.1)
    raise RuntimeError(f"server on {host} port {port} did not answer OPTIONS: "
                       f"{log.read_text(errors='replace')[-2000:]}")


def create_presence_database(rundir: Path) -> None:
    """rundir/presence.sqlite with the tables Kamailio's presence module insists on."""
    database = sqlite3.connect(rundir / "presence.sqlite")
    for script in ("standard-create.sql", "presence-create.sql"):
        database.executescript((KAMAILIO_SQL / script).read_text())
    database.close()


def kamailio_command(port: int, rundir: Path, children: int = 2, stateless: bool = False,
                     min_expires: int = 60, shm_mb: int = 2048, listen4: str = "127.0.0.1",
                     listen6: str | None = None, log_publish_sources: bool = False) -> list[str]:
    """The command line for scripts/kamailio/kamailio.cfg (foreground, state in rundir, control
    socket rundir/kamailio.ctl). listen6 is a bare IPv6 address; the brackets are added here."""
    command = [
        "kamailio", "-DD", "-E", "-f", str(HERE / "kamailio" / "kamailio.cfg"),
        f"--substdef=!PORT!{port}!", f"--substdef=!RUNDIR!{rundir}!",
        f"--substdef=!MIN_EXPIRES!{min_expires}!", f"--substdef=!LISTEN4!{listen4}!",
        "-n", str(children), "-m", str(shm_mb), "-M", "32", "-x", "fm",
        "-Y", str(rundir), "-P", str(rundir / "kamailio.pid"), "-w", str(rundir),
    ]
    if listen6:
        command.append(f"--substdef=!LISTEN6![{listen6}]!")
    if stateless:
        command += ["-A", "STATELESS"]
    if log_publish_sources:
        command += ["-A", "LOG_PUBLISH_SOURCES"]
    return command


def start_kamailio(port: int | None = None, children: int = 2, stateless: bool = False,
                   min_expires: int = 60, shm_mb: int = 2048) -> Server:
    """Kamailio 5.6 with the presence module in memory (scripts/kamailio/kamailio.cfg)."""
    port = port or free_port()
    rundir = Path(tempfile.mkdtemp(prefix="pubsim-kamailio-"))
    create_presence_database(rundir)
    log = rundir / "kamailio.log"
    command = kamailio_command(port, rundir, children=children, stateless=stateless,
                               min_expires=min_expires, shm_mb=shm_mb)
    return launch("kamailio", command, port, rundir, log)


def launch(name: str, command: list[str], port: int, rundir: Path, log: Path) -> Server:
    """Starts a server in its own process group and waits until it answers OPTIONS."""
    process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    server = Server(name, process, port, rundir, log)
    try:
        wait_until_answers_options(port, process, log)
    except Exception:
        server.stop()
        raise
    return server


def write_live_publications_profile(path: Path, count: int, rate: int) -> Path:
    """A profile of `count` presence publishers arriving at `rate` a second with one-hour
    lifetimes (refreshed at 90 %), so that all are live at the end of a run shorter than that:
    what the memory benchmarks hold."""
    path.write_text(f"name: {path.stem}\npopulation:\n  size: {count}\n  identity: \"m{{n}}\"\nexpires: 3600\n"
                    f"refresh:\n  at: 0.9\narrival:\n  rate: {rate}/s\nconnections: 16\n")
    return path


def pubsim_binary(configuration: str = "release") -> Path:
    return REPO / ".build" / configuration / "pubsim"


def start_pubsim_compositor(port: int | None = None, extra: list[str] | None = None,
                            configuration: str = "release") -> Server:
    """pubsim's embedded compositor in its own process (`pubsim compositor`)."""
    port = port or free_port()
    rundir = Path(tempfile.mkdtemp(prefix="pubsim-compositor-"))
    log = rundir / "compositor.log"
    command = [str(pubsim_binary(configuration)), "compositor",
               "--listen", f"sip:127.0.0.1:{port}", "--listen", f"sip:127.0.0.1:{port};transport=tcp"]
    command += extra or []
    return launch("pubsim", command, port, rundir, log)


@dataclass
class SIPpResult:
    calls: int = 0
    successful: int = 0
    failed: int = 0
    retransmissions: int = 0
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def add(self, other: "SIPpResult") -> None:
        self.calls += other.calls
        self.successful += other.successful
        self.failed += other.failed
        self.retransmissions += other.retransmissions
        self.cpu_seconds += other.cpu_seconds
        self.wall_seconds = max(self.wall_seconds, other.wall_seconds)
        self.errors += other.errors


def run_sipp_parallel(scenario: Path, port: int, instances: int, rate_per_instance: float,
                      calls_per_instance: int, transport: str = "u1",
                      timeout_seconds: int = 120) -> SIPpResult:
    """Runs `instances` SIPp clients side by side (each its own socket and user names) and sums
    their statistics. SIPp is the peer load generator; its exit status is ignored here, the
    statistics file tells what happened."""
    workdir = Path(tempfile.mkdtemp(prefix="pubsim-sipp-"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    processes = []
    started = time.time()
    for index in range(instances):
        stat_file = workdir / f"stat-{index}.csv"
        command = [
            "sipp", "-sf", str(scenario), f"127.0.0.1:{port}", "-i", "127.0.0.1", "-p", "0",
            "-t", transport, "-m", str(calls_per_instance), "-r", str(rate_per_instance), "-rp", "1000",
            "-nd", "-timeout", f"{timeout_seconds}s", "-max_socket", "2000",
            "-trace_stat", "-stf", str(stat_file), "-fd", "3600",
        ]
        processes.append((subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                           stdin=subprocess.DEVNULL, cwd=workdir), stat_file))
    total = SIPpResult()
    for process, stat_file in processes:
        try:
            process.wait(timeout=timeout_seconds + 30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        total.add(parse_sipp_stats(stat_file))
    total.wall_seconds = time.time() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    total.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return total


def parse_sipp_stats(stat_file: Path) -> SIPpResult:
    """The last line of a SIPp -trace_stat file: cumulative call and retransmission counts."""
    result = SIPpResult()
    try:
        lines = [line for line in stat_file.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        result.errors.append(f"no statistics file {stat_file}")
        return result
    if len(lines) < 2:
        result.errors.append(f"empty statistics file {stat_file}")
        return result
    header = lines[0].split(";")
    values = lines[-1].split(";")
    column = {name: index for index, name in enumerate(header)}

    def value(name: str) -> int:
        index = column.get(name)
        try:
            return int(values[index]) if index is not None else 0
        except (ValueError, IndexError):
            return 0

    result.calls = value("OutgoingCall(C)")
    result.successful = value("SuccessfulCall(C)")
    result.failed = value("FailedCall(C)")
    result.retransmissions = value("Retransmissions(C)")
    return result


def main(arguments: list[str]) -> int:
    """Command line for test harnesses in other languages:
    peers.py kamailio-start [--tcp-children N]  -> prints {"pid", "port", "rundir", "ctl"} as JSON
    peers.py stop PID                           -> SIGTERM to the process group, then SIGKILL
    """
    import json
    import sys
    if arguments[:1] == ["kamailio-start"]:
        server = start_kamailio()
        print(json.dumps({"pid": server.process.pid, "port": server.port, "rundir": str(server.rundir),
                          "ctl": f"unix:{server.rundir}/kamailio.ctl"}), flush=True)
        return 0
    if len(arguments) == 2 and arguments[0] == "stop":
        leader = int(arguments[1])
        try:
            os.killpg(leader, signal.SIGTERM)
        except ProcessLookupError:
            return 0
        for _ in range(50):
            try:
                os.killpg(leader, 0)
            except ProcessLookupError:
                return 0
            time.sleep(0.1)
        os.killpg(leader, signal.SIGKILL)
        return 0
    print(main.__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
