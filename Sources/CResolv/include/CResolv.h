// The system resolver's DNS query (res_nquery from libresolv), for the SRV and NAPTR lookups of
// RFC 3263. Swift's Glibc module does not expose resolv.h. Answers are parsed in Swift
// (Transport's DNSAnswer).
#ifndef PUBSIM_CRESOLV_H
#define PUBSIM_CRESOLV_H

/// Record types pubsim asks for.
enum { PUBSIM_DNS_SRV = 33, PUBSIM_DNS_NAPTR = 35 };

/// Asks the servers of /etc/resolv.conf for records of `type` (class IN) under `name`, with the
/// system's timeouts and retries. Returns the answer's length in `answer` (at most `size`), or
/// minus the resolver's h_errno: -1 no such name, -2 try again (no server answered), -3 server
/// failure, -4 the name exists without records of that type.
int pubsim_dns_query(const char *name, int type, unsigned char *answer, int size);

/// Whether a getaddrinfo status means the name has no address (EAI_NONAME, or glibc's
/// EAI_NODATA, which needs _GNU_SOURCE) rather than a failure to look it up.
int pubsim_lookup_found_nothing(int status);

#endif
