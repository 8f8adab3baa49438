/* The floor of a UDP PUBLISH load generator on this machine: the least CPU a client can spend
 * per transaction when it does nothing but the socket work. Every 1 ms tick it sends the tick's
 * requests in one sendmmsg and reads whatever responses have arrived with recvmmsg (no wake-up
 * per response, no parsing, no timers), then sleeps to the next tick. Used by
 * scripts/bench_engine.py --floor to show how close pubsim is to what the kernel costs.
 *
 * usage: udp_floor PORT RATE SECONDS   (prints "sent received cpu_seconds") */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: udp_floor PORT RATE SECONDS\n"); return 64; }
  int port = atoi(argv[1]);
  double rate = atof(argv[2]);
  int seconds = atoi(argv[3]);
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in target = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &target.sin_addr);
  struct sockaddr_in local = {.sin_family = AF_INET};
  inet_pton(AF_INET, "127.0.0.1", &local.sin_addr);
  bind(fd, (struct sockaddr *)&local, sizeof local);
  socklen_t length = sizeof local;
  getsockname(fd, (struct sockaddr *)&local, &length);
  static char requests[BATCH][1024];
  static char responses[BATCH][2048];
  struct mmsghdr out[BATCH], in[BATCH];
  struct iovec outv[BATCH], inv[BATCH];
  long sent = 0, received = 0;
  struct timespec start, next;
  clock_gettime(CLOCK_MONOTONIC, &start);
  next = start;
  long ticks = (long)seconds * 1000;
  for (long tick = 0; tick < ticks + 2000; tick++) {
    long due = tick < ticks ? (long)((tick + 1) * rate / 1000) - (long)(tick * rate / 1000) : 0;
    int count = 0;
    for (; count < due && count < BATCH; count++, sent++) {
      /* An initial PUBLISH with its own resource, branch and Call-ID: each one a new transaction
       * and publication for the compositor. At most BATCH (256) per tick, so rates above
       * 256 000/s are under-offered. */
      int n = snprintf(requests[count], sizeof requests[count],
        "PUBLISH sip:floor%ld@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKfloor%ld\r\n"
        "Max-Forwards: 70\r\nFrom: <sip:floor%ld@127.0.0.1>;tag=f\r\nTo: <sip:floor%ld@127.0.0.1>\r\n"
        "Call-ID: floor-%ld\r\nCSeq: 1 PUBLISH\r\nEvent: presence\r\nExpires: 60\r\n"
        "Content-Type: application/pidf+xml\r\nContent-Length: 122\r\n\r\n"
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:f@h\"><tuple id=\"t\"><status>"
        "<basic>open</basic></status></tuple></presence>",
        sent, ntohs(local.sin_port), sent, sent, sent, sent);
      outv[count] = (struct iovec){requests[count], (size_t)n};
      out[count] = (struct mmsghdr){.msg_hdr = {.msg_name = &target, .msg_namelen = sizeof target,
                                               .msg_iov = &outv[count], .msg_iovlen = 1}};
    }
    if (count > 0) sendmmsg(fd, out, count, 0);
    for (;;) {
      for (int i = 0; i < BATCH; i++) {
        inv[i] = (struct iovec){responses[i], sizeof responses[i]};
        in[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &inv[i], .msg_iovlen = 1}};
      }
      int got = recvmmsg(fd, in, BATCH, MSG_DONTWAIT, NULL);
      if (got <= 0) break;
      received += got;
      if (got < BATCH) break;
    }
    if (tick >= ticks && received >= sent) break;
    next.tv_nsec += 1000000;
    if (next.tv_nsec >= 1000000000) { next.tv_nsec -= 1000000000; next.tv_sec++; }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
  }
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  double cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  printf("%ld %ld %.3f\n", sent, received, cpu);
  return 0;
}
