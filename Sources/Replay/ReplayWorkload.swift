import Engine
import HeapModule
import Measurements
import Profiles
import Publication
import SIPCore

/// A recorded trace on one shard: this shard's share of the live publishers (every recorded
/// publisher, once per copy), each a ``ReplayPublisher``, started when its first step falls due.
/// Every outcome goes into the fidelity figures and, up to a bound, into the per-transaction list.
/// Touched only on its shard's event loop.
public final class ReplayWorkload: Workload, @unchecked Sendable {
  /// What a replay adds to its run: the fidelity figures and the per-transaction outcomes (in
  /// due order).
  public struct Report: Sendable {
    public var fidelity = FidelityMetrics()
    public var outcomes: [ReplayOutcome] = []
    /// Outcomes counted in ``fidelity`` but not listed (beyond the bound).
    public var unlistedOutcomes = 0
  }

  /// A recorded dialog as one live publisher plays it: a loop plays it again as a new one.
  struct LiveDialog: Equatable {
    var callID: String?
    var loop: Int32
  }

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
  private var identities: [PublisherIdentity] = []
  /// Each live publisher's last recorded dialog and the CSeq it last sent in it.
  private var dialogs: [(dialog: LiveDialog, cseq: UInt32)?] = []
  private var pending: [ReplayOutcome] = []
  private var fidelity = FidelityMetrics()
  private var outcomes: [ReplayOutcome] = []
  /// Outcomes beyond ``outcomeLimit`` (counted in the fidelity figures, not listed).
  private var unlistedOutcomes = 0
  private var left = 0

