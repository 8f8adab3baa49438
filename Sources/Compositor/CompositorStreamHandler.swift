import NIOCore
import SIPCore

/// Serves the compositor on one TCP connection, after ``Transport/SIPStreamDecoder`` has cut the
/// stream into messages. A framing error closes the connection: the stream cannot be trusted
/// past it.
final class CompositorStreamHandler: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  private let state: CompositorLoopState
  private var source: ResponseWriter.Source?

  init(state: CompositorLoopState) {
    self.state = state
  }

  func channelActive(context: ChannelHandlerContext) {
    if let remote = context.remoteAddress, let host = remote.ipAddress {
      source = ResponseWriter.Source(host: host, port: remote.port ?? 0)
    }
    context.fireChannelActive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let now = NIODeadline.now().uptimeNanoseconds
    guard let reply = state.handle(unwrapInboundIn(data), framing: .stream, source: source, now: now) else {
      return
    }
    if reply.delay == 0 {
      context.write(wrapOutboundOut(reply.bytes), promise: nil)
    } else {
      let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
      let bytes = reply.bytes
      state.sendLater(after: reply.delay, readAt: now, on: context.eventLoop) {
        bound.value.writeAndFlush(NIOAny(bytes), promise: nil)
      }
    }
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    context.flush()
  }

  func errorCaught(context: ChannelHandlerContext, error: Error) {
    if error is SIPParseError { state.recordMalformedStream() }
    state.logger.debug(
      "closing connection: \(error)", metadata: ["from": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
    context.close(promise: nil)
  }
}
