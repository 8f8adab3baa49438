import NIOCore
import SIPCore

/// NOTIFYs over UDP: from the compositor's socket the SUBSCRIBE came in on, to the address and
/// port it came from (symmetric, as RFC 3581 answers responses: it reaches a watcher behind a
/// NAT, and pubsim's own watchers read NOTIFYs on the socket they subscribed from).
struct DatagramNotifyRoute: NotifyRoute {
  let channel: Channel
  let destination: SocketAddress
  let sentBy: String
  var transport: String { "udp" }
  var eventLoop: EventLoop { channel.eventLoop }

  func send(_ bytes: [UInt8]) {
    channel.writeAndFlush(
      AddressedEnvelope(remoteAddress: destination, data: ByteBuffer(bytes: bytes)), promise: nil)
  }
}
