import NIOCore
import SIPCore

/// Reads framed responses from one of a shard's TCP connections into the shard, and tells it
/// when the connection goes away.
final class ShardStreamHandler: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer

  private let shard: Shard
  private let connectionIndex: Int
  private let onClose: @Sendable () -> Void

  init(shard: Shard, connectionIndex: Int, onClose: @escaping @Sendable () -> Void) {
    self.shard = shard
    self.connectionIndex = connectionIndex
    self.onClose = onClose
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    shard.received(unwrapInboundIn(data), connection: connectionIndex)
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    shard.readBatchComplete()
  }

  func channelInactive(context: ChannelHandlerContext) {
    shard.connectionClosed(connectionIndex)
    onClose()
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: Error) {
    // A framing error or a reset: the connection is unusable; closing it fails its transactions
    // and reconnects. Bytes that are not SIP count as a stray response, and the log says why.
    if let problem = error as? SIPParseError { shard.streamWasNotSIP(problem, connection: connectionIndex) }
    context.close(promise: nil)
  }
}
