import NIOCore
import NIOSSL
import SIPCore
import Transport

/// One socket a shard sends through: a UDP socket (sending to the target) or a TCP connection to
/// it. Publishers are spread over a shard's connections by index, which spreads load over many
/// source ports. Touched only on its shard's event loop.
///
/// UDP goes through a ``TimestampedDatagramSocket`` the shard reads on its tick; TCP and TLS
/// through a SwiftNIO channel.
final class ShardConnection: @unchecked Sendable {
  var channel: Channel?
  let datagram: TimestampedDatagramSocket?
  var writer: RequestWriter
  /// Written to since the last flush.
  var dirty = false
  let target: SocketAddress
  let transport: SIPTransportKind
  /// The run's TLS context, for a `sips:` target (every connection shares it).
  let tls: NIOSSLContext?
  /// The local address a TCP connection binds to (`--local-ip`); nil: the system's choice.
  let source: String?

  init(
    channel: Channel?, datagram: TimestampedDatagramSocket? = nil, writer: RequestWriter,
    target: SocketAddress,
    transport: SIPTransportKind, tls: NIOSSLContext? = nil, source: String? = nil
  ) {
    self.tls = tls
    self.source = source
    self.channel = channel
    self.datagram = datagram
    self.writer = writer
    self.target = target
    self.transport = transport
  }

  /// Writes a publisher's request as this connection sends it (its transport and address in
  /// Via): in the workload's recorded form, or pubsim's own.
  func write(_ written: RequestWriter.Outgoing, outgoing: Outgoing, into bytes: inout ByteBuffer) {
    if let recorded = outgoing.recorded {
      writer.write(written, recorded: recorded, for: outgoing.identity, into: &bytes)
    } else {
      writer.write(written, for: outgoing.identity, into: &bytes)
    }
  }

  /// How a message read from this connection is framed.
  var framing: SIPFraming { transport == .udp ? .datagram : .stream }

  /// Queues bytes for sending (flushed once per tick or read batch).
  func write(_ bytes: ByteBuffer) -> Bool {
    if let datagram {
      datagram.enqueue(bytes)
      dirty = true
      return true
    }
    guard let channel, channel.isActive else { return false }
    if transport == .udp {
      channel.write(AddressedEnvelope(remoteAddress: target, data: bytes), promise: nil)
    } else {
      channel.write(bytes, promise: nil)
    }
    dirty = true
    return true
  }

  func flushIfNeeded() {
    guard dirty else { return }
    dirty = false
    if let datagram {
      datagram.flush()
    } else {
      channel?.flush()
    }
  }

  /// Closes the socket (on the shard's loop).
  func close() {
    datagram?.close()
  }
}
