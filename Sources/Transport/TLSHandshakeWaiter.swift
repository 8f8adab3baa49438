import NIOCore
import NIOSSL
import NIOTLS

/// Sits behind a TLS client handler and completes `promise` when the handshake ends: with
/// success, or with the error that ended it (a refused certificate, a closed connection). A
/// client can then report a TLS failure when it connects, not at its first request.
public final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
  public typealias InboundIn = NIOAny

  private var promise: EventLoopPromise<Void>?

  public init(promise: EventLoopPromise<Void>) {
    self.promise = promise
  }

  public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if case TLSUserEvent.handshakeCompleted = event { complete(.success(())) }
    context.fireUserInboundEventTriggered(event)
  }

  public func errorCaught(context: ChannelHandlerContext, error: Error) {
    complete(.failure(error))
    context.fireErrorCaught(error)
  }

  public func channelInactive(context: ChannelHandlerContext) {
    complete(.failure(TLSHandshakeWaiter.Closed()))
    context.fireChannelInactive()
  }

  public func handlerRemoved(context: ChannelHandlerContext) {
    complete(.failure(TLSHandshakeWaiter.Closed()))
  }

  /// The connection closed (or was closed after a timeout) before the handshake ended.
  public struct Closed: Error, CustomStringConvertible {
    public var description: String {
      "TLS: no handshake from the server within 5 s (is it a TLS port?), or it closed the connection"
    }
  }

  private func complete(_ result: Result<Void, Error>) {
    guard let promise else { return }
    self.promise = nil
    promise.completeWith(result)
  }
}
