import HeapModule
import Measurements
import Publication
import Replay
import Simulation

/// A recorded trace on one shard: this shard's share of the live publishers (every recorded
/// publisher, once per copy), each a ``ReplayPublisher``, started when its first step falls due.
/// Every outcome goes into the fidelity figures and, up to a bound, into the per-transaction list.
/// Touched only on its shard's event loop.
final class ReplayWorkload: ShardWorkload, @unchecked Sendable {
  /// The next publisher to start for one copy: copies start in a merged time order.
  struct Arrival: Comparable {
    var due: UInt64
    var copy: Int
    var recorded: Int

    static func < (lhs: Arrival, rhs: Arrival) -> Bool { (lhs.due, lhs.copy) < (rhs.due, rhs.copy) }
  }

  let script: ReplayScript
  private let shard: Int
  private let shards: Int
  private let runTag: String
  private let credentials: [String: String]
  private let outcomeLimit: Int
  private var origin: UInt64 = 0
  private var arrivals = Heap<Arrival>()
  private var publishers: [ReplayPublisher] = []
  /// Each live publisher's identity, made once when it arrives (the Content-Type is set per
  /// request, from the body it carries).
  private var identities: [RequestWriter.Publisher] = []
  private var pending: [ReplayOutcome] = []
  private(set) var fidelity = FidelityMetrics()
  private(set) var outcomes: [ReplayOutcome] = []
  /// Outcomes beyond ``outcomeLimit`` (counted in the fidelity figures, not listed).
  private(set) var unlistedOutcomes = 0
  private var left = 0

  /// - Parameters:
  ///   - credentials: passwords by live user (or, failing that, recorded user).
  ///   - outcomeLimit: most per-transaction outcomes this shard keeps.
  init(
    script: ReplayScript, shard: Int, shards: Int, runTag: String, credentials: [String: String],
    outcomeLimit: Int
  ) {
    self.script = script
    self.shard = shard
    self.shards = max(shards, 1)
    self.runTag = runTag
    self.credentials = credentials
    self.outcomeLimit = outcomeLimit
  }

  /// Publishers are dealt round-robin: this shard gets every `shards`-th from its own number.
  var publisherCapacity: Int {
    let total = script.publishers.count * max(script.options.scale, 1)
    return total > shard ? (total - shard + shards - 1) / shards : 0
  }

  var livePublications: Int { publishers.reduce(0) { $0 + $1.livePublications } }

  func start(at startedAt: UInt64) {
    origin = startedAt
    let recordedCount = script.publishers.count
    guard recordedCount > 0 else { return }
    publishers.reserveCapacity(publisherCapacity)
    identities.reserveCapacity(publisherCapacity)
    for copy in 0..<max(script.options.scale, 1) {
      // Publisher (copy, recorded) is number copy × recordedCount + recorded, dealt round-robin.
      let first = ((shard - copy * recordedCount) % shards + shards) % shards
      if first < recordedCount { arrivals.insert(arrival(copy: copy, recorded: first)) }
    }
  }

  private func arrival(copy: Int, recorded: Int) -> Arrival {
    let step = Int(script.publishers[recorded].steps[0])
    return Arrival(
      due: origin + script.time(ofStep: step, copy: copy, loop: 0), copy: copy, recorded: recorded)
  }

  func arrivals(now: UInt64, random: inout SplitMix64, into changes: inout [Change]) {
    while let next = arrivals.min, next.due <= now {
      _ = arrivals.removeMin()
      if next.recorded + shards < script.publishers.count {
        arrivals.insert(arrival(copy: next.copy, recorded: next.recorded + shards))
      }
      var publisher = ReplayPublisher(recorded: Int32(next.recorded), copy: Int32(next.copy))
      identities.append(identity(recorded: next.recorded, copy: next.copy))
      let action = publisher.start(now: now, origin: origin, script: script, outcomes: &pending)
      publishers.append(publisher)
      changes.append((publishers.count - 1, action, true))
      settle(publishers.count - 1, wasLeft: false)
    }
  }

