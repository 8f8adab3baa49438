import DequeModule
import Engine
import Measurements
import Profiles
import Publication
import SIPCore

/// A profile's population on one shard: publishers following ``PublisherStateMachine``, started
/// (and, with stages, stopped) when the shard's ``Pacer`` says: all at once, at an arrival
/// process's pace, or following the profile's stages.
public final class SimulatedWorkload: Workload {
  private let plan: SimulationPlan
  private let shard: Int
  private let shards: Int
  /// This process's part of a test split over several; its publishers are numbered
  /// `instance.global(local)`.
  private let instance: RunInstance
  private let runTag: String
  private let localPopulation: Int
  /// The profile's behaviour, one copy for all of the shard's publishers; or one per event
  /// entry, where entries say how their publishers behave.
  private let behaviours: [SharedBehaviour]
  /// The profile's domain as a URI writes it, made once rather than for every request.
  private let domainText: String
  private var startedAt: UInt64 = 0
  private var machines: [PublisherStateMachine] = []
  /// Body version per publisher (the PIDF note changes with every modify).
  private var versions: [Int32] = []
  /// Each publisher's own random stream (session lengths, jitter, modification intervals), so
  /// that its draws do not depend on the order in which other publishers' answers arrive: the
  /// same seed gives every publisher the same decisions.
  private var randoms: [SplitMix64] = []
  /// Drawn from the shard's generator (the run's seed) when the run starts.
  private var baseSeed: UInt64 = 0
  /// With stages: publishers started and not yet told to stop, and those stopped (to reuse).
  private var online: [Int] = []
  private var offline = Deque<Int>()
  private var pacer: any Pacer
  /// The pacer's time up to which its changes have been acted on (nil: not even the start's),
  /// and the count it gave then.
  private var pacedUntil: UInt64?
  private var pacedCount = 0
  /// The shard's watchers, when the profile has them.
  private let watchers: WatcherPool?
  /// The removes of `--cleanup` not yet sent: at most ``cleanupWindow`` are outstanding per
  /// shard, the next leaving as one is answered, so that the end does not flood the server
  /// (100 000 removes at once overflow any UDP socket and leave publications behind).
  private var cleanupQueue: [(publisher: Int, request: PublisherStateMachine.Request)] = []
  private var cleanupQueueHead = 0
  static let cleanupWindow = 256
  /// The next publisher to stop once the run is ending (nil before), and how many one stop
  /// event stops at most.
  private var stopCursor: Int?
  static let stopBatch = 4096

  public init(plan: SimulationPlan, shard: Int, shards: Int, runTag: String, instance: RunInstance = .whole) {
    self.plan = plan
    self.shard = shard
    self.runTag = runTag
    self.shards = max(shards, 1)
    self.instance = instance
    let instancePopulation = instance.share(of: plan.population)
    localPopulation = instancePopulation / self.shards + (shard < instancePopulation % self.shards ? 1 : 0)
    let shared = SharedBehaviour(plan.behaviour)
    behaviours =
      plan.events.contains { $0.behaviour != nil }
      ? plan.events.map { $0.behaviour.map(SharedBehaviour.init) ?? shared } : [shared]
    domainText = SIPHost.text(plan.domain)
    pacer = plan.pacer(shard: shard, shards: self.shards, instance: instance)
    watchers = plan.watchers.map { WatcherPool(profile: $0, shard: shard, runTag: runTag) }
    // Room for the whole population at once: growing by doubling would hold the old and the new
    // array together at the peak (untouched capacity costs address space, not memory).
    machines.reserveCapacity(localPopulation)
    versions.reserveCapacity(localPopulation)
    randoms.reserveCapacity(localPopulation)
  }

  public var publisherCapacity: Int { localPopulation }

  public var livePublications: Int { machines.reduce(0) { $0 + ($1.isPublished ? 1 : 0) } }

  public func handle(
    _ event: WorkloadEvent, now: UInt64, random: inout SplitMix64, into changes: inout [WorkloadChange]
  ) {
    switch event {
    case .start:
      startedAt = now
      baseSeed = random.next()
      watchers?.start(at: now)
    case .due:
      watchers?.sweep(now: now)
      pace(now: now, into: &changes)
    case .timer(let publisher):
      changes.append(change(publisher) { $0.timerFired(now: now, using: &$1) })
    case .response(let publisher, let response, _):
      watchers?.changeAnswered(
        publisher: publisher, success: (200..<300).contains(response.statusCode), at: now)
      changes.append(change(publisher) { $0.responseReceived(response, now: now, using: &$1) })
      releaseCleanup(now: now, into: &changes)
    case .failed(let publisher, _):
      watchers?.changeAnswered(publisher: publisher, success: false, at: now)
      changes.append(change(publisher) { machine, _ in machine.requestFailed(now: now) })
      releaseCleanup(now: now, into: &changes)
    case .stop(let cleanup):
      stop(now: now, cleanup: cleanup, into: &changes)
    case .watcherTimer(let watcher): watchers?.timerFired(watcher, now: now)
    case .watcherResponse(let watcher, let response, let latency):
      watchers?.responseReceived(watcher, response, latency: latency, now: now)
    case .watcherFailed(let watcher, let timedOut):
      watchers?.requestFailed(watcher, timedOut: timedOut, now: now)
    }
  }

