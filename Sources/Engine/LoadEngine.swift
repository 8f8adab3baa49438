import Logging
import Measurements
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import SIPCore
import Transport

/// Runs a ``LoadPlan`` with a ``Workload``: one ``Shard`` per event loop, each with its own
/// sockets and its own workload, started together, stopped together (at the end of the
/// duration or on ``requestStop()``), drained, and merged into one ``RunMetrics`` and one
/// workload report.
///
/// Async/await is used here, for orchestration only; the per-message work happens on the shards'
/// event loops.
public final class LoadEngine<W: Workload>: Sendable {
  /// What a finished run measured.
  public struct Result: Sendable {
    public var metrics: RunMetrics
    public var peakPublishers: Int
    /// Publications left live on the server at the end, as far as the publishers know (the
    /// contract's `publishers.active`): 0 after a cleanup that went through.
    public var activePublishers: Int
    public var durationSeconds: Double
    public var stoppedEarly: Bool
    /// What the workload adds (a replay's fidelity), merged over shards.
    public var workload: W.Report
  }

  public let plan: LoadPlan
  private let group: MultiThreadedEventLoopGroup
  private let shards: [Shard]
  /// Each shard's workload, typed, for the report at the end (the shards hold them as `any Workload`,
  /// so that the shard's own code is not generic and its hot path is compiled once, specialized).
  private let workloads: LoopBoundWorkloads<W>
  private let stopState = NIOLockedValueBox<(requested: Bool, early: Bool, startedAt: UInt64)>(
    (false, false, 0))

  /// A run of `plan` with one workload per shard, made by `makeWorkload` (shard index, the
  /// run's tag for Call-IDs).
  public init(plan: LoadPlan, makeWorkload: (_ shard: Int, _ runTag: String) -> W) {
    self.plan = plan
    let group = MultiThreadedEventLoopGroup(numberOfThreads: max(plan.shards, 1))
    self.group = group
    let runTag = UInt32.random(in: 1...UInt32.max)
    var shards: [Shard] = []
    var workloads: [W] = []
    for (index, loop) in group.makeIterator().enumerated() {
      let workload = makeWorkload(index, String(runTag, radix: 36))
      workloads.append(workload)
      shards.append(Shard(index: index, plan: plan, loop: loop, runTag: runTag, workload: workload))
    }
    self.shards = shards
    self.workloads = LoopBoundWorkloads(all: workloads)
  }

  /// Runs to the end of the plan's duration (or an earlier ``requestStop()``), then drains.
  public func run(onProgress: @escaping @Sendable (LoadProgress) -> Void) async throws -> Result {
    let connections: [[ShardConnection]]
    do {
      connections = try await openConnections()
    } catch {
      stopState.withLockedValue { $0.requested = true }
      try? await group.shutdownGracefully()
      throw error
    }
    let startedAt = (NIODeadline.now().uptimeNanoseconds / 1_000_000 + 5) * 1_000_000
    stopState.withLockedValue { $0.startedAt = startedAt }
    var done: [EventLoopFuture<Void>] = []
    for (shard, shardConnections) in zip(shards, connections) {
      done.append(
        try await shard.loop.submit { shard.start(connections: shardConnections, startedAt: startedAt) }.get()
      )
      shard.loop.scheduleTask(deadline: NIODeadline.uptimeNanoseconds(startedAt + plan.duration)) { [self] in
        stopShard(shard)
      }
    }
    let reporter = Task {
      while !Task.isCancelled {
        try await Task.sleep(nanoseconds: 1_000_000_000)
        onProgress(try await progress(startedAt: startedAt))
      }
    }
    for future in done { try await future.get() }
    reporter.cancel()
    let endedAt = NIODeadline.now().uptimeNanoseconds
    var metrics = RunMetrics(startedAt: startedAt)
    var peak = 0
    var active = 0
    for shard in shards {
      let (shardMetrics, shardPeak, shardActive) = try await shard.loop.submit {
        (shard.metrics, shard.peakActive, shard.liveAtEnd)
      }.get()
      metrics.merge(shardMetrics)
      peak += shardPeak
      active += shardActive
    }
    var reports: [W.Report] = []
    for (index, shard) in shards.enumerated() {
      reports.append(try await shard.loop.submit { [workloads] in workloads.all[index].report }.get())
    }
    await closeConnections(connections)
    try await group.shutdownGracefully()
    return Result(
      metrics: metrics, peakPublishers: peak, activePublishers: active,
      durationSeconds: Double(endedAt - startedAt) / 1e9,
      stoppedEarly: stopState.withLockedValue { $0.early },
      workload: W.merge(reports))
  }

  /// The metrics so far, merged over shards (for checks during the run). Cheap: the shards'
  /// histograms are shared copy-on-write until they record again.
  public func snapshot() async throws -> (metrics: RunMetrics, activePublishers: Int, peakPublishers: Int) {
    let startedAt = stopState.withLockedValue { $0.startedAt }
    var metrics = RunMetrics(startedAt: startedAt)
    var active = 0
    var peak = 0
    for shard in shards {
      let (shardMetrics, shardActive, shardPeak) = try await shard.loop.submit {
        (shard.metrics, shard.progress.active, shard.peakActive)
      }.get()
      metrics.merge(shardMetrics)
      active += shardActive
      peak += shardPeak
    }
    return (metrics, active, peak)
  }

