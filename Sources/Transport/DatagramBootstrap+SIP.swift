import NIOCore
import NIOPosix

extension DatagramBootstrap {
  /// The settings of the compositor's UDP sockets (the engine's are ``TimestampedDatagramSocket``): 4 MiB kernel buffers
  /// to ride out bursts, and batched reads (up to 32 datagrams per recvmmsg, one read per
  /// readiness) so that a busy socket costs one system call per batch rather than per message.
  /// A batch's buffer is split evenly between its datagrams, and a datagram longer than its
  /// share is cut short: each gets the largest a UDP datagram can be, so a request with a
  /// large body (or a 20 KB header) arrives whole. Pages are touched only as far as written.
  public func sipDatagramOptions() -> DatagramBootstrap {
    channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
      .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
      .channelOption(.datagramVectorReadMessageCount, value: Self.datagramsPerRead)
      .channelOption(.maxMessagesPerRead, value: 1)
      .channelOption(
        .recvAllocator,
        value: FixedSizeRecvByteBufferAllocator(capacity: Self.datagramsPerRead * Self.largestDatagram))
  }

  static let datagramsPerRead = 32
  /// The most a UDP payload can hold (65 535 less the IP and UDP headers).
  static let largestDatagram = 65_536
}
