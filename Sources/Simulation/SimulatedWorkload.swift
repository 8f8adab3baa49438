import DequeModule
import Engine
import Profiles
import Publication

/// A profile's population on one shard: publishers following ``PublisherStateMachine``, arriving
/// all at once, at `--arrival-rate`, or following the profile's stages.
public final class SimulatedWorkload: Workload {
  private let plan: SimulationPlan
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

  public init(plan: SimulationPlan, shard: Int, shards: Int, runTag: String) {
    self.plan = plan
    self.shard = shard
    self.runTag = runTag
    self.shards = max(shards, 1)
    localPopulation = plan.population / self.shards + (shard < plan.population % self.shards ? 1 : 0)
    behaviour = SharedBehaviour(plan.behaviour)
    // Room for the whole population at once: growing by doubling would hold the old and the new
    // array together at the peak (untouched capacity costs address space, not memory).
    machines.reserveCapacity(localPopulation)
    versions.reserveCapacity(localPopulation)
  }

  public var publisherCapacity: Int { localPopulation }

  public var livePublications: Int { machines.reduce(0) { $0 + ($1.isPublished ? 1 : 0) } }

  public func handle(
    _ event: WorkloadEvent, now: UInt64, random: inout SplitMix64, into changes: inout [WorkloadChange]
  ) {
    switch event {
    case .start: startedAt = now
    case .due: arrivals(now: now, random: &random, into: &changes)
    case .timer(let publisher):
      changes.append(
        WorkloadChange(publisher: publisher, action: machines[publisher].timerFired(now: now, using: &random))
      )
    case .response(let publisher, let response, _):
      changes.append(
        WorkloadChange(
          publisher: publisher,
          action: machines[publisher].responseReceived(response, now: now, using: &random)))
    case .failed(let publisher, _):
      changes.append(
        WorkloadChange(publisher: publisher, action: machines[publisher].requestFailed(now: now)))
    case .stop(let cleanup):
      for publisher in machines.indices where !machines[publisher].hasLeft {
        changes.append(
          WorkloadChange(publisher: publisher, action: machines[publisher].stop(now: now, cleanup: cleanup)))
      }
    }
  }

  private func arrivals(now: UInt64, random: inout SplitMix64, into changes: inout [WorkloadChange]) {
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
      changes.append(WorkloadChange(publisher: machines.count - 1, action: action, arrived: true))
    }
  }

  /// A profile runs for its duration.
  public var isFinished: Bool { false }

  public func nextDue(now: UInt64) -> UInt64 {
    if plan.stages != nil { return now + 10_000_000 }
    guard machines.count < localPopulation else { return .max }
    return startedAt + plan.arrivalOffset(of: machines.count * shards + shard)
  }

  /// Starts or stops publishers so that this shard's share of the staged population is online.
  /// Stopped publishers remove their publication and may come back later in a new session.
  private func followStages(
    _ stages: PopulationSchedule, now: UInt64, random: inout SplitMix64, into changes: inout [WorkloadChange]
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
      changes.append(
        WorkloadChange(
          publisher: publisher, action: machines[publisher].start(now: now, using: &random), arrived: true))
    }
    while online.count > target, let publisher = online.popLast() {
      offline.append(publisher)
      changes.append(
        WorkloadChange(publisher: publisher, action: machines[publisher].stop(now: now, cleanup: true)))
    }
  }

  public func outgoing(_ request: PublisherStateMachine.Request, publisher: Int) -> Outgoing {
    let global = publisher * shards + shard
    let identity = plan.identities.identity(at: global)
    let event = EventMix.pick(plan.events, index: global)
    let sender = PublisherIdentity(
      user: identity.user, domain: identity.domain ?? plan.domain, number: global, runTag: runTag,
      event: event.package, contentType: event.contentType, password: identity.password)
    guard request.operation == .initial || request.operation == .modify else {
      return Outgoing(identity: sender, body: [])
    }
    if request.operation == .modify { versions[publisher] &+= 1 }
    return Outgoing(
      identity: sender, body: event.body.render(aor: sender.aor, version: Int(versions[publisher])))
  }
}

extension LoadEngine where W == SimulatedWorkload {
  /// A run of a profile's simulated population.
  public convenience init(plan: LoadPlan, simulation: SimulationPlan) {
    self.init(plan: plan) { shard, runTag in
      SimulatedWorkload(plan: simulation, shard: shard, shards: plan.shards, runTag: runTag)
    }
  }
}
