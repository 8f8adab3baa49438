// Batched datagram system calls (sendmmsg, recvmmsg) and the kernel receive timestamp
// (SO_TIMESTAMPNS), which Swift's Glibc module does not expose without _GNU_SOURCE.
#ifndef PUBSIM_CDATAGRAM_H
#define PUBSIM_CDATAGRAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/// One datagram of a batch: where its bytes are and how many (in: capacity; out: length).
typedef struct {
  void *bytes;
  size_t length;
  /// Kernel receive time in CLOCK_REALTIME nanoseconds (receive only; 0 when none).
  uint64_t receivedAt;
} pubsim_datagram;

/// Enables SO_TIMESTAMPNS on a socket; 0 on success, else errno.
int pubsim_enable_receive_timestamps(int descriptor);

/// Sends up to `count` datagrams to `address` in one sendmmsg; returns how many were sent, or
/// -errno.
int pubsim_send_batch(
  int descriptor, const struct sockaddr *address, socklen_t addressLength, pubsim_datagram *datagrams,
  int count);

/// Reads up to `count` waiting datagrams without blocking in one recvmmsg, filling each one's
/// length and receive time; returns how many were read, 0 when none were waiting, or -errno.
int pubsim_receive_batch(int descriptor, pubsim_datagram *datagrams, int count);

#endif
