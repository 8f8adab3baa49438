import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIPCore
import Transport

/// A pre-flight check before a run: one OPTIONS over UDP, answered or not within a timeout, or a
/// TCP connect for a stream transport. A UDP target that is down otherwise shows only as
/// timeouts, 32 s (Timer F) into the run; and when a name gives several addresses, the first
/// that answers is the one to load (RFC 3263 failover).
public enum TargetProbe {
  /// Whether the target answers: any response to an OPTIONS over UDP, an accepted connection
  /// over TCP or TLS, within `timeout`. The probe leaves from `source` (the load's own source
  /// address; by default the one the system routes through).
  public static func answers(
    _ target: SIPEndpoint, from source: String? = nil, timeout: TimeAmount = .seconds(2)
  ) async -> Bool {
    await problem(target, from: source, timeout: timeout) == nil
  }

  /// Why the target does not answer ("connection refused", "no answer to OPTIONS within 2 s"),
  /// or nil when it does.
  public static func problem(
    _ target: SIPEndpoint, from source: String? = nil, timeout: TimeAmount = .seconds(2)
  ) async -> String? {
    let address: SocketAddress
    let from: String
    do {
      address = try target.socketAddress()
      from = try source ?? SourceAddress.toward(address)
    } catch {
      return "\(error)"
    }
    if target.transport != .udp { return await connectProblem(address, from: from, timeout: timeout) }
    let answered = await answersOptions(target, at: address, from: from, timeout: timeout)
    return answered ? nil : "no answer to OPTIONS within \(timeout.nanoseconds / 1_000_000_000) s"
  }

  /// The OPTIONS request, with every host written the SIP way.
  static func options(to target: SIPEndpoint, from local: HostPort) -> String {
    let requestURI = "sip:" + HostPort(host: target.name ?? target.host, port: target.port).description
    return "OPTIONS \(requestURI) SIP/2.0\r\n"
      + "Via: SIP/2.0/UDP \(local);branch=z9hG4bK-pubsim-probe;rport\r\n"
      + "Max-Forwards: 70\r\nFrom: <sip:pubsim@\(SIPHost.text(local.host))>;tag=probe\r\nTo: <\(requestURI)>\r\n"
      + "Call-ID: pubsim-probe-\(UInt32.random(in: 0...UInt32.max))\r\nCSeq: 1 OPTIONS\r\n"
      + "Content-Length: 0\r\n\r\n"
  }

  private static func answersOptions(
    _ target: SIPEndpoint, at address: SocketAddress, from source: String, timeout: TimeAmount
  ) async -> Bool {
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    let answered = ProbeOutcome(promise: loop.makePromise(of: Bool.self))
    do {
      let channel = try await DatagramBootstrap(group: loop)
        .channelInitializer { channel in
          channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ProbeHandler(answered: answered))
          }
        }
        .bind(host: source, port: 0).get()
      let request = options(to: target, from: HostPort(host: source, port: channel.localAddress?.port ?? 0))
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

  private static func connectProblem(_ address: SocketAddress, from source: String, timeout: TimeAmount)
    async -> String?
  {
    do {
      let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(to: try SocketAddress(ipAddress: source, port: 0))
        .connectTimeout(timeout)
        .connect(to: address).get()
      try? await channel.close()
      return nil
    } catch {
      return ConnectError.reason(error)
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
