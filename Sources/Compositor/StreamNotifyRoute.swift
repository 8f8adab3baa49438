import NIOCore
import SIPCore

/// NOTIFYs over TCP or TLS: on the connection the SUBSCRIBE came on (RFC 5626's way for a
/// watcher behind a NAT; a closed connection loses them, and Timer F then ends the subscription).
struct StreamNotifyRoute: NotifyRoute {
  let channel: Channel
  let transport: String
  let sentBy: String
  var eventLoop: EventLoop { channel.eventLoop }

  func send(_ bytes: [UInt8]) {
    channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
  }
}
