import NIOCore
import NIOPosix

extension DatagramBootstrap {
  /// The settings of the compositor's UDP sockets (the engine's are ``TimestampedDatagramSocket``): 4 MiB kernel buffers
  /// to ride out bursts, and batched reads (up to 32 datagrams per recvmmsg, one read per
  /// readiness) so that a busy socket costs one system call per batch rather than per message.
  public func sipDatagramOptions() -> DatagramBootstrap {
    channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
      .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
      .channelOption(.datagramVectorReadMessageCount, value: 32)
      .channelOption(.maxMessagesPerRead, value: 1)
      .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 32 * 2048))
  }
}
