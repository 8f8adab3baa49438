import Publication
import Simulation
import Transport

/// Everything the engine needs to run: the profile resolved against the command line (target,
/// duration, population, arrival) into one value.
public struct LoadPlan: Sendable {
  public var target: SIPEndpoint
  /// Domain for identities that have none (by default the target's name, or its address).
  public var domain: String
  public var duration: UInt64
  /// Publishers that arrive over the run (in `--arrival-rate` mode: rate × duration).
  public var population: Int
  public var identities: IdentitySource
  public var events: [EventMix]
  public var behaviour: PublisherBehaviour
  /// New publishers per second; nil: all arrive at the start.
  public var arrivalRate: Double?
  /// Target population over time; when set it replaces `arrivalRate` (and publishers beyond the
  /// target are stopped, removing their publications).
  public var stages: PopulationSchedule?
  /// Most PUBLISH requests per second over all shards; nil: no cap.
  public var rateCap: Double?
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

  public init(
    target: SIPEndpoint, domain: String? = nil, duration: UInt64, population: Int,
    identities: IdentitySource = .pattern("user{n}", start: 1),
    events: [EventMix] = [EventMix(package: "presence")],
    behaviour: PublisherBehaviour = PublisherBehaviour(), arrivalRate: Double? = nil,
    stages: PopulationSchedule? = nil, rateCap: Double? = nil,
    connections: Int = 4, cleanup: Bool = false, shards: Int = 2, drainTimeout: UInt64 = 32_000_000_000,
    transactionTimers: ClientTransaction.Timers = .standard
  ) {
    self.target = target
    self.domain = domain ?? target.name ?? target.host
    self.duration = duration
    self.population = population
    self.identities = identities
    self.events = events
    self.behaviour = behaviour
    self.arrivalRate = arrivalRate
    self.stages = stages
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

  /// When publisher `index` (0-based, over all shards) arrives, in nanoseconds after the start,
  /// on the engine's 1 ms grid.
  public func arrivalOffset(of index: Int) -> UInt64 {
    guard let rate = arrivalRate, rate > 0 else { return 0 }
    return UInt64((Double(index) / rate * 1e3).rounded(.down)) * 1_000_000
  }
}