  /// - Parameters:
  ///   - credentials: passwords by live user (or, failing that, recorded user).
  ///   - outcomeLimit: most per-transaction outcomes this shard keeps.
  public init(
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
  public var publisherCapacity: Int {
    let total = script.publishers.count * max(script.options.scale, 1)
    return total > shard ? (total - shard + shards - 1) / shards : 0
  }

  public var livePublications: Int { publishers.reduce(0) { $0 + $1.livePublications } }

  public func handle(
    _ event: WorkloadEvent, now: UInt64, random: inout SplitMix64, into changes: inout [WorkloadChange]
  ) {
    switch event {
    case .start: start(at: now)
    case .due: arrivals(now: now, into: &changes)
    case .timer(let publisher):
      react(publisher, into: &changes) {
        $0.timerFired(now: now, origin: origin, script: script, outcomes: &$1)
      }
    case .response(let publisher, let response, let latency):
      let canAuthenticate = identities[publisher].password != nil
      react(publisher, into: &changes) {
        $0.responseReceived(
          response, latency: latency, now: now, origin: origin, script: script,
          canAuthenticate: canAuthenticate,
          outcomes: &$1)
      }
    case .failed(let publisher, let timedOut):
      react(publisher, into: &changes) {
        $0.requestFailed(now: now, timedOut: timedOut, origin: origin, script: script, outcomes: &$1)
      }
    case .stop(let cleanup): stop(now: now, cleanup: cleanup, into: &changes)
    case .watcherTimer, .watcherResponse, .watcherFailed: break  // a replay has no watchers
    }
  }

  /// One publisher's reaction, with its outcomes taken into the figures.
  private func react(
    _ publisher: Int, into changes: inout [WorkloadChange],
    _ body: (inout ReplayPublisher, inout [ReplayOutcome]) -> PublisherStateMachine.Action
  ) {
    let wasLeft = publishers[publisher].hasLeft
    let action = body(&publishers[publisher], &pending)
    settle(publisher, wasLeft: wasLeft)
    changes.append(WorkloadChange(publisher: publisher, action: action))
  }

  private func start(at startedAt: UInt64) {
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

  private func arrivals(now: UInt64, into changes: inout [WorkloadChange]) {
    while let next = arrivals.min, next.due <= now {
      _ = arrivals.removeMin()
      if next.recorded + shards < script.publishers.count {
        arrivals.insert(arrival(copy: next.copy, recorded: next.recorded + shards))
      }
      var publisher = ReplayPublisher(recorded: Int32(next.recorded), copy: Int32(next.copy))
      identities.append(identity(recorded: next.recorded, copy: next.copy))
      dialogs.append(nil)
      let action = publisher.start(now: now, origin: origin, script: script, outcomes: &pending)
      publishers.append(publisher)
      changes.append(WorkloadChange(publisher: publishers.count - 1, action: action, arrived: true))
      settle(publishers.count - 1, wasLeft: false)
    }
  }

  public func nextDue(now: UInt64) -> UInt64 { arrivals.min?.due ?? .max }

  public var isFinished: Bool { arrivals.isEmpty && left == publishers.count }

  public var report: Report {
    Report(fidelity: fidelity, outcomes: outcomes, unlistedOutcomes: unlistedOutcomes)
  }

  public static func merge(_ reports: [Report]) -> Report {
    var merged = Report()
    for report in reports {
      merged.fidelity.merge(report.fidelity)
      merged.outcomes += report.outcomes
      merged.unlistedOutcomes += report.unlistedOutcomes
    }
    merged.outcomes.sort { ($0.dueAt, $0.copy, $0.step) < ($1.dueAt, $1.copy, $1.step) }
    return merged
  }

  private func stop(now: UInt64, cleanup: Bool, into changes: inout [WorkloadChange]) {
    arrivals = Heap()
    for publisher in publishers.indices where !publishers[publisher].hasLeft {
      changes.append(
        WorkloadChange(publisher: publisher, action: publishers[publisher].stop(now: now, cleanup: cleanup)))
      settle(publisher, wasLeft: false)
    }
  }

  public func outgoing(_ request: PublisherStateMachine.Request, publisher: Int) -> Outgoing {
    var identity = identities[publisher]
    let recorded = recordedRequest(publisher: publisher)
    guard let step = publishers[publisher].bodyStep else {
      return Outgoing(identity: identity, body: [], recorded: recorded)
    }
    guard step >= 0 else {
      let body = BodyTemplate.defaults(for: identity.event).template.render(aor: identity.aor, version: 0)
      return Outgoing(identity: identity, body: body)
    }
    if let recordedType = script.steps[Int(step)].contentType { identity.contentType = recordedType }
    return Outgoing(identity: identity, body: script.steps[Int(step)].body, recorded: recorded)
  }

  /// The request in flight in its recorded form, in the live dialog that stands for its
  /// recorded one: the recorded Call-ID with the run, the live publisher and the loop appended,
  /// and a CSeq that keeps the recorded number unless that would not rise within the dialog (a
  /// request the recording does not hold, such as an answer to a live challenge, came between).
  private func recordedRequest(publisher: Int) -> RecordedRequest? {
    let player = publishers[publisher]
    guard let step = player.formStep, let form = script.steps[Int(step)].form else { return nil }
    let key = LiveDialog(callID: form.callID, loop: player.loop)
    var cseq = form.cseq ?? 1
    if let last = dialogs[publisher], last.dialog == key, last.cseq < UInt32.max {
      cseq = max(cseq, last.cseq + 1)
    }
    dialogs[publisher] = (key, cseq)
    var dialog = runTag + "-" + String(identities[publisher].number)
    if player.loop > 0 { dialog += "-" + String(player.loop) }
    return RecordedRequest(form: form, dialog: dialog, cseq: cseq)
  }

  /// Copy `copy` of recorded publisher `recorded`: its live user, domain, Call-ID number, event
  /// package, the package's usual Content-Type, and its password when the credentials have one.
  private func identity(recorded: Int, copy: Int) -> PublisherIdentity {
    let template = script.publishers[recorded]
    let user = script.options.user(template.user, copy: copy)
    return PublisherIdentity(
      user: user, domain: script.options.domain, number: copy * script.publishers.count + recorded,
      runTag: runTag, event: template.event,
      contentType: BodyTemplate.defaults(for: template.event).contentType,
      password: credentials[user] ?? credentials[template.user])
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

extension LoadEngine where W == ReplayWorkload {
  /// A replay of a recorded trace. `credentials` are passwords by user, to answer live digest
  /// challenges; at most `outcomeLimit` per-transaction outcomes are kept.
  public convenience init(
    plan: LoadPlan, replay script: ReplayScript, credentials: [String: String] = [:],
    outcomeLimit: Int = 2_000_000
  ) {
    self.init(plan: plan) { shard, runTag in
      // An instance's shard deals the publishers of its slot of the whole test.
      let (slot, slots) = plan.instance.slot(shard: shard, shards: plan.shards)
      return ReplayWorkload(
        script: script, shard: slot, shards: slots, runTag: runTag, credentials: credentials,
        outcomeLimit: outcomeLimit / max(plan.shards, 1))
    }
  }
}