  /// Stops the run early (Ctrl-C): no new requests are scheduled, removes are sent with
  /// `cleanup`, and outstanding transactions drain. Safe to call from any thread, more than once.
  public func requestStop() {
    let first = stopState.withLockedValue { state -> Bool in
      defer { state.requested = true }
      if !state.requested { state.early = true }
      return !state.requested
    }
    guard first else { return }
    for shard in shards { shard.loop.execute { [self] in stopShard(shard) } }
  }

  private func stopShard(_ shard: Shard) {
    stopState.withLockedValue { $0.requested = true }
    let now = NIODeadline.now().uptimeNanoseconds
    shard.stop(now: now, drainDeadline: now + plan.drainTimeout)
  }

  private func progress(startedAt: UInt64) async throws -> LoadProgress {
    var total = LoadProgress(
      elapsedSeconds: Double(NIODeadline.now().uptimeNanoseconds - startedAt) / 1e9, sent: 0, completed: 0,
      errors: 0,
      inFlight: 0, activePublishers: 0, lastSecond: TimeSeries.Second())
    for shard in shards {
      let progress = try await shard.loop.submit { shard.progress }.get()
      total.sent += progress.sent
      total.completed += progress.completed
      total.errors += progress.errors
      total.inFlight += progress.inFlight
      total.activePublishers += progress.active
      total.lastSecond.merge(progress.lastSecond)
      total.live.merge(progress.live)
    }
    return total
  }

  // MARK: Sockets

  private func openConnections() async throws -> [[ShardConnection]] {
    let target = try plan.target.socketAddress()
    let sources = try sourceAddresses(toward: target)
    var tlsContext: NIOSSLContext?
    if plan.target.transport == .tls {
      do {
        tlsContext = try TLSContexts.client(plan.tls)
      } catch {
        throw ConnectError(description: "cannot set up TLS for \(plan.target.uri): \(error)")
      }
    }
    var all: [[ShardConnection]] = []
    for shard in shards {
      var connections: [ShardConnection] = []
      for connectionIndex in 0..<plan.connectionsPerShard {
        let source = sources[connectionIndex % sources.count]
        switch plan.target.transport {
        case .udp: connections.append(try openUDP(target: target, source: source))
        case .tcp, .tls:
          connections.append(
            try await openStream(
              shard: shard, connectionIndex: connectionIndex, target: target, source: source, tls: tlsContext)
          )
        }
      }
      if plan.target.transport == .udp && plan.tcpAbove != nil {
        // Where requests too large for UDP go: one TCP connection after the UDP sockets.
        connections.append(
          try await openStream(
            shard: shard, connectionIndex: connections.count, target: target, source: sources[0], tls: nil,
            transport: .tcp))
      }
      all.append(connections)
    }
    return all
  }

  /// The addresses requests leave from: `--local-ip`'s, each checked to be of the target's
  /// family, or the one the system routes through to reach the target.
  private func sourceAddresses(toward target: SocketAddress) throws -> [String] {
    guard !plan.localAddresses.isEmpty else {
      do {
        return [try SourceAddress.toward(target)]
      } catch {
        throw ConnectError(description: "cannot reach \(plan.target.uri): \(error)")
      }
    }
    for address in plan.localAddresses where IPLiteral.isIPv6(address) != plan.target.isIPv6 {
      throw ConnectError(
        description: "--local-ip \(address) cannot reach \(plan.target.uri): one is IPv4, the other IPv6")
    }
    return plan.localAddresses
  }

  /// A UDP socket the shard reads on its tick, with kernel receive timestamps, bound to the
  /// source address so that Via's sent-by is where answers really arrive.
  private func openUDP(target: SocketAddress, source: String) throws -> ShardConnection {
    let socket: TimestampedDatagramSocket
    do {
      socket = try TimestampedDatagramSocket(target: target, localHost: source)
    } catch {
      throw ConnectError(description: "cannot send from \(SIPHost.text(source)): \(error)")
    }
    let sentBy = HostPort(host: source, port: socket.localPort)
    return ShardConnection(
      channel: nil, datagram: socket, writer: RequestWriter(transport: .udp, sentBy: sentBy.description),
      target: target, transport: .udp)
  }

  /// A TCP connection, with TLS over it for a `sips:` target (`tls` is then the shared context).
  /// It is bound to `source` only when `--local-ip` chose it; otherwise the system picks the
  /// same address on connecting, and Via takes it from the connected socket.
  private func openStream(
    shard: Shard, connectionIndex: Int, target: SocketAddress, source: String, tls: NIOSSLContext?,
    transport: SIPTransportKind? = nil
  ) async throws -> ShardConnection {
    let transport = transport ?? plan.target.transport
    let connection = ShardConnection(
      channel: nil, writer: RequestWriter(transport: transport, sentBy: SIPHost.text(source)), target: target,
      transport: transport, tls: tls, source: plan.localAddresses.isEmpty ? nil : source)
    do {
      // TLS fails in its handshake, after the TCP connect: wait for it, so that a refused
      // certificate is an error now rather than a run of closed connections.
      try await connectStream(connection, shard: shard, connectionIndex: connectionIndex).get()
    } catch {
      let reason = TLSContexts.reason(error) ?? ConnectError.reason(error)
      let from = connection.source.map { " from \(SIPHost.text($0))" } ?? ""
      let why =
        transport == plan.target.transport
        ? "" : " over \(transport.rawValue.uppercased()) (for requests above --tcp-above)"
      throw ConnectError(description: "cannot connect to \(plan.target.uri)\(why)\(from): \(reason)")
    }
    return connection
  }

