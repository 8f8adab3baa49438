import Engine
import Profiles
import Publication
import Transport

/// A profile resolved against the command line: who the publishers are, what they publish,
/// how they behave, and when they arrive. The engine's side of the run is its ``LoadPlan``.
public struct SimulationPlan: Sendable {
  /// Domain for identities that have none (by default the target's name, or its address).
  public var domain: String
  /// Publishers that arrive over the run (with `--arrival-rate`: rate × duration).
  public var population: Int
  public var identities: IdentitySource
  public var events: [EventMix]
  public var behaviour: PublisherBehaviour
  /// How publishers arrive; nil: all at the start.
  public var arrival: ArrivalProcess?
  /// Target population over time; when set it replaces `arrival` (and publishers beyond the
  /// target are stopped, removing their publications).
  public var stages: PopulationSchedule?
  /// Deliberately wrong requests, as fractions of those each applies to (a profile's `faults:`).
  public var faults = FaultMix()
  /// Subscribers to the publishers' state (a profile's `watchers:`); nil: none.
  public var watchers: WatcherProfile?

  public init(
    target: SIPEndpoint, domain: String? = nil, population: Int,
    identities: IdentitySource = .pattern("user{n}", start: 1),
    events: [EventMix] = [EventMix(package: "presence")],
    behaviour: PublisherBehaviour = PublisherBehaviour(), arrival: ArrivalProcess? = nil,
    stages: PopulationSchedule? = nil
  ) {
    self.domain = domain ?? target.name ?? target.host
    self.population = population
    self.identities = identities
    self.events = events
    self.behaviour = behaviour
    self.arrival = arrival
    self.stages = stages
  }

  /// What paces shard `shard` of this instance's `shards`: its share of the instance's share of
  /// the stages' population, or its slot's arrivals (the whole test's arrivals dealt over every
  /// instance's shards, so that the instances interleave into the one process's arrivals).
  func pacer(shard: Int, shards: Int, instance: RunInstance = .whole) -> any Pacer {
    if let stages {
      let share = ShardShare(stages, shard: instance.index, shards: instance.count)
      return ShardShare(share, shard: shard, shards: shards)
    }
    guard let arrival else { return ImmediatePacer() }
    let (slot, slots) = instance.slot(shard: shard, shards: shards)
    return ArrivalPacer(arrival, shard: slot, shards: slots)
  }
}
