import Logging
import Publication
import Transport

/// What the engine needs to run any workload: the target, how long, how many shards and
/// sockets, the rate cap and what happens at the end. What the publishers do is the workload's
/// (a profile's ``SimulationPlan`` or a replay's script).
public struct LoadPlan: Sendable {
  public var target: SIPEndpoint
  public var duration: UInt64
  /// Most PUBLISH requests per second over all shards of the whole test (every instance's
  /// together); nil: no cap.
  public var rateCap: Double?
  /// This process's part of a test split over several (`--instance I/N`); by default the whole.
  public var instance = RunInstance.whole
  /// UDP sockets or TCP connections per shard (at least one per local address).
  public var connections: Int
  /// Source addresses to spread the population over (`--local-ip`), each with its own sockets;
  /// empty: the one the system routes through to reach the target.
  public var localAddresses: [String] = []
  /// Send a remove for every live publication when the run ends.
  public var cleanup: Bool
  /// Shards (event loops); one per core by default.
  public var shards: Int
  /// How long to wait for outstanding transactions at the end (at most Timer F).
  public var drainTimeout: UInt64
  public var transactionTimers: ClientTransaction.Timers
  /// Certificate checks for a `sips:` target.
  public var tls = TLSClientOptions()
  /// Over UDP, a request larger than this many bytes goes over a TCP connection to the target
  /// instead (RFC 3261 §18.1.1: above 1 300 bytes when the path MTU is unknown); each shard then
  /// opens one. nil: every request over the target's transport.
  public var tcpAbove: Int?
  /// Seeds every random decision of the run (each shard's generator: timing jitter, session
  /// lengths, modification intervals, the event mix; digest nonces): the same seed, workload and
  /// answers give the same requests at the same intended times. Random unless given.
  /// (Below 2^53, so that it reads back exactly from run.json in any JSON reader.)
  public var seed = UInt64.random(in: 0..<(1 << 53))
  /// Diagnostics: connections lost, remade or refused. Silent unless the caller gives one.
  public var logger = Logger(label: "pubsim.engine", factory: { _ in SwiftLogNoOpLogHandler() })

  public init(
    target: SIPEndpoint, duration: UInt64, rateCap: Double? = nil, connections: Int = 4,
    cleanup: Bool = false,
    shards: Int = 2, drainTimeout: UInt64 = 32_000_000_000,
    transactionTimers: ClientTransaction.Timers = .standard
  ) {
    self.target = target
    self.duration = duration
    self.rateCap = rateCap
    self.connections = connections
    self.cleanup = cleanup
    self.shards = shards
    self.drainTimeout = drainTimeout
    self.transactionTimers = transactionTimers
  }

  /// Sockets or connections each shard opens: `connections`, rounded up to a multiple of the
  /// local addresses so that each address carries as many (connection `i` sends from address
  /// `i mod count`, and publishers are spread over connections by index).
  public var connectionsPerShard: Int {
    let perAddress = max(localAddresses.count, 1)
    return (max(connections, 1) + perAddress - 1) / perAddress * perAddress
  }
}