  func nextArrival(now: UInt64) -> UInt64 { arrivals.min?.due ?? .max }

  var isFinished: Bool { arrivals.isEmpty && left == publishers.count }

  func timerFired(publisher: Int, now: UInt64, random: inout SplitMix64) -> Action {
    let wasLeft = publishers[publisher].hasLeft
    let action = publishers[publisher].timerFired(
      now: now, origin: origin, script: script, outcomes: &pending)
    settle(publisher, wasLeft: wasLeft)
    return action
  }

  func responseReceived(
    publisher: Int, response: PublisherStateMachine.Response, latency: UInt64, now: UInt64,
    random: inout SplitMix64
  ) -> Action {
    let wasLeft = publishers[publisher].hasLeft
    let action = publishers[publisher].responseReceived(
      response, latency: latency, now: now, origin: origin, script: script,
      canAuthenticate: identities[publisher].password != nil, outcomes: &pending)
    settle(publisher, wasLeft: wasLeft)
    return action
  }

  func requestFailed(publisher: Int, timedOut: Bool, now: UInt64) -> Action {
    let wasLeft = publishers[publisher].hasLeft
    let action = publishers[publisher].requestFailed(
      now: now, timedOut: timedOut, origin: origin, script: script, outcomes: &pending)
    settle(publisher, wasLeft: wasLeft)
    return action
  }

  func stop(now: UInt64, cleanup: Bool, into changes: inout [Change]) {
    arrivals = Heap()
    for publisher in publishers.indices where !publishers[publisher].hasLeft {
      changes.append((publisher, publishers[publisher].stop(now: now, cleanup: cleanup), false))
      settle(publisher, wasLeft: false)
    }
  }

  func identity(of publisher: Int) -> RequestWriter.Publisher {
    var identity = identities[publisher]
    if let step = publishers[publisher].bodyStep, step >= 0,
      let recordedType = script.steps[Int(step)].contentType
    {
      identity.contentType = recordedType
    }
    return identity
  }

  /// Copy `copy` of recorded publisher `recorded`: its live user, domain, Call-ID number, event
  /// package, the package's usual Content-Type, and its password when the credentials have one.
  private func identity(recorded: Int, copy: Int) -> RequestWriter.Publisher {
    let template = script.publishers[recorded]
    let user = script.options.user(template.user, copy: copy)
    return RequestWriter.Publisher(
      user: user, domain: script.options.domain, number: copy * script.publishers.count + recorded,
      runTag: runTag, event: template.event,
      contentType: BodyTemplate.defaults(for: template.event).contentType,
      password: credentials[user] ?? credentials[template.user])
  }

  func body(
    for request: PublisherStateMachine.Request, publisher: Int, identity: RequestWriter.Publisher
  ) -> [UInt8] {
    guard let step = publishers[publisher].bodyStep else { return [] }
    guard step >= 0 else {
      return BodyTemplate.defaults(for: identity.event).template.render(aor: identity.aor, version: 0)
    }
    return script.steps[Int(step)].body
  }

  /// Takes the outcomes a publisher just produced into the figures, and counts it out if it left.
  private func settle(_ publisher: Int, wasLeft: Bool) {
    for outcome in pending { account(outcome) }
    pending.removeAll(keepingCapacity: true)
    if publishers[publisher].hasLeft && !wasLeft { left += 1 }
  }

  private func account(_ outcome: ReplayOutcome) {
    let step = script.steps[Int(outcome.step)]
    let skipped = outcome.live == .skipped
    fidelity.record(
      operation: step.operation?.rawValue ?? "unclassified", recordedStatus: step.recordedStatus,
      recordedLatencyMicros: step.recordedLatencyMicros, live: outcome.liveStatus,
      liveLatencyMicros: outcome.latencyMicros, skipped: skipped,
      reinitiated: outcome.operation == .initial && step.operation != .initial && step.operation != nil)
    if outcomes.count < outcomeLimit {
      outcomes.append(outcome)
    } else {
      unlistedOutcomes += 1
    }
  }
}
