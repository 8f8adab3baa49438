#!/usr/bin/env python3
"""netlab: a small "other host" for pubsim's network tests, built from a Linux network namespace.

`up` creates lab N: namespace `pubsim-lab-N` joined to the host by the veth pair `plN-h` (host)
/ `plN-n` (namespace). Host side: 10.N.0.1/24 plus the extra client source addresses 10.N.0.11-13,
fd00:N::1/64 plus fd00:N::11-12. Namespace side: 10.N.0.2/24 and fd00:N::2/64, where the lab runs
  - Kamailio (scripts/kamailio/kamailio.cfg, presence in memory) on UDP and TCP port 5060 of both
    addresses, with a control socket for kamcmd and a log line for every PUBLISH's source, and
  - dnsmasq on port 53 of both addresses, serving the zone pubsim.test (A, AAAA, SRV, NAPTR)
    from its command line only.
The lab folder /tmp/pubsim-lab-N holds the state, the logs, and the `hosts`, `resolv.conf` and
`nsswitch.conf` (hosts: files dns) that `exec` bind-mounts over /etc in a private mount namespace,
so that a command's system resolver sees the lab's names and DNS server while nothing global
changes. /etc/netns/pubsim-lab-N holds the same files for commands inside the namespace.

NETWORK RULE: traffic goes only to loopback or to the addresses of the namespace this script
creates (10.N.0.0/24, fd00:N::/64 on the veth pair), and the script deletes all of it again.
The namespace has no default route; dnsmasq has no upstream server (--no-resolv, --no-hosts, no
--server), answers pubsim.test from local data only, and is bound to the namespace's addresses.

Used by the Swift integration tests (as a subprocess: JSON on stdout, one line on stderr and
exit status 1 on error) and by hand, as root:
    netlab.py up [--index N]              create a lab, print its description as JSON
    netlab.py exec FOLDER -- CMD ...      CMD on the host, resolving with the lab's hosts and DNS
    netlab.py netns-exec FOLDER -- CMD    CMD inside the lab's namespace
    netlab.py sources FOLDER              source addresses of the PUBLISH requests Kamailio saw
    netlab.py down FOLDER | down --all    stop everything, delete namespace, /etc/netns entry, folder
FOLDER may also be a lab's index. Python 3 standard library only (plus scripts/peers.py).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no scripts/__pycache__ left in the work tree
import peers  # noqa: E402  (beside this file; no side effects on import)

MAX_INDEX = 200
SIP_PORT = 5060
DNS_PORT = 53
ZONE = "pubsim.test"
FOLDER_PREFIX = "/tmp/pubsim-lab-"
NAMESPACE_PREFIX = "pubsim-lab-"
NETNS_ETC = Path("/etc/netns")
READY_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0
PUBLISH_SOURCE = re.compile(r"PUBLISH from (\w+):(\[[0-9A-Fa-f:.]+\]|[0-9.]+):(\d+)")


class LabError(Exception):
    """A failure reported to the caller as one line on stderr."""


# ----------------------------------------------------------------------------------------------
# What a lab is: names and addresses, all derived from its index


@dataclass(frozen=True)
class Lab:
    index: int

    @property
    def namespace(self) -> str:
        return f"{NAMESPACE_PREFIX}{self.index}"

    @property
    def host_link(self) -> str:
        return f"pl{self.index}-h"

    @property
    def namespace_link(self) -> str:
        return f"pl{self.index}-n"

    @property
    def folder(self) -> Path:
        return Path(f"{FOLDER_PREFIX}{self.index}")

    @property
    def etc(self) -> Path:
        """/etc/netns/<namespace>: files `ip netns exec` bind-mounts over /etc."""
        return NETNS_ETC / self.namespace

    def v4(self, host: int) -> str:
        return f"10.{self.index}.0.{host}"

    def v6(self, host: int) -> str:
        return f"fd00:{self.index}::{host}"

    @property
    def host_v4(self) -> str:
        return self.v4(1)

    @property
    def host_v6(self) -> str:
        return self.v6(1)

    @property
    def server_v4(self) -> str:
        return self.v4(2)

    @property
    def server_v6(self) -> str:
        return self.v6(2)

    @property
    def dead_v4(self) -> str:
        """Inside the namespace's subnet, but nothing has it: packets to it go unanswered."""
        return self.v4(99)

    @property
    def sources_v4(self) -> list[str]:
        return [self.v4(host) for host in (11, 12, 13)]

    @property
    def sources_v6(self) -> list[str]:
        return [self.v6(host) for host in (11, 12)]

    @property
    def networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(f"10.{self.index}.0.0/24"),
                ipaddress.ip_network(f"fd00:{self.index}::/64")]