  /// A publisher's action, marked when it came back from being offline or went offline at the
  /// end of a session (so that the shard counts publishers actually online).
  private func change(
    _ publisher: Int, _ event: (inout PublisherStateMachine, inout SplitMix64) -> PublisherStateMachine.Action
  ) -> WorkloadChange {
    let wasOnline = machines[publisher].isOnline
    let action = injectingFault(into: event(&machines[publisher], &randoms[publisher]), publisher)
    let isOnline = machines[publisher].isOnline
    return WorkloadChange(
      publisher: publisher, action: action, arrived: !wasOnline && isOnline, departed: wasOnline && !isOnline)
  }

  /// Acts on every change the pacer made up to `now`, each at its own time on the scheduling
  /// grid (the intended send time of the initial PUBLISH), then retries a target not yet reached.
  private func pace(now: UInt64, into changes: inout [WorkloadChange]) {
    let elapsed = now - min(now, startedAt)
    var at = pacedUntil ?? 0
    if pacedUntil == nil {
      pacedCount = pacer.count(at: 0)
      follow(pacedCount, at: startedAt, into: &changes)
    } else {
      follow(pacedCount, at: now, into: &changes)
    }
    while let next = pacer.nextChange(after: at), plan.behaviour.onGrid(next) <= elapsed {
      at = next
      pacedCount = pacer.count(at: next)
      follow(pacedCount, at: startedAt + plan.behaviour.onGrid(next), into: &changes)
    }
    pacedUntil = at
  }

  /// Brings the shard to the pacer's count: with stages, that many online (starting or stopping
  /// publishers); otherwise that many arrived, up to the shard's population.
  private func follow(
    _ count: Int, at time: UInt64, into changes: inout [WorkloadChange]
  ) {
    guard plan.stages != nil else {
      while machines.count < min(count, localPopulation) {
        startNew(at: time, into: &changes)
      }
      return
    }
    while online.count < count {
      if let returning = offline.first, machines[returning].hasLeft {
        offline.removeFirst()
        machines[returning] = PublisherStateMachine(sharing: behaviour(of: returning))
        start(returning, at: time, into: &changes)
      } else if machines.count < localPopulation {
        startNew(at: time, into: &changes)
      } else {
        break
      }
    }
    while online.count > count, let publisher = online.popLast() {
      offline.append(publisher)
      changes.append(
        WorkloadChange(publisher: publisher, action: machines[publisher].stop(now: time, cleanup: true)))
    }
  }

  private func startNew(at time: UInt64, into changes: inout [WorkloadChange]) {
    machines.append(PublisherStateMachine(sharing: behaviour(of: machines.count)))
    versions.append(0)
    let global = UInt64(globalNumber(of: machines.count - 1))
    randoms.append(SplitMix64(seed: baseSeed ^ (global &+ 1) &* 0x9E37_79B9_7F4A_7C15))
    if let watchers {
      // The watchers draw from a stream of their own: the publishers decide as without them.
      var random = SplitMix64(seed: baseSeed ^ (global &+ 1) &* 0xD1B5_4A32_D192_ED03)
      let (sender, _) = identity(of: machines.count - 1)
      watchers.addPublisher(
        aor: sender.aor, global: sender.number, package: sender.event, at: time, random: &random)
    }
    start(machines.count - 1, at: time, into: &changes)
  }

  private func start(
    _ publisher: Int, at time: UInt64, into changes: inout [WorkloadChange]
  ) {
    if plan.stages != nil { online.append(publisher) }
    let action = machines[publisher].start(now: time, using: &randoms[publisher])
    changes.append(
      WorkloadChange(publisher: publisher, action: injectingFault(into: action, publisher), arrived: true))
  }

  /// The request with a fault written in now and then (the profile's `faults:`), drawn from the
  /// publisher's own stream.
  private func injectingFault(into action: PublisherStateMachine.Action, _ publisher: Int)
    -> PublisherStateMachine.Action
  {
    guard !plan.faults.isEmpty, case .send(let request) = action,
      let fault = plan.faults.pick(for: request.operation, using: &randoms[publisher]),
      let faulty = machines[publisher].injectFault(fault)
    else { return action }
    return .send(faulty)
  }

  /// Sends the next queued remove of the cleanup, meant to leave now (its wait in the queue is
  /// pubsim's pacing, not the server's latency).
  private func releaseCleanup(now: UInt64, into changes: inout [WorkloadChange]) {
    guard cleanupQueueHead < cleanupQueue.count else { return }
    var (publisher, request) = cleanupQueue[cleanupQueueHead]
    cleanupQueueHead += 1
    request.intendedAt = max(request.intendedAt, now)
    changes.append(WorkloadChange(publisher: publisher, action: .send(request)))
  }

