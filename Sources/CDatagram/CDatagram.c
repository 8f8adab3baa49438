#define _GNU_SOURCE
#include "CDatagram.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#define PUBSIM_BATCH 64
#define PUBSIM_CONTROL 64

int pubsim_enable_receive_timestamps(int descriptor) {
  int on = 1;
  return setsockopt(descriptor, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0 ? 0 : errno;
}

int pubsim_send_batch(
  int descriptor, const struct sockaddr *address, socklen_t addressLength, pubsim_datagram *datagrams,
  int count) {
  struct mmsghdr headers[PUBSIM_BATCH];
  struct iovec vectors[PUBSIM_BATCH];
  if (count > PUBSIM_BATCH) count = PUBSIM_BATCH;
  memset(headers, 0, sizeof(struct mmsghdr) * (size_t)count);
  for (int i = 0; i < count; i++) {
    vectors[i].iov_base = datagrams[i].bytes;
    vectors[i].iov_len = datagrams[i].length;
    headers[i].msg_hdr.msg_name = (void *)address;
    headers[i].msg_hdr.msg_namelen = addressLength;
    headers[i].msg_hdr.msg_iov = &vectors[i];
    headers[i].msg_hdr.msg_iovlen = 1;
  }
  int sent = sendmmsg(descriptor, headers, (unsigned)count, 0);
  return sent >= 0 ? sent : -errno;
}

int pubsim_receive_batch(int descriptor, pubsim_datagram *datagrams, int count) {
  struct mmsghdr headers[PUBSIM_BATCH];
  struct iovec vectors[PUBSIM_BATCH];
  char control[PUBSIM_BATCH][PUBSIM_CONTROL] __attribute__((aligned(8)));
  if (count > PUBSIM_BATCH) count = PUBSIM_BATCH;
  memset(headers, 0, sizeof(struct mmsghdr) * (size_t)count);
  for (int i = 0; i < count; i++) {
    vectors[i].iov_base = datagrams[i].bytes;
    vectors[i].iov_len = datagrams[i].length;
    headers[i].msg_hdr.msg_iov = &vectors[i];
    headers[i].msg_hdr.msg_iovlen = 1;
    headers[i].msg_hdr.msg_control = control[i];
    headers[i].msg_hdr.msg_controllen = PUBSIM_CONTROL;
  }
  int got = recvmmsg(descriptor, headers, (unsigned)count, MSG_DONTWAIT, NULL);
  if (got < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
  for (int i = 0; i < got; i++) {
    datagrams[i].length = headers[i].msg_len;
    datagrams[i].receivedAt = 0;
    for (struct cmsghdr *message = CMSG_FIRSTHDR(&headers[i].msg_hdr); message != NULL;
         message = CMSG_NXTHDR(&headers[i].msg_hdr, message)) {
      if (message->cmsg_level == SOL_SOCKET && message->cmsg_type == SCM_TIMESTAMPNS) {
        struct timespec time;
        memcpy(&time, CMSG_DATA(message), sizeof time);
        datagrams[i].receivedAt = (uint64_t)time.tv_sec * 1000000000u + (uint64_t)time.tv_nsec;
      }
    }
  }
  return got;
}
