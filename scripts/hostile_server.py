#!/usr/bin/env python3
"""A SIP server that answers every PUBLISH wrongly, one way per MODE, over UDP (or TCP) on
127.0.0.1, for the tests of how pubsim copes (it must not crash, flood or lose its report).
Prints "ready" once listening.

usage: scripts/hostile_server.py MODE PORT [udp|tcp]
MODE: no-etag garbage wrong-branch trying-only redirect unavailable 423-no-min 412 bad-challenge
      odd-codes oversized several-finals
"""

import random
import socket
import sys
import threading

MODES = ["no-etag", "garbage", "wrong-branch", "trying-only", "redirect", "unavailable", "423-no-min",
         "412", "bad-challenge", "odd-codes", "oversized", "several-finals"]


def headers_of(request: bytes) -> dict[str, str]:
    found = {}
    for line in request.split(b"\r\n")[1:]:
        if not line:
            break
        name, _, value = line.partition(b":")
        key = name.strip().lower().decode(errors="replace")
        found.setdefault({"v": "via", "f": "from", "t": "to", "i": "call-id"}.get(key, key),
                         value.strip().decode(errors="replace"))
    return found


def response(status: str, request: dict[str, str], extra: str = "", body: str = "",
             via: str | None = None) -> bytes:
    text = (f"SIP/2.0 {status}\r\nVia: {via or request.get('via', '')}\r\nFrom: {request.get('from', '')}\r\n"
            f"To: {request.get('to', '')};tag=hostile\r\nCall-ID: {request.get('call-id', '')}\r\n"
            f"CSeq: {request.get('cseq', '')}\r\n{extra}Content-Length: {len(body)}\r\n\r\n{body}")
    return text.encode()


def answers(mode: str, request: dict[str, str], count: int) -> list[bytes]:
    etag = f"e{count}"
    ok = f"SIP-ETag: {etag}\r\nExpires: 60\r\n"
    if mode == "no-etag":
        return [response("200 OK", request, "Expires: 60\r\n")]
    if mode == "garbage":
        return [bytes(random.randrange(256) for _ in range(random.randrange(20, 600)))]
    if mode == "wrong-branch":
        via = request.get("via", "").split(";branch=")[0] + ";branch=z9hG4bKnot-yours"
        return [response("200 OK", request, ok, via=via)]
    if mode == "trying-only":
        return [response("100 Trying", request)]
    if mode == "redirect":
        return [response("302 Moved Temporarily", request, "Contact: <sip:elsewhere.invalid>\r\n")]
    if mode == "unavailable":
        return [response("503 Service Unavailable", request, "Retry-After: 5\r\n")]
    if mode == "423-no-min":
        return [response("423 Interval Too Brief", request)]
    if mode == "412":
        return [response("412 Conditional Request Failed", request)]
    if mode == "bad-challenge":
        return [response("401 Unauthorized", request, "WWW-Authenticate: Digest ,,,=\"\r\n")]
    if mode == "odd-codes":
        return [response(random.choice(["699 Odd", "99 Tiny", "1000 Huge", "200", "2x0 OK"]), request, ok)]
    if mode == "oversized":
        return [response("200 OK", request, ok + "Content-Type: text/plain\r\n", body="x" * 60_000)]
    if mode == "several-finals":
        return [response("200 OK", request, ok), response("500 Oops", request),
                response("200 OK", request, f"SIP-ETag: {etag}b\r\nExpires: 60\r\n")]
    raise SystemExit(f"unknown mode {mode}; one of {' '.join(MODES)}")


def requests_in(stream: bytearray):
    """Complete SIP messages at the front of a TCP stream (by Content-Length), removed from it."""
    while True:
        end = stream.find(b"\r\n\r\n")
        if end < 0:
            return
        length = int(headers_of(bytes(stream[:end])).get("content-length", "0") or 0)
        if len(stream) < end + 4 + length:
            return
        message = bytes(stream[:end + 4 + length])
        del stream[:end + 4 + length]
        yield message


def serve_connection(connection: socket.socket, mode: str, counter: list[int]) -> None:
    stream = bytearray()
    with connection:
        while data := connection.recv(65535):
            stream += data
            for message in requests_in(stream):
                if message.startswith(b"PUBLISH") or message.startswith(b"OPTIONS"):
                    counter[0] += 1
                    for answer in answers(mode, headers_of(message), counter[0]):
                        connection.sendall(answer)


def serve_tcp(mode: str, port: int) -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(64)
    print("ready", flush=True)
    counter = [0]
    while True:
        connection, _ = server.accept()
        threading.Thread(target=serve_connection, args=(connection, mode, counter), daemon=True).start()


def serve_udp(mode: str, port: int) -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", port))
    print("ready", flush=True)
    count = 0
    while True:
        data, peer = server.recvfrom(65535)
        if not data.startswith(b"PUBLISH") and not data.startswith(b"OPTIONS"):
            continue
        count += 1
        for answer in answers(mode, headers_of(data), count):
            server.sendto(answer, peer)


def main() -> int:
    mode, port = sys.argv[1], int(sys.argv[2])
    transport = sys.argv[3] if len(sys.argv) > 3 else "udp"
    if mode not in MODES or transport not in ("udp", "tcp"):
        print(f"usage: hostile_server.py MODE PORT [udp|tcp]; MODE one of {' '.join(MODES)}", file=sys.stderr)
        return 64
    (serve_tcp if transport == "tcp" else serve_udp)(mode, port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
