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
  /// TLS under this handler (the transport NOTIFYs name in Via).
  private let isTLS: Bool

  init(state: CompositorLoopState, isTLS: Bool = false) {
    self.state = state
    self.isTLS = isTLS
  }

  func channelActive(context: ChannelHandlerContext) {
    if let remote = context.remoteAddress, let host = remote.ipAddress {
      source = ResponseWriter.Source(host: host, port: remote.port ?? 0)
    }
    context.fireChannelActive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let now = NIODeadline.now().uptimeNanoseconds
    let channel = context.channel
    let route = { [isTLS] in
      StreamNotifyRoute(
        channel: channel, transport: isTLS ? "tls" : "tcp",
        sentBy: StreamNotifyRoute.sentBy(channel.localAddress)) as any NotifyRoute
    }
    guard
      let reply = state.handle(
        unwrapInboundIn(data), framing: .stream, source: source, now: now, route: route)
    else {
      return
    }
    if reply.delay == 0 {
      context.write(wrapOutboundOut(reply.bytes), promise: nil)
      state.notify(reply.notifications, after: context)
    } else {
      let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
      let bytes = reply.bytes
      let notifications = reply.notifications
      let state = state
      state.sendLater(after: reply.delay, readAt: now, on: context.eventLoop) {
        bound.value.writeAndFlush(NIOAny(bytes), promise: nil)
        for notify in notifications { state.core.notifier.send(notify) }
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