  /// Connects (again) and returns when TLS, if any, will have shaken hands.
  @discardableResult
  private func connectStream(_ connection: ShardConnection, shard: Shard, connectionIndex: Int)
    async throws
    -> EventLoopFuture<Void>
  {
    let serverName = plan.target.name ?? TLSContexts.serverName(for: plan.target.host)
    let handshake = shard.loop.makePromise(of: Void.self)
    if connection.tls == nil { handshake.succeed(()) }
    let channel: Channel
    do {
      channel = try await bootstrap(
        connection, shard: shard, connectionIndex: connectionIndex, serverName: serverName,
        handshake: handshake)
    } catch {
      handshake.fail(error)
      throw error
    }
    let local = channel.localAddress
    try await shard.loop.submit {
      connection.channel = channel
      if let local, let address = local.ipAddress {
        connection.writer.sentBy = HostPort(host: address, port: local.port).description
      }
    }.get()
    // A server that never answers the handshake (plain TCP on that port, say) is given up on:
    // closing the channel fails the handshake.
    let timeout = channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
    handshake.futureResult.whenComplete { _ in timeout.cancel() }
    return handshake.futureResult
  }

  private func bootstrap(
    _ connection: ShardConnection, shard: Shard, connectionIndex: Int, serverName: String?,
    handshake: EventLoopPromise<Void>
  ) async throws -> Channel {
    var bootstrap = ClientBootstrap(group: shard.loop)
    if let source = connection.source {
      bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0))
    }
    return
      try await bootstrap
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
      .connectTimeout(.seconds(5))
      .channelInitializer { [self] channel in
        channel.eventLoop.makeCompletedFuture {
          if let tls = connection.tls {
            try channel.pipeline.syncOperations.addHandler(
              NIOSSLClientHandler(context: tls, serverHostname: serverName))
            try channel.pipeline.syncOperations.addHandler(TLSHandshakeWaiter(promise: handshake))
          }
          try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SIPStreamDecoder()))
          try channel.pipeline.syncOperations.addHandler(
            ShardStreamHandler(shard: shard, connectionIndex: connectionIndex) { [self] in
              scheduleReconnect(
                connection, shard: shard, connectionIndex: connectionIndex, after: "connection closed")
            })
        }
      }
      .connect(to: connection.target).get()
  }

  /// A closed connection is re-opened a second later, and again every second while the target
  /// refuses, until the run stops. (A connection that opens and then fails its TLS handshake is
  /// closed, which schedules the next attempt.)
  private func scheduleReconnect(
    _ connection: ShardConnection, shard: Shard, connectionIndex: Int, after event: String
  ) {
    guard !stopState.withLockedValue({ $0.requested }) else { return }
    let logger = plan.logger
    let metadata: Logger.Metadata = ["shard": "\(shard.index)", "connection": "\(connectionIndex)"]
    logger.info("\(event); reconnecting in 1 s", metadata: metadata)
    shard.loop.scheduleTask(in: .seconds(1)) { [self] in
      Task {
        let handshake: EventLoopFuture<Void>
        do {
          handshake = try await connectStream(connection, shard: shard, connectionIndex: connectionIndex)
        } catch {
          scheduleReconnect(
            connection, shard: shard, connectionIndex: connectionIndex,
            after: "reconnect failed: \(ConnectError.reason(error))")
          return
        }
        do {
          try await handshake.get()
          logger.info("reconnected", metadata: metadata)
        } catch {
          logger.info("TLS handshake failed: \(TLSContexts.reason(error) ?? "\(error)")", metadata: metadata)
        }
      }
    }
  }

  private func closeConnections(_ connections: [[ShardConnection]]) async {
    for (shard, shardConnections) in zip(shards, connections) {
      try? await shard.loop.submit { for connection in shardConnections { connection.close() } }.get()
    }
    for connection in connections.joined() {
      if let channel = try? await connectionChannel(connection) { try? await channel.close() }
    }
  }

  private func connectionChannel(_ connection: ShardConnection) async throws -> Channel? {
    guard let loop = connection.channel?.eventLoop else { return nil }
    return try await loop.submit { connection.channel }.get()
  }
}

/// The shards' workloads, typed, held by the engine for the report. Each is touched only on its
/// shard's event loop (as the shard itself is), which is what makes handing them around safe.
private final class LoopBoundWorkloads<W: Workload>: @unchecked Sendable {
  let all: [W]

  init(all: [W]) {
    self.all = all
  }
}
