import NIOCore
import Transport

/// One shard over one UDP socket, ticked by hand: what Benchmarks/Hotpaths times as "one shard
/// tick" (reading the answers waiting, the workload's reactions, its due sends, timers, the
/// flush). The shard's loop must be one whose scheduled tasks never run on their own (an
/// `EmbeddedEventLoop`), so that only ``tick()`` ticks it.
@_spi(Benchmarks) public final class ShardTicker {
  private let shard: Shard

  /// Starts a shard of `workload` sending through `socket` to `target`, on `loop`.
  public init(
    workload: any Workload, socket: TimestampedDatagramSocket, target: SocketAddress, loop: EventLoop
  ) {
    let endpoint = SIPEndpoint(
      transport: .udp, host: target.ipAddress ?? "127.0.0.1", port: target.port ?? 5060)
    // An hour: the run's end (past which no wake-up is kept) never comes within a benchmark.
    let plan = LoadPlan(target: endpoint, duration: 3_600_000_000_000, connections: 1, shards: 1)
    shard = Shard(index: 0, plan: plan, loop: loop, runTag: 1, workload: workload)
    let connection = ShardConnection(
      channel: nil, datagram: socket,
      writer: RequestWriter(transport: .udp, sentBy: "127.0.0.1:\(socket.localPort)"), target: target,
      transport: .udp)
    _ = shard.start(connections: [connection], startedAt: NIODeadline.now().uptimeNanoseconds)
  }

  /// Ticks the shard once, now.
  public func tick() { shard.tickNow() }

  /// Transactions answered so far (a benchmark checks its responder kept up).
  public var completed: UInt64 { shard.metrics.completed }

  /// Requests sent so far.
  public var sent: UInt64 { shard.metrics.sent }
}
