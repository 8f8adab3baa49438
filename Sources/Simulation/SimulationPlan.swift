import Profiles
import Publication
import Transport

/// A profile resolved against the command line: who the publishers are, what they publish,
/// how they behave, and when they arrive. The engine's side of the run is its ``LoadPlan``.
public struct SimulationPlan: Sendable {
  /// Domain for identities that have none (by default the target's name, or its address).
  public var domain: String
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

  public init(
    target: SIPEndpoint, domain: String? = nil, population: Int,
    identities: IdentitySource = .pattern("user{n}", start: 1),
    events: [EventMix] = [EventMix(package: "presence")],
    behaviour: PublisherBehaviour = PublisherBehaviour(), arrivalRate: Double? = nil,
    stages: PopulationSchedule? = nil
  ) {
    self.domain = domain ?? target.name ?? target.host
    self.population = population
    self.identities = identities
    self.events = events
    self.behaviour = behaviour
    self.arrivalRate = arrivalRate
    self.stages = stages
  }

  /// When publisher `index` (0-based, over all shards) arrives, in nanoseconds after the start,
  /// on the engine's 1 ms grid.
  public func arrivalOffset(of index: Int) -> UInt64 {
    guard let rate = arrivalRate, rate > 0 else { return 0 }
    return UInt64((Double(index) / rate * 1e3).rounded(.down)) * 1_000_000
  }
}
