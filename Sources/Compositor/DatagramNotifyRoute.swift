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

  /// `host:port` the compositor is reached at on `channel`: its bound address, or for a wildcard
  /// bind the host the request was sent to.
  static func sentBy(_ local: SocketAddress?, requestHost: String?) -> String {
    let port = local?.port ?? 5060
    guard let bound = local?.ipAddress, bound != "0.0.0.0", bound != "::" else {
      return HostPort(host: requestHost ?? "127.0.0.1", port: port).description
    }
    return HostPort(host: bound, port: port).description
  }
}
