#define _GNU_SOURCE
#include "CResolv.h"

#include <netdb.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>
#include <string.h>

int pubsim_dns_query(const char *name, int type, unsigned char *answer, int size) {
  struct __res_state state;
  memset(&state, 0, sizeof state);
  if (res_ninit(&state) != 0) return -TRY_AGAIN;
  int length = res_nquery(&state, name, ns_c_in, type, answer, size);
  int failure = state.res_h_errno;
  res_nclose(&state);
  if (length >= 0) return length > size ? size : length;
  return failure > 0 ? -failure : -NO_RECOVERY;
}

int pubsim_lookup_found_nothing(int status) {
  return status == EAI_NONAME || status == EAI_NODATA;
}
