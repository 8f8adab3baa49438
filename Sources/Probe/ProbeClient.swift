import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import SIPCore
import Transport

/// The probe's side of the wire: one socket (UDP) or connection (TCP, TLS) to the target, a
/// request written and its final response awaited, with RFC 3261's retransmissions over UDP.
/// A stream the server closes (after a malformed request, say) is reconnected for the next
/// request, so one check's abuse does not fail the checks after it.
public final class ProbeClient: Sendable {
  public let target: SIPEndpoint
  /// How long a request waits for its final response.
  public let timeout: Duration
  private let address: SocketAddress
  private let source: String
  private let tls: NIOSSLContext?
  private let inbox = ProbeInbox()
  private let channel = NIOLockedValueBox<Channel?>(nil)
  private let counter = NIOLockedValueBox<UInt64>(0)
  private let run = String(UInt32.random(in: 0...UInt32.max), radix: 36)

  /// Resolves the source address toward the target; nothing is opened yet.
  public init(target: SIPEndpoint, source: String? = nil, tls: TLSClientOptions? = nil, timeout: Duration)
    throws
  {
    self.target = target
    self.timeout = timeout
    address = try target.socketAddress()
    self.source = try source ?? SourceAddress.toward(address)
    self.tls = try target.transport == .tls ? TLSContexts.client(tls ?? TLSClientOptions()) : nil
  }

  /// Fresh identifiers: a new branch, and a new Call-ID and From tag unless `keeping` is given
  /// (the requests of one publisher may share them).
  public func newID(keeping previous: ProbeTransactionID? = nil) -> ProbeTransactionID {
    let number = counter.withLockedValue { value -> UInt64 in
      value += 1
      return value
    }
    let branch = "z9hG4bK-probe-\(run)-\(number)"
    return ProbeTransactionID(
      branch: branch, callID: previous?.callID ?? "probe-\(run)-\(number)",
      fromTag: previous?.fromTag ?? "p\(run)\(number)")
  }

  /// Sends the request and waits for its final response (provisional ones are passed over).
  public func exchange(
    _ request: ProbeRequest, id: ProbeTransactionID? = nil, timeout: Duration? = nil
  ) async -> ProbeAnswer {
    let id = id ?? newID()
    let bytes = await render(request, id)
    // A Via written without the branch (broken on purpose) is matched by Call-ID instead.
    let key = request.via.map { $0.contains("{branch}") } == false ? ProbeInbox.callKey(id.callID) : id.branch
    return await send(bytes, branch: key, timeout: timeout ?? self.timeout)
  }

  /// The bytes of a request as this client writes them (for a check that sends them twice).
  public func render(_ request: ProbeRequest, _ id: ProbeTransactionID) async -> [UInt8] {
    let port = (try? await connected())?.localAddress?.port ?? 0
    return request.bytes(
      transaction: id, local: HostPort(host: source, port: port).description,
      transport: target.transport.rawValue.uppercased(),
      target: HostPort(host: target.host, port: target.port).description)
  }

  /// Writes bytes already rendered and waits for the final response on `branch`; over UDP the
  /// request is resent at T1 = 500 ms doubling to T2 = 4 s until a response comes.
  public func send(_ bytes: [UInt8], branch: String, timeout: Duration) async -> ProbeAnswer {
    let clock = ContinuousClock()
    let started = clock.now
    let deadline = started + timeout
    var interval = Duration.milliseconds(500)
    var retransmitting = target.transport == .udp
    await write(bytes)
    let closures = inbox.closures
    while true {
      let remaining = deadline - clock.now
      guard remaining > .zero else { break }
      let wait = retransmitting ? min(interval, remaining) : remaining
      if let message = await inbox.next(branch: branch, timeout: wait) {
        guard let code = message.statusCode, code < 200 else { return answer(message, since: started) }
        retransmitting = false
        continue
      }
      if inbox.closures != closures {
        var closed = answer(nil, since: started)
        closed.connectionClosed = true
        return closed
      }
      if retransmitting && clock.now < deadline {
        await write(bytes)
        interval = min(interval * 2, .seconds(4))
      }
    }
    return answer(nil, since: started)
  }

  /// Forgets responses already read for a branch.
  public func forget(branch: String) {
    inbox.drop(branch: branch)
  }

  public func close() async {
    let open = channel.withLockedValue { channel -> Channel? in
      defer { channel = nil }
      return channel
    }
    try? await open?.close()
  }

  private func answer(_ message: SIPMessage?, since started: ContinuousClock.Instant) -> ProbeAnswer {
    let waited = ContinuousClock().now - started
    return ProbeAnswer(
      response: message,
      waitedSeconds: Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18)
  }

  private func write(_ bytes: [UInt8]) async {
    guard let channel = try? await connected() else { return }
    let buffer = channel.allocator.buffer(bytes: bytes)
    if target.transport == .udp {
      try? await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer))
    } else {
      try? await channel.writeAndFlush(buffer)
    }
  }

  /// The open socket or connection, opened (again) when there is none.
  private func connected() async throws -> Channel {
    if let open = channel.withLockedValue({ $0 }), open.isActive { return open }
    let opened = try await open()
    channel.withLockedValue { $0 = opened }
    return opened
  }

  private func open() async throws -> Channel {
    let inbox = self.inbox
    let group = MultiThreadedEventLoopGroup.singleton
    if target.transport == .udp {
      return try await DatagramBootstrap(group: group)
        .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
        .channelInitializer { channel in
          channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ProbeDatagramHandler(inbox: inbox))
          }
        }
        .bind(host: source, port: 0).get()
    }
    let tls = self.tls
    let serverName = target.name.flatMap(TLSContexts.serverName(for:))
    return try await ClientBootstrap(group: group)
      .bind(to: try SocketAddress(ipAddress: source, port: 0))
      .connectTimeout(.seconds(5))
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          if let tls {
            try channel.pipeline.syncOperations.addHandler(
              NIOSSLClientHandler(context: tls, serverHostname: serverName))
          }
          try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SIPStreamDecoder()))
          try channel.pipeline.syncOperations.addHandler(ProbeStreamHandler(inbox: inbox))
        }
      }
      .connect(to: address).get()
  }
}

/// Responses read from the probe's UDP socket, parsed and handed to the inbox.
private final class ProbeDatagramHandler: ChannelInboundHandler {
  typealias InboundIn = AddressedEnvelope<ByteBuffer>
  private let inbox: ProbeInbox

  init(inbox: ProbeInbox) { self.inbox = inbox }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let buffer = unwrapInboundIn(data).data
    buffer.withUnsafeReadableBytes { bytes in
      if let message = try? SIPParser().parse(bytes, framing: .datagram), !message.isRequest {
        inbox.deliver(message)
      }
    }
  }

  func errorCaught(context: ChannelHandlerContext, error: Error) {
    // An ICMP error (nobody listening) on a UDP socket: the request simply goes unanswered.
  }
}

/// Framed responses read from the probe's TCP or TLS connection.
private final class ProbeStreamHandler: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  private let inbox: ProbeInbox

  init(inbox: ProbeInbox) { self.inbox = inbox }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let buffer = unwrapInboundIn(data)
    buffer.withUnsafeReadableBytes { bytes in
      if let message = try? SIPParser().parse(bytes, framing: .stream), !message.isRequest {
        inbox.deliver(message)
      }
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    inbox.connectionClosed()
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: Error) {
    // What cannot be framed ends the connection; the next request opens a new one.
    context.close(promise: nil)
  }
}