  /// Stops the next batch of publishers; the last batch also sends the cleanup's first removes
  /// and unsubscribes the watchers.
  private func stop(now: UInt64, cleanup: Bool, into changes: inout [WorkloadChange]) {
    let start = stopCursor ?? 0
    let end = min(start + Self.stopBatch, machines.count)
    stopCursor = end
    for publisher in start..<end where !machines[publisher].hasLeft {
      let action = machines[publisher].stop(now: now, cleanup: cleanup)
      if case .send(let request) = action, request.operation == .remove {
        cleanupQueue.append((publisher, request))
      } else {
        changes.append(WorkloadChange(publisher: publisher, action: action))
      }
    }
    guard !stopPending else { return }
    for _ in 0..<Self.cleanupWindow { releaseCleanup(now: now, into: &changes) }
    watchers?.stop(now: now)
  }

  public var stopPending: Bool { stopCursor.map { $0 < machines.count } ?? false }

  /// A profile runs for its duration.
  public var isFinished: Bool { false }

  /// The pacer's next change; every 10 ms while stages wait for stopped publishers to finish
  /// leaving before they can come back.
  public func nextDue(now: UInt64) -> UInt64 {
    min(nextArrival(now: now), watchers?.nextDue ?? .max)
  }

  private func nextArrival(now: UInt64) -> UInt64 {
    guard let pacedUntil else { return startedAt }
    if plan.stages == nil && machines.count >= localPopulation { return .max }
    if plan.stages != nil && online.count < pacedCount && machines.count >= localPopulation {
      return now + 10_000_000
    }
    guard let next = pacer.nextChange(after: pacedUntil) else { return .max }
    return startedAt + plan.behaviour.onGrid(next)
  }

  public func outgoing(_ request: PublisherStateMachine.Request, publisher: Int) -> Outgoing {
    let (sender, entry) = identity(of: publisher)
    guard request.operation == .initial || request.operation == .modify else {
      return Outgoing(identity: sender, body: [])
    }
    if request.operation == .modify { versions[publisher] &+= 1 }
    let marker = watchers?.changeSent(publisher: publisher, intendedAt: request.intendedAt)
    return Outgoing(
      identity: sender,
      body: plan.events[entry].body(
        aor: sender.aor, number: sender.number, version: Int(versions[publisher]), marker: marker))
  }

  /// How publisher `publisher` of this shard behaves: as its event entry says, or as the profile.
  private func behaviour(of publisher: Int) -> SharedBehaviour {
    guard behaviours.count > 1 else { return behaviours[0] }
    return behaviours[EventMix.position(in: plan.events, index: globalNumber(of: publisher))]
  }

  /// The test's number of publisher `publisher` of this shard: shards deal the instance's
  /// publishers round-robin, and instances deal the test's.
  private func globalNumber(of publisher: Int) -> Int { instance.global(publisher * shards + shard) }

  /// Who publisher `publisher` of this shard is, and which event entry it publishes.
  private func identity(of publisher: Int) -> (PublisherIdentity, entry: Int) {
    let global = globalNumber(of: publisher)
    let identity = plan.identities.identity(at: global)
    let entry = EventMix.position(in: plan.events, index: global)
    let sender = PublisherIdentity(
      user: identity.user, uriDomain: identity.domain.map(SIPHost.text) ?? domainText, number: global,
      runTag: runTag, event: plan.events[entry].package, contentType: plan.events[entry].contentType,
      password: identity.password)
    return (sender, entry)
  }

  // MARK: Watchers

  public var watcherCapacity: Int {
    guard let profile = plan.watchers else { return 0 }
    return max(1, Int((Double(localPopulation) * profile.perPresentity.mean).rounded(.up)))
  }

  public func subscription(_ request: WatcherStateMachine.Request, watcher: Int) -> SubscribeOutgoing {
    guard let watchers else { preconditionFailure("a SUBSCRIBE asked of a run without watchers") }
    return watchers.subscription(request, watcher: watcher, domain: plan.domain)
  }

  public func takeWatcherChanges(into changes: inout [WatcherChange]) {
    watchers?.takeChanges(into: &changes)
  }

  public func incoming(_ request: SIPMessage, receivedAt: UInt64, now: UInt64) -> Int {
    watchers?.incoming(request, receivedAt: receivedAt, now: now) ?? 481
  }

  public var expectsIncoming: Bool { watchers?.expectsIncoming ?? false }

  public func awaitsIncoming(now: UInt64) -> Bool { watchers?.awaitsIncoming(now: now) ?? false }

  public func watcherMetrics(final: Bool) -> WatcherMetrics? { watchers?.report(final: final) }
}

extension LoadEngine where W == SimulatedWorkload {
  /// A run of a profile's simulated population.
  public convenience init(plan: LoadPlan, simulation: SimulationPlan) {
    self.init(plan: plan) { shard, runTag in
      SimulatedWorkload(
        plan: simulation, shard: shard, shards: plan.shards, runTag: runTag, instance: plan.instance)
    }
  }
}
