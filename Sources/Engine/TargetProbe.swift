import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Transport

/// A pre-flight check before a run: one OPTIONS over UDP, answered or not within a timeout. A UDP
/// target that is down otherwise shows only as timeouts, 32 s (Timer F) into the run.
public enum TargetProbe {
  /// Whether the target answered an OPTIONS (any response counts) within `timeout`.
  public static func answersOptions(_ target: SIPEndpoint, timeout: TimeAmount = .seconds(2)) async -> Bool {
    guard target.transport == .udp, let address = try? target.socketAddress() else { return true }
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    let answered = ProbeOutcome(promise: loop.makePromise(of: Bool.self))
    do {
      let channel = try await DatagramBootstrap(group: loop)
        .channelInitializer { channel in
          channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ProbeHandler(answered: answered))
          }
        }
        .bind(host: target.host.contains(":") ? "::1" : "127.0.0.1", port: 0).get()
      let local = channel.localAddress
      let request =
        "OPTIONS sip:\(target.host.contains(":") ? "[\(target.host)]" : target.host):\(target.port) SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP \(local?.ipAddress ?? "127.0.0.1"):\(local?.port ?? 0);branch=z9hG4bK-pubsim-probe;rport\r\n"
        + "Max-Forwards: 70\r\nFrom: <sip:pubsim@localhost>;tag=probe\r\nTo: <sip:\(target.host)>\r\n"
        + "Call-ID: pubsim-probe-\(UInt32.random(in: 0...UInt32.max))\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
      channel.writeAndFlush(
        AddressedEnvelope(remoteAddress: address, data: ByteBuffer(string: request)), promise: nil)
      loop.scheduleTask(in: timeout) { answered.finish(false) }
      let result = (try? await answered.promise.futureResult.get()) ?? false
      try? await channel.close()
      return result
    } catch {
      answered.finish(false)
      return false
    }
  }
}

/// Completes the probe on the first SIP response.
private final class ProbeHandler: ChannelInboundHandler {
  typealias InboundIn = AddressedEnvelope<ByteBuffer>

  private let answered: ProbeOutcome

  init(answered: ProbeOutcome) {
    self.answered = answered
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let bytes = unwrapInboundIn(data).data
    if bytes.getString(at: bytes.readerIndex, length: min(8, bytes.readableBytes)) == "SIP/2.0 " {
      answered.finish(true)
    }
  }

  func errorCaught(context: ChannelHandlerContext, error: Error) {
    // ICMP port unreachable: nobody listens there.
    answered.finish(false)
  }
}

/// The probe's answer, given once whichever comes first: a response, an ICMP error, the timeout.
private final class ProbeOutcome: Sendable {
  let promise: EventLoopPromise<Bool>
  private let done = NIOLockedValueBox(false)

  init(promise: EventLoopPromise<Bool>) {
    self.promise = promise
  }

  func finish(_ value: Bool) {
    let first = done.withLockedValue { done in
      defer { done = true }
      return !done
    }
    if first { promise.succeed(value) }
  }
}
