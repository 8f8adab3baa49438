import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import SIPCore
import Transport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The embedded compositor on real sockets: UDP, TCP and TLS listeners on every event loop of a group
/// (UDP sockets share the port with SO_REUSEPORT, so the kernel spreads clients over loops), a
/// once-a-second expiry sweep, and the summary of what was served.
public final class CompositorServer: Sendable {
  public let core: CompositorCore
  private let group: MultiThreadedEventLoopGroup
  private let states: [ObjectIdentifier: CompositorLoopState]
  private let channels = NIOLockedValueBox<[Channel]>([])
  /// Whether the expiry sweep runs (once, however many times ``start(listening:)`` is called).
  private let sweeping = NIOLockedValueBox(false)
  private let ownsGroup: Bool
  /// The certificate a `sips:` listener presents.
  private let tls: NIOSSLContext?

  /// - Parameters:
  ///   - threads: event loops to serve on (default: one per core).
  ///   - transactionLifetime: how long a UDP response is kept for retransmissions (default 32 s,
  ///     RFC 3261 Timer J).
  ///   - tls: the server context for `sips:` listeners (see ``TLSContexts/server(certificateFile:keyFile:)``).
  ///   - logger: diagnostics (refused requests at debug level); silent by default.
  public init(
    core: CompositorCore, threads: Int = System.coreCount, transactionLifetime: UInt64 = 32_000_000_000,
    tls: NIOSSLContext? = nil,
    logger: Logger = Logger(label: "pubsim.compositor", factory: { _ in SwiftLogNoOpLogHandler() })
  ) {
    self.core = core
    self.tls = tls
    group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
    ownsGroup = true
    let now = NIODeadline.now().uptimeNanoseconds
    var states: [ObjectIdentifier: CompositorLoopState] = [:]
    for (index, loop) in group.makeIterator().enumerated() {
      states[ObjectIdentifier(loop)] = CompositorLoopState(
        core: core, transactionLifetime: transactionLifetime, now: now,
        seed: UInt64.random(in: 0...UInt64.max) &+ UInt64(index), logger: logger)
    }
    self.states = states
  }

  private func state(for loop: EventLoop) -> CompositorLoopState {
    // Every loop of the group has a state, made in init.
    states[ObjectIdentifier(loop)] ?? states.values.first.unsafelyUnwrapped
  }

  /// Starts listening on each endpoint; returns the endpoints actually bound (a port of 0 becomes
  /// the port the system chose).
  /// Listens on `endpoints` (port 0: a free one); may be called again to add listeners.
  public func start(listening endpoints: [SIPEndpoint]) async throws -> [SIPEndpoint] {
    var bound: [SIPEndpoint] = []
    for endpoint in endpoints {
      switch endpoint.transport {
      case .udp: bound.append(try await bindUDP(endpoint))
      case .tcp: bound.append(try await bindStream(endpoint, tls: nil))
      case .tls:
        guard let tls else {
          throw CompositorError.unsupported("\(endpoint.uri): a TLS listener needs --tls-cert and --tls-key")
        }
        bound.append(try await bindStream(endpoint, tls: tls))
      }
    }
    scheduleExpirySweep()
    return bound
  }

  private func bindUDP(_ endpoint: SIPEndpoint) async throws -> SIPEndpoint {
    var port = endpoint.port
    if port != 0 { try await ensureUDPPortIsFree(endpoint) }
    for loop in group.makeIterator() {
      let state = state(for: loop)
      let channel = try await DatagramBootstrap(group: loop)
        .channelOption(.socketOption(.so_reuseaddr), value: 1)
        .channelOption(ChannelOptions.socket(SocketOptionLevel(SOL_SOCKET), SO_REUSEPORT), value: 1)
        .sipDatagramOptions()
        .channelInitializer { channel in
          channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(CompositorDatagramHandler(state: state))
          }
        }
        .bind(host: endpoint.host, port: port).get()
      port = channel.localAddress?.port ?? port
      channels.withLockedValue { $0.append(channel) }
    }
    return SIPEndpoint(transport: .udp, host: endpoint.host, port: port, name: endpoint.name)
  }

  /// The loops share the port with SO_REUSEPORT, which would also let them join another
  /// compositor already there (and silently split its traffic): a plain bind first finds out.
  private func ensureUDPPortIsFree(_ endpoint: SIPEndpoint) async throws {
    let probe: Channel
    do {
      probe = try await DatagramBootstrap(group: group).bind(host: endpoint.host, port: endpoint.port).get()
    } catch {
      throw CompositorError.portInUse("\(endpoint.uri): the UDP port is in use (\(error))")
    }
    try await probe.close()
  }

  /// A TCP listener, with TLS on every accepted connection when `tls` is given.
  private func bindStream(_ endpoint: SIPEndpoint, tls: NIOSSLContext?) async throws -> SIPEndpoint {
    let channel = try await ServerBootstrap(group: group)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .serverChannelOption(.backlog, value: 1024)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { [self] channel in
        let state = state(for: channel.eventLoop)
        return channel.eventLoop.makeCompletedFuture {
          if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
          try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SIPStreamDecoder()))
          try channel.pipeline.syncOperations.addHandler(
            CompositorStreamHandler(state: state, isTLS: tls != nil))
        }
      }
      .bind(host: endpoint.host, port: endpoint.port).get()
    channels.withLockedValue { $0.append(channel) }
    return SIPEndpoint(
      transport: endpoint.transport, host: endpoint.host, port: channel.localAddress?.port ?? endpoint.port,
      name: endpoint.name)
  }

  private func scheduleExpirySweep() {
    let alreadySweeping = sweeping.withLockedValue { running in
      defer { running = true }
      return running
    }
    guard !alreadySweeping else { return }
    let core = self.core
    group.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
      core.sweepExpired(now: NIODeadline.now().uptimeNanoseconds)
    }
  }

  /// Statistics summed over all event loops.
  public func statistics() async throws -> CompositorStatistics {
    var total = CompositorStatistics()
    for loop in group.makeIterator() {
      let state = state(for: loop)
      total.merge(try await loop.submit { state.statistics }.get())
    }
    return total
  }

  /// The one-line summary printed at shutdown.
  public func summary() async throws -> String {
    let live = core.livePublications(now: NIODeadline.now().uptimeNanoseconds)
    var line = try await statistics().summary(livePublications: live, bodyBytes: core.storedBodyBytes)
    let notifies = core.notifier.counts
    if notifies.sent > 0 || core.liveSubscriptions > 0 {
      line +=
        "; live subscriptions \(core.liveSubscriptions); NOTIFY sent \(notifies.sent), answered "
        + "\(notifies.answered), retransmitted \(notifies.retransmitted), refused \(notifies.refused), "
        + "timed out \(notifies.timedOut)" + (notifies.dropped > 0 ? ", dropped \(notifies.dropped)" : "")
    }
    return line
  }

  /// Closes every listener and stops the event loops.
  public func stop() async throws {
    let open = channels.withLockedValue { channels in
      defer { channels.removeAll() }
      return channels
    }
    for channel in open {
      try? await channel.close()
    }
    if ownsGroup { try await group.shutdownGracefully() }
  }
}

/// Why the compositor cannot do what was asked.
public enum CompositorError: Error, CustomStringConvertible {
  case unsupported(String)
  case portInUse(String)

  public var description: String {
    switch self {
    case .unsupported(let what), .portInUse(let what): return what
    }
  }
}