def lab_from_argument(argument: str) -> Lab:
    """A lab from its folder (reads lab.json, else the folder's name) or from its index."""
    if argument.isdigit():
        return checked_lab(int(argument))
    folder = Path(argument)
    description = folder / "lab.json"
    if description.is_file():
        try:
            return checked_lab(int(json.loads(description.read_text())["index"]))
        except (ValueError, KeyError, TypeError) as error:
            raise LabError(f"unreadable {description}: {error}") from error
    match = re.fullmatch(rf"{re.escape(NAMESPACE_PREFIX)}(\d+)", folder.name)
    if not match:
        raise LabError(f"{argument} is not a lab folder ({FOLDER_PREFIX}N) or index")
    return checked_lab(int(match.group(1)))


def checked_lab(index: int) -> Lab:
    if not 1 <= index <= MAX_INDEX:
        raise LabError(f"lab index {index} is outside 1..{MAX_INDEX}")
    return Lab(index)


def lab_that_is_up(argument: str) -> Lab:
    """For commands that need a lab that is up (its lab.json is written last by `up`)."""
    lab = lab_from_argument(argument)
    if not (lab.folder / "lab.json").is_file():
        raise LabError(f"lab {lab.index} is not up (no {lab.folder / 'lab.json'})")
    return lab


# ----------------------------------------------------------------------------------------------
# Small helpers around commands and processes


def run(*command: str) -> str:
    """Runs a command, returns its stdout; a failure becomes a LabError with its stderr."""
    result = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().replace("\n", " | ")
        raise LabError(f"{' '.join(command)}: {message or f'exit status {result.returncode}'}")
    return result.stdout


def ip_json(*arguments: str) -> list[dict]:
    output = run("ip", "-j", *arguments).strip()
    return json.loads(output) if output else []


def namespaces() -> set[str]:
    return {entry["name"] for entry in ip_json("netns", "list")}


def link_exists(name: str) -> bool:
    return Path(f"/sys/class/net/{name}").exists()


def is_alive(pid: int) -> bool:
    """True for a live process; a zombie (dead, not yet reaped by its new parent) is dead."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def signal_pids(pids: list[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def stop_pids(pids: list[int]) -> None:
    """SIGTERM, wait up to STOP_TIMEOUT, then SIGKILL whatever is left."""
    signal_pids(pids, signal.SIGTERM)
    deadline = time.time() + STOP_TIMEOUT
    while time.time() < deadline and any(is_alive(pid) for pid in pids):
        time.sleep(0.05)
    left = [pid for pid in pids if is_alive(pid)]
    signal_pids(left, signal.SIGKILL)
    deadline = time.time() + 2
    while time.time() < deadline and any(is_alive(pid) for pid in left):
        time.sleep(0.05)


def log_tail(path: Path, lines: int = 6) -> str:
    """The last lines of a log, on one line (errors are one line)."""
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return f"(no {path})"
    return " | ".join(line.strip() for line in text[-lines:])


def start_in_namespace(lab: Lab, command: list[str], log: Path) -> subprocess.Popen:
    """Starts a server inside the namespace, in its own session, output to `log`. Nothing is
    inherited from us but the environment, so a caller reading our stdout sees its end."""
    return subprocess.Popen(["ip", "netns", "exec", lab.namespace, *command],
                            stdin=subprocess.DEVNULL, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


# ----------------------------------------------------------------------------------------------
# up: claim an index, build the network, write the files, start the servers, wait until ready


def addresses_in_use() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Every address and routed network the host has now (to keep clear of them)."""
    found = []
    for link in ip_json("addr", "show"):
        for address in link.get("addr_info", []):
            found.append(ipaddress.ip_network(f"{address['local']}/{address['prefixlen']}", strict=False))
    for family in ("-4", "-6"):
        for route in ip_json(family, "route", "show"):
            destination = route.get("dst", "default")
            if destination != "default":
                try:
                    found.append(ipaddress.ip_network(destination, strict=False))
                except ValueError:
                    pass
    return found


