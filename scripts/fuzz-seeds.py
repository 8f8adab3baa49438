#!/usr/bin/env python3
"""Writes the fuzzing seed corpora (fuzz/seeds/TARGET/) from what the repository already holds:
frames of the sample captures (in the capture harness's framing: a link type byte, then each
frame as a 2-byte length and its bytes), the SIP messages in them, traces extracted from them,
the profiles, and DNS answers like the resolver's tests. Run again when captures change.

usage: scripts/fuzz-seeds.py
"""

import hashlib
import shutil
import struct
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "fuzz" / "seeds"
# The harness's link order (FuzzTarget.capture): ethernet, raw, linux cooked, cooked v2, null, loop.
LINK_BYTE = {1: 0, 101: 1, 12: 1, 113: 2, 276: 3, 0: 4, 108: 5}


def pcap_frames(path: Path) -> tuple[int, list[bytes]]:
    data = path.read_bytes()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    link = struct.unpack(endian + "I", data[20:24])[0]
    frames, offset = [], 24
    while offset + 16 <= len(data):
        _, _, captured, _ = struct.unpack(endian + "IIII", data[offset:offset + 16])
        offset += 16
        frames.append(data[offset:offset + captured])
        offset += captured
    return link, frames


def save(target: str, payload: bytes) -> None:
    folder = SEEDS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(payload).hexdigest()[:16]).write_bytes(payload)


def sip_messages(frames: list[bytes]) -> list[bytes]:
    found = []
    for frame in frames:
        for start in (frame.find(b"PUBLISH "), frame.find(b"SIP/2.0 ")):
            if start >= 0:
                found.append(frame[start:])
                break
    return found


def main() -> int:
    if SEEDS.exists():
        shutil.rmtree(SEEDS)
    for capture in sorted((REPO / "captures").glob("*.pcap")):
        link, frames = pcap_frames(capture)
        if link not in LINK_BYTE:
            continue
        # Captures are cut into runs of 40 frames: small inputs fuzz faster.
        for start in range(0, min(len(frames), 200), 40):
            chunk = bytes([LINK_BYTE[link]])
            for frame in frames[start:start + 40]:
                chunk += struct.pack(">H", len(frame)) + frame
            save("capture", chunk)
        messages = sip_messages(frames)
        for message in messages[:20]:
            save("sip", message)
            save("scan", message)
        trace = subprocess.run([str(REPO / ".build" / "debug" / "pubsim"), "extract", str(capture), "-o",
                                "/dev/stdout"], capture_output=True)
        if trace.returncode == 0 and trace.stdout:
            lines = trace.stdout.split(b"\n")
            save("trace", b"\n".join(lines[:12]) + b"\n")
    for profile in sorted((REPO / "profiles").glob("*.yaml")) + sorted(
            (REPO / "Tests" / "InteropTests" / "Profiles").glob("*.yaml")):
        save("profile", profile.read_bytes())
    # An SRV answer (two records) and a NAPTR answer, as a server sends them.
    header = struct.pack(">HHHHHH", 1, 0x8180, 1, 2, 0, 0)
    question = b"\x04_sip\x04_udp\x07example\x04test\x00" + struct.pack(">HH", 33, 1)
    srv = b"".join(b"\xc0\x0c" + struct.pack(">HHIH", 33, 1, 60, 6 + 9 + 2) + struct.pack(">HHH", p, 5, 5060)
                   + b"\x03sip\xc0\x15" for p in (10, 20))
    save("dns", header + question + srv)
    naptr = (b"\xc0\x0c" + struct.pack(">HHIH", 35, 1, 60, 4 + 2 + 2 + 8 + 1 + 2)
             + struct.pack(">HH", 10, 50) + b"\x01s" + b"\x07SIP+D2U" + b"\x00" + b"\xc0\x0c")
    save("dns", struct.pack(">HHHHHH", 2, 0x8180, 1, 1, 0, 0)
         + b"\x07example\x04test\x00" + struct.pack(">HH", 35, 1) + naptr)
    for folder in sorted(SEEDS.iterdir()):
        print(f"{folder.name}: {len(list(folder.iterdir()))} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
