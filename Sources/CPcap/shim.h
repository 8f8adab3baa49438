#ifndef PUBSIM_CPCAP_SHIM_H
#define PUBSIM_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