def index_is_free(lab: Lab, in_use: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    """No namespace, link or folder of that name, and no host network overlapping the lab's
    (a wider one such as a 10.0.0.0/8 route is fine: the lab's /24 is more specific)."""
    if lab.namespace in namespaces() or link_exists(lab.host_link) or lab.folder.exists():
        return False
    for network in lab.networks:
        for other in in_use:
            if other.version == network.version and other.prefixlen >= network.prefixlen \
                    and other.overlaps(network):
                return False
    return True


def claim_lab(index: int | None) -> Lab:
    """Picks lab `index` (or the first free one) and claims it by creating its folder, which
    mkdir does atomically, so two `up` at once never get the same lab."""
    in_use = addresses_in_use()
    wanted = index is not None
    candidates = [checked_lab(index)] if wanted else [Lab(n) for n in range(1, MAX_INDEX + 1)]
    for lab in candidates:
        if not index_is_free(lab, in_use):
            continue
        try:
            lab.folder.mkdir(mode=0o755)
        except FileExistsError:
            continue
        return lab
    if wanted:
        raise LabError(f"lab {index} is in use or its addresses overlap the host's "
                       f"(netlab.py down {index} removes a stale lab)")
    raise LabError(f"no free lab index in 1..{MAX_INDEX}")


def create_network(lab: Lab) -> None:
    """Namespace, veth pair, addresses, links up. IPv6 addresses are `nodad`: usable at once.

    A socket that does not bind picks hostV4/hostV6 as its source: the extra IPv4 addresses are
    secondaries of the same /24, and the extra IPv6 ones are deprecated (preferred_lft 0), since
    Linux compares at most /64 of the address when choosing a source and would otherwise take
    the newest address. Deprecated addresses still work for a socket that binds to them."""
    run("ip", "netns", "add", lab.namespace)
    run("ip", "link", "add", lab.host_link, "type", "veth",
        "peer", "name", lab.namespace_link, "netns", lab.namespace)
    for address in [lab.host_v4, *lab.sources_v4]:
        run("ip", "addr", "add", f"{address}/24", "dev", lab.host_link)
    run("ip", "addr", "add", f"{lab.host_v6}/64", "dev", lab.host_link, "nodad")
    for address in lab.sources_v6:
        run("ip", "addr", "add", f"{address}/64", "dev", lab.host_link, "nodad", "preferred_lft", "0")
    inside = ("ip", "-n", lab.namespace)
    run(*inside, "link", "set", "lo", "up")
    run(*inside, "addr", "add", f"{lab.server_v4}/24", "dev", lab.namespace_link)
    run(*inside, "addr", "add", f"{lab.server_v6}/64", "dev", lab.namespace_link, "nodad")
    run(*inside, "link", "set", lab.namespace_link, "up")
    run("ip", "link", "set", lab.host_link, "up")


def link_ready(*show: str) -> bool:
    """The link is up (carrier from its peer) and none of its global addresses is tentative."""
    for link in ip_json(*show):
        if link.get("operstate") != "UP":
            return False
        for address in link.get("addr_info", []):
            if address.get("scope") == "global" and (address.get("tentative") or address.get("dadfailed")):
                return False
    return True


def wait_for_links(lab: Lab) -> None:
    deadline = time.time() + READY_TIMEOUT
    while time.time() < deadline:
        if link_ready("addr", "show", "dev", lab.host_link) and \
                link_ready("-n", lab.namespace, "addr", "show", "dev", lab.namespace_link):
            return
        time.sleep(0.05)
    raise LabError(f"veth {lab.host_link}/{lab.namespace_link} did not come up with usable addresses")


def hosts_text(lab: Lab) -> str:
    hostname = socket.gethostname()
    return (
        f"127.0.0.1\tlocalhost {hostname}\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\n"
        f"{lab.server_v4}\tesc-hosts.{ZONE}\n"
        f"{lab.server_v6}\tesc6-hosts.{ZONE}\n"
    )


def resolv_conf_text(lab: Lab) -> str:
    return f"nameserver {lab.server_v4}\noptions timeout:1 attempts:2\n"


def nsswitch_text() -> str:
    """The host's nsswitch.conf with hosts from files and DNS only, so that no other resolver
    (systemd-resolved, mDNS) bypasses the lab's resolv.conf."""
    try:
        lines = Path("/etc/nsswitch.conf").read_text().splitlines()
    except OSError:
        lines = []
    kept = [line for line in lines if not re.match(r"\s*hosts\s*:", line)]
    return "\n".join([*kept, "hosts:\tfiles dns"]) + "\n"


def write_files(lab: Lab) -> None:
    """hosts, resolv.conf and nsswitch.conf in the folder (for `exec`) and in /etc/netns/<ns>
    (for `ip netns exec`, so the namespace never sees the host's resolver either)."""
    lab.etc.mkdir(parents=True, exist_ok=True)
    for folder in (lab.folder, lab.etc):
        (folder / "hosts").write_text(hosts_text(lab))
        (folder / "resolv.conf").write_text(resolv_conf_text(lab))
        (folder / "nsswitch.conf").write_text(nsswitch_text())


def dns_records(lab: Lab) -> list[str]:
    """The zone, as dnsmasq options."""
    both = f"{lab.server_v4},{lab.server_v6}"
    records = [
        f"--host-record=kam.{ZONE},{both}",
        f"--host-record=kam4.{ZONE},{lab.server_v4}",
        f"--host-record=kam6.{ZONE},{lab.server_v6}",
        f"--host-record=dead.{ZONE},{lab.dead_v4}",
        f"--host-record=esc.{ZONE},{both}",
    ]
    # --srv-host=<name>,<target>,<port>,<priority>,<weight>
    for protocol in ("udp", "tcp"):
        records += [
            f"--srv-host=_sip._{protocol}.srv.{ZONE},dead.{ZONE},{SIP_PORT},10,0",
            f"--srv-host=_sip._{protocol}.srv.{ZONE},kam4.{ZONE},{SIP_PORT},20,0",
            f"--srv-host=_sip._{protocol}.srv6.{ZONE},kam6.{ZONE},{SIP_PORT},10,0",
            f"--srv-host=_sip._{protocol}.esc.{ZONE},esc.{ZONE},5070,10,0",
        ]
    records.append(f"--srv-host=_sips._tcp.tls.{ZONE},esc.{ZONE},5061,10,0")
    # --naptr-record=<name>,<order>,<preference>,<flags>,<service>,<regexp>,<replacement>
    records += [
        f"--naptr-record=srv.{ZONE},10,10,S,SIP+D2U,,_sip._udp.srv.{ZONE}",
        f"--naptr-record=srv.{ZONE},20,10,S,SIP+D2T,,_sip._tcp.srv.{ZONE}",
    ]
    return records


def dnsmasq_command(lab: Lab) -> list[str]:
    return [
        "/usr/sbin/dnsmasq" if Path("/usr/sbin/dnsmasq").exists() else "dnsmasq",
        "--keep-in-foreground", "--log-facility=-", "--log-queries",
        "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
        f"--local=/{ZONE}/", "--domain-needed", "--bogus-priv",
        "--bind-interfaces", f"--listen-address={lab.server_v4}", f"--listen-address={lab.server_v6}",
        f"--port={DNS_PORT}", f"--pid-file={lab.folder / 'dnsmasq.pid'}",
        *dns_records(lab),
    ]


def dns_answer_count(server: str, name: str, qtype: int = 1, timeout: float = 0.3) -> int | None:
    """Answers to one DNS query over UDP (None: no reply, or an error rcode)."""
    ident = random.randrange(1 << 16)
    question = b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"
    packet = struct.pack("!6H", ident, 0x0100, 1, 0, 0, 0) + question + struct.pack("!2H", qtype, 1)
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as query:
        query.settimeout(timeout)
        query.sendto(packet, (server, DNS_PORT))
        try:
            reply = query.recv(4096)
        except socket.timeout:
            return None
    if len(reply) < 12:
        return None
    reply_ident, flags, _, answers, _, _ = struct.unpack("!6H", reply[:12])
    if reply_ident != ident or flags & 0x000F:
        return None
    return answers


def tcp_accepts(address: str, port: int, source: str) -> bool:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as connection:
        connection.settimeout(0.5)
        try:
            connection.bind((source, 0))
            connection.connect((address, port))
            return True
        except OSError:
            return False


def wait_until(what: str, check, processes: dict[str, tuple[subprocess.Popen, Path]]) -> None:
    """Polls `check` until it holds; fails early when a server has exited."""
    deadline = time.time() + READY_TIMEOUT
    while time.time() < deadline:
        for name, (process, log) in processes.items():
            if process.poll() is not None:
                raise LabError(f"{name} exited with status {process.returncode}: {log_tail(log)}")
        if check():
            return
        time.sleep(0.1)
    details = " ".join(f"{name}: {log_tail(log, 3)}" for name, (_, log) in processes.items())
    raise LabError(f"timed out waiting for {what}; {details}")


def wait_for_servers(lab: Lab, processes: dict[str, tuple[subprocess.Popen, Path]]) -> None:
    """DNS on both server addresses; SIP OPTIONS from every host address (so every source
    address is proven usable); TCP connects on both server addresses."""
    for server in (lab.server_v4, lab.server_v6):
        wait_until(f"dnsmasq on {server}",
                   lambda server=server: dns_answer_count(server, f"kam.{ZONE}") == 1, processes)
    pairs = [(lab.server_v4, source) for source in [lab.host_v4, *lab.sources_v4]]
    pairs += [(lab.server_v6, source) for source in [lab.host_v6, *lab.sources_v6]]
    for number, (server, source) in enumerate(pairs):
        wait_until(f"Kamailio OPTIONS {source} -> {server}:{SIP_PORT}",
                   lambda server=server, source=source, number=number:
                   peers.options_answered(server, SIP_PORT, source, f"lab{lab.index}-{number}"),
                   processes)
    for server, source in ((lab.server_v4, lab.host_v4), (lab.server_v6, lab.host_v6)):
        wait_until(f"Kamailio TCP {server}:{SIP_PORT}",
                   lambda server=server, source=source: tcp_accepts(server, SIP_PORT, source), processes)


def start_servers(lab: Lab) -> dict[str, tuple[subprocess.Popen, Path]]:
    """dnsmasq first (anything Kamailio might look up at start is then answered in the lab)."""
    started: dict[str, tuple[subprocess.Popen, Path]] = {}
    dnsmasq_log = lab.folder / "dnsmasq.log"
    started["dnsmasq"] = (start_in_namespace(lab, dnsmasq_command(lab), dnsmasq_log), dnsmasq_log)
    peers.create_presence_database(lab.folder)
    kamailio_log = lab.folder / "kamailio.log"
    command = peers.kamailio_command(SIP_PORT, lab.folder, shm_mb=256, listen4=lab.server_v4,
                                     listen6=lab.server_v6, log_publish_sources=True)
    started["kamailio"] = (start_in_namespace(lab, command, kamailio_log), kamailio_log)
    return started


def description(lab: Lab, processes: dict[str, tuple[subprocess.Popen, Path]]) -> dict:
    kamailio, kamailio_log = processes["kamailio"]
    dnsmasq, dnsmasq_log = processes["dnsmasq"]
    return {
        "index": lab.index,
        "namespace": lab.namespace,
        "folder": str(lab.folder),
        "hostV4": lab.host_v4,
        "hostV6": lab.host_v6,
        "serverV4": lab.server_v4,
        "serverV6": lab.server_v6,
        "sourcesV4": lab.sources_v4,
        "sourcesV6": lab.sources_v6,
        "deadV4": lab.dead_v4,
        "kamailio": {"pid": kamailio.pid, "port": SIP_PORT, "ctl": f"unix:{lab.folder}/kamailio.ctl",
                     "log": str(kamailio_log)},
        "dnsmasq": {"pid": dnsmasq.pid, "log": str(dnsmasq_log)},
        "hosts": str(lab.folder / "hosts"),
        "resolvConf": str(lab.folder / "resolv.conf"),
    }


def terminated(signum: int, frame: object) -> None:
    raise SystemExit(f"terminated by signal {signum}")


def up(index: int | None) -> dict:
    """Builds a lab; on any failure (or SIGINT/SIGTERM) half-way, takes it all down again."""
    signal.signal(signal.SIGTERM, terminated)
    lab = claim_lab(index)
    try:
        create_network(lab)
        wait_for_links(lab)
        write_files(lab)
        processes = start_servers(lab)
        wait_for_servers(lab, processes)
        lab_description = description(lab, processes)
        (lab.folder / "lab.json").write_text(json.dumps(lab_description, indent=2) + "\n")
        return lab_description
    except BaseException:
        try:
            down(lab)
        except Exception as error:  # the first failure is the one to report
            print(f"netlab: cleaning up lab {lab.index} failed too: {error}", file=sys.stderr)
        raise


# ----------------------------------------------------------------------------------------------
# down: stop, delete, remove; idempotent, also after a half-finished up


def recorded_pids(lab: Lab) -> list[int]:
    """Server pids from lab.json, only while their command line still names the lab folder
    (a pid reused by an unrelated process is left alone)."""
    try:
        recorded = json.loads((lab.folder / "lab.json").read_text())
        pids = [int(recorded["kamailio"]["pid"]), int(recorded["dnsmasq"]["pid"])]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [pid for pid in pids if is_alive(pid) and str(lab.folder) in command_line(pid)]


def namespace_pids(lab: Lab) -> list[int]:
    """Every process inside the lab's namespace: the lab's own servers and whatever a test
    started there with netns-exec."""
    if lab.namespace not in namespaces():
        return []
    output = subprocess.run(["ip", "netns", "pids", lab.namespace], capture_output=True, text=True)
    return [int(pid) for pid in output.stdout.split() if pid.isdigit()]


def down(lab: Lab) -> None:
    stop_pids(recorded_pids(lab))
    stop_pids(namespace_pids(lab))
    if lab.namespace in namespaces():
        run("ip", "netns", "delete", lab.namespace)
    if link_exists(lab.host_link):  # gone with the namespace, unless up stopped in between
        subprocess.run(["ip", "link", "delete", lab.host_link], capture_output=True)
    shutil.rmtree(lab.etc, ignore_errors=True)
    shutil.rmtree(lab.folder, ignore_errors=True)
    if link_exists(lab.host_link) or lab.namespace in namespaces() or lab.folder.exists():
        raise LabError(f"lab {lab.index} could not be removed completely")


def all_labs() -> list[Lab]:
    """Every lab with anything left: folder, namespace, /etc/netns entry or host link."""
    indexes: set[int] = set()
    pattern = re.compile(rf"{re.escape(NAMESPACE_PREFIX)}(\d+)")
    names = [Path(path).name for path in Path("/tmp").glob(f"{Path(FOLDER_PREFIX).name}*")]
    names += list(namespaces())
    names += [path.name for path in NETNS_ETC.glob(f"{NAMESPACE_PREFIX}*")] if NETNS_ETC.is_dir() else []
    for name in names:
        match = pattern.fullmatch(name)
        if match:
            indexes.add(int(match.group(1)))
    for link in Path("/sys/class/net").iterdir():
        match = re.fullmatch(r"pl(\d+)-h", link.name)
        if match:
            indexes.add(int(match.group(1)))
    return [Lab(index) for index in sorted(indexes) if 1 <= index <= MAX_INDEX]


# ----------------------------------------------------------------------------------------------
# exec, netns-exec, sources


def exec_with_lab_resolver(lab: Lab, command: list[str]) -> None:
    """Re-runs this script inside `unshare --mount` (a private mount namespace), where
    `mounted_exec` bind-mounts the lab's files over /etc and then becomes the command."""
    os.execvp("unshare", ["unshare", "--mount", "--propagation", "private", "--",
                          sys.executable, str(Path(__file__).resolve()), "_mounted-exec",
                          str(lab.folder), "--", *command])


def mounted_exec(lab: Lab, command: list[str]) -> None:
    """Inside the private mount namespace: lab hosts, resolv.conf and nsswitch.conf over the
    host's, nscd's socket hidden (it would answer from the host's view), then exec. Refuses
    to run in its caller's mount namespace (not started by `exec` through unshare), where the
    mounts would be seen by everyone."""
    try:
        private = os.readlink("/proc/self/ns/mnt") != os.readlink(f"/proc/{os.getppid()}/ns/mnt")
    except OSError:
        private = False
    if not private:
        raise LabError("_mounted-exec is only for `exec` (run inside unshare --mount)")
    for name in ("hosts", "resolv.conf", "nsswitch.conf"):
        run("mount", "--bind", str(lab.folder / name), f"/etc/{name}")
    for nscd in ("/run/nscd", "/var/run/nscd"):
        if Path(nscd).is_dir() and not Path(nscd).is_symlink():
            run("mount", "-t", "tmpfs", "none", nscd)
    exec_command(command)


def exec_command(command: list[str]) -> None:
    """Becomes `command` (same stdio, its exit status is ours); 127 when there is no such program."""
    try:
        os.execvp(command[0], command)
    except OSError as error:
        print(f"netlab: {command[0]}: {error.strerror}", file=sys.stderr)
        sys.exit(127)


def publish_sources(lab: Lab) -> list[str]:
    """Distinct source addresses of the PUBLISH requests in kamailio.log, IPv4 then IPv6."""
    log = lab.folder / "kamailio.log"
    found = set()
    for line in log.read_text(errors="replace").splitlines():
        match = PUBLISH_SOURCE.search(line)
        if match:
            found.add(ipaddress.ip_address(match.group(2).strip("[]")))
    return [str(address) for address in sorted(found, key=lambda address: (address.version, address))]


# ----------------------------------------------------------------------------------------------
# Command line


class Parser(argparse.ArgumentParser):
    """Usage errors are errors like any other: one line, exit status 1."""

    def error(self, message: str):
        raise LabError(f"{self.prog}: {message} (see --help)")


def parse(arguments: list[str]) -> argparse.Namespace:
    parser = Parser(prog="netlab.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="action", required=True,
                                     metavar="{up,exec,netns-exec,sources,down}")
    up_parser = commands.add_parser("up", help="create a lab, print it as JSON")
    up_parser.add_argument("--index", type=int, help=f"lab number 1..{MAX_INDEX} (default: first free)")
    for name, text in (("exec", "run a command on the host with the lab's hosts/resolv.conf"),
                       ("netns-exec", "run a command inside the lab's namespace"),
                       ("_mounted-exec", None)):  # internal: the second half of exec
        runner = commands.add_parser(name, **({"help": text} if text else {}))
        runner.add_argument("folder")
        runner.add_argument("command", nargs=argparse.REMAINDER)
    commands.add_parser("sources", help="source addresses of PUBLISH requests (JSON)").add_argument("folder")
    down_parser = commands.add_parser("down", help="stop and delete a lab (or --all)")
    down_parser.add_argument("folder", nargs="?")
    down_parser.add_argument("--all", action="store_true")
    options = parser.parse_args(arguments)
    if hasattr(options, "command"):
        options.command = options.command[1:] if options.command[:1] == ["--"] else options.command
        if not options.command:
            parser.error(f"{options.action}: no command after FOLDER --")
    if options.action == "down" and bool(options.folder) == options.all:
        parser.error("down: give FOLDER or --all")
    return options


def with_sbin_on_path() -> None:
    """ip, kamailio and dnsmasq live in sbin, which a test runner's PATH may lack."""
    path = os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep)
    os.environ["PATH"] = os.pathsep.join(path + [d for d in ("/usr/sbin", "/sbin") if d not in path])


