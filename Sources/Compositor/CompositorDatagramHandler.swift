import NIOCore
import SIPCore

/// Serves the compositor on a UDP socket: each datagram is one request; responses are written
/// as they are decided and flushed once per read batch (NIO then sends them with one sendmmsg).
final class CompositorDatagramHandler: ChannelInboundHandler {
  typealias InboundIn = AddressedEnvelope<ByteBuffer>
  typealias OutboundOut = AddressedEnvelope<ByteBuffer>

  private let state: CompositorLoopState
  /// The last datagram's sender and its address as text: a client sends many requests from one
  /// socket, and writing an address out (`inet_ntop`, through `sprintf`) costs more than
  /// comparing it.
  private var lastSender: (address: SocketAddress, source: ResponseWriter.Source?)?

  init(state: CompositorLoopState) {
    self.state = state
  }

  private func source(of remote: SocketAddress) -> ResponseWriter.Source? {
    if let lastSender, lastSender.address == remote { return lastSender.source }
    let source = remote.ipAddress.map { ResponseWriter.Source(host: $0, port: remote.port ?? 0) }
    lastSender = (remote, source)
    return source
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let envelope = unwrapInboundIn(data)
    let remote = envelope.remoteAddress
    let source = source(of: remote)
    let now = NIODeadline.now().uptimeNanoseconds
    let channel = context.channel
    let route = {
      DatagramNotifyRoute(
        channel: channel, destination: remote,
        sentBy: DatagramNotifyRoute.sentBy(channel.localAddress)) as any NotifyRoute
    }
    guard let reply = state.handle(envelope.data, framing: .datagram, source: source, now: now, route: route)
    else {
      return
    }
    var destination = remote
    if reply.port != remote.port, let host = remote.ipAddress,
      let address = try? SocketAddress(ipAddress: host, port: reply.port)
    {
      destination = address
    }
    let outgoing = AddressedEnvelope(remoteAddress: destination, data: reply.bytes)
    if reply.delay == 0 {
      context.write(wrapOutboundOut(outgoing), promise: nil)
      state.notify(reply.notifications, after: context)
    } else {
      let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
      let notifications = reply.notifications
      let state = state
      state.sendLater(after: reply.delay, readAt: now, on: context.eventLoop) {
        bound.value.writeAndFlush(NIOAny(outgoing), promise: nil)
        for notify in notifications { state.core.notifier.send(notify) }
      }
    }
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    context.flush()
  }

  func errorCaught(context: ChannelHandlerContext, error: Error) {
    // A UDP socket reports ICMP port-unreachable and the like as errors; the socket stays usable.
  }
}
