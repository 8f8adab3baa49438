import Publication
import Simulation
import Transport

/// Everything the engine needs to run: the profile resolved against the command line (target,
/// duration, population, arrival) into one value.
public struct LoadPlan: Sendable {
  public var target: SIPEndpoint
  /// Domain for identities that have none (the target's host by default).
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
  /// UDP sockets or TCP connections per shard.
  public var connections: Int
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
    self.domain = domain ?? target.host
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

  /// When publisher `index` (0-based, over all shards) arrives, in nanoseconds after the start,
  /// on the engine's 1 ms grid.
  public func arrivalOffset(of index: Int) -> UInt64 {
    guard let rate = arrivalRate, rate > 0 else { return 0 }
    return UInt64((Double(index) / rate * 1e3).rounded(.down)) * 1_000_000
  }
}