def main(arguments: list[str]) -> int:
    options = parse(arguments)
    if os.geteuid() != 0:
        raise LabError("netlab.py needs root (network namespaces, veth, mounts)")
    with_sbin_on_path()
    # A test runner may start this script with SIGTERM and SIGINT blocked (Foundation's Process
    # passes its mask on); the servers started here would inherit it and ignore `down`'s SIGTERM
    # until the SIGKILL after STOP_TIMEOUT. Start from an empty mask.
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    if options.action == "up":
        print(json.dumps(up(options.index)), flush=True)
    elif options.action == "exec":
        exec_with_lab_resolver(lab_that_is_up(options.folder), options.command)
    elif options.action == "_mounted-exec":
        mounted_exec(lab_that_is_up(options.folder), options.command)
    elif options.action == "netns-exec":
        lab = lab_that_is_up(options.folder)
        if shutil.which(options.command[0]) is None:  # like exec: 127, not ip's 1
            print(f"netlab: {options.command[0]}: No such file or directory", file=sys.stderr)
            return 127
        exec_command(["ip", "netns", "exec", lab.namespace, *options.command])
    elif options.action == "sources":
        print(json.dumps(publish_sources(lab_that_is_up(options.folder))), flush=True)
    elif options.action == "down":
        for lab in all_labs() if options.all else [lab_from_argument(options.folder)]:
            down(lab)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except LabError as error:
        print(f"netlab: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("netlab: interrupted", file=sys.stderr)
        sys.exit(1)
    except SystemExit as exit:
        if isinstance(exit.code, str):  # SIGTERM during up, after cleaning up
            print(f"netlab: {exit.code}", file=sys.stderr)
            sys.exit(1)
        raise
    except Exception as error:  # one line for the caller, whatever went wrong
        print(f"netlab: {type(error).__name__}: {error}".replace("\n", " | "), file=sys.stderr)
        sys.exit(1)
