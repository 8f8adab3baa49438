import DequeModule
import Publication
import Simulation

/// A profile's population on one shard: publishers following ``PublisherStateMachine``, arriving
/// all at once, at `--arrival-rate`, or following the profile's stages.
final class SimulatedWorkload: ShardWorkload {
  private let plan: LoadPlan
  private let shard: Int
  private let shards: Int
  private let runTag: String
  private let localPopulation: Int
  /// The profile's behaviour, one copy for all of the shard's publishers.
  private let behaviour: SharedBehaviour
  private var startedAt: UInt64 = 0
  private var machines: [PublisherStateMachine] = []
  /// Body version per publisher (the PIDF note changes with every modify).
  private var versions: [Int32] = []
  /// With stages: publishers started and not yet told to stop, and those stopped (to reuse).
  private var online: [Int] = []
  private var offline = Deque<Int>()

  init(plan: LoadPlan, shard: Int, runTag: String) {
    self.plan = plan
    self.shard = shard
    self.runTag = runTag
    shards = max(plan.shards, 1)
    localPopulation = plan.population / shards + (shard < plan.population % shards ? 1 : 0)
    behaviour = SharedBehaviour(plan.behaviour)
    // Room for the whole population at once: growing by doubling would hold the old and the new
    // array together at the peak (untouched capacity costs address space, not memory).
    machines.reserveCapacity(localPopulation)
    versions.reserveCapacity(localPopulation)
  }

  var publisherCapacity: Int { localPopulation }

  var livePublications: Int { machines.reduce(0) { $0 + ($1.isPublished ? 1 : 0) } }

  func start(at startedAt: UInt64) {
    self.startedAt = startedAt
  }

  func arrivals(now: UInt64, random: inout SplitMix64, into changes: inout [Change]) {
    if let stages = plan.stages {
      followStages(stages, now: now, random: &random, into: &changes)
      return
    }
    while machines.count < localPopulation {
      let arrival = startedAt + plan.arrivalOffset(of: machines.count * shards + shard)
      guard arrival <= now else { return }
      var machine = PublisherStateMachine(sharing: behaviour)
      let action = machine.start(now: arrival, using: &random)
      machines.append(machine)
      versions.append(0)
      changes.append((machines.count - 1, action, true))
    }
  }

  /// A profile runs for its duration.
  var isFinished: Bool { false }

  func nextArrival(now: UInt64) -> UInt64 {
    if plan.stages != nil { return now + 10_000_000 }
    guard machines.count < localPopulation else { return .max }
    return startedAt + plan.arrivalOffset(of: machines.count * shards + shard)
  }

  /// Starts or stops publishers so that this shard's share of the staged population is online.
  /// Stopped publishers remove their publication and may come back later in a new session.
  private func followStages(
    _ stages: PopulationSchedule, now: UInt64, random: inout SplitMix64, into changes: inout [Change]
  ) {
    let target = PopulationSchedule.share(
      of: stages.target(at: now - min(now, startedAt)), shard: shard, shards: shards)
    while online.count < target {
      let publisher: Int
      if let returning = offline.first, machines[returning].hasLeft {
        offline.removeFirst()
        publisher = returning
        machines[publisher] = PublisherStateMachine(sharing: behaviour)
      } else if machines.count < localPopulation {
        machines.append(PublisherStateMachine(sharing: behaviour))
        versions.append(0)
        publisher = machines.count - 1
      } else {
        break
      }
      online.append(publisher)
      changes.append((publisher, machines[publisher].start(now: now, using: &random), true))
    }
    while online.count > target, let publisher = online.popLast() {
      offline.append(publisher)
      changes.append((publisher, machines[publisher].stop(now: now, cleanup: true), false))
    }
  }

  func timerFired(publisher: Int, now: UInt64, random: inout SplitMix64) -> Action {
    machines[publisher].timerFired(now: now, using: &random)
  }

  func responseReceived(
    publisher: Int, response: PublisherStateMachine.Response, latency: UInt64, now: UInt64,
    random: inout SplitMix64
  ) -> Action {
    machines[publisher].responseReceived(response, now: now, using: &random)
  }

  func requestFailed(publisher: Int, timedOut: Bool, now: UInt64) -> Action {
    machines[publisher].requestFailed(now: now)
  }

  func stop(now: UInt64, cleanup: Bool, into changes: inout [Change]) {
    for publisher in machines.indices where !machines[publisher].hasLeft {
      changes.append((publisher, machines[publisher].stop(now: now, cleanup: cleanup), false))
    }
  }

  func identity(of publisher: Int) -> RequestWriter.Publisher {
    let global = publisher * shards + shard
    let identity = plan.identities.identity(at: global)
    let event = EventMix.pick(plan.events, index: global)
    return RequestWriter.Publisher(
      user: identity.user, domain: identity.domain ?? plan.domain, number: global, runTag: runTag,
      event: event.package, contentType: event.contentType, password: identity.password)
  }

  func body(
    for request: PublisherStateMachine.Request, publisher: Int, identity: RequestWriter.Publisher
  ) -> [UInt8] {
    guard request.operation == .initial || request.operation == .modify else { return [] }
    if request.operation == .modify { versions[publisher] &+= 1 }
    return EventMix.pick(plan.events, index: identity.number).body.render(
      aor: identity.aor, version: Int(versions[publisher]))
  }
}
