import Engine
import Measurements
import Profiles
import Publication
import SIPCore

/// A shard's watchers: each subscribes to one presentity (a publisher of the watched package in
/// the same shard, so that what it was published and what it is notified meet here without a
/// lock), follows ``WatcherStateMachine``, answers its NOTIFYs, and reports to the
/// ``PropagationLedger`` which changes arrived.
///
/// A watcher's dialogs are named by its number: Call-ID `pubsim-RUN-wSHARD.WATCHER.DIALOG`, so
/// a NOTIFY finds its watcher without a table.
final class WatcherPool {
  private let profile: WatcherProfile
  private let shard: Int
  private let runTag: String
  private var machines: [WatcherStateMachine] = []
  /// The local publisher each watcher watches, and each publisher's watchers.
  private var presentity: [Int32] = []
  private var watchersOf: [[Int]] = []
  private var randoms: [SplitMix64] = []
  /// The CSeq of the last NOTIFY handled per watcher, and its dialog (a UDP retransmission comes
  /// again with the same).
  private var lastNotify: [(dialog: UInt32, cseq: UInt32)] = []
  private var ledger = PropagationLedger()
  private var metrics = WatcherMetrics(startedAt: 0)
  private var changes: [WatcherChange] = []
  private var nextSweep: UInt64 = .max
  /// Watchers that have left the run (each leaves once).
  private var leftCount = 0
  /// At the end, at most this many unsubscribes are outstanding per shard, the next leaving as
  /// one is answered: a notifier flooded with every watcher's unsubscribe (and the final NOTIFY
  /// each brings) at once would drop some, and the end would measure that, not the run.
  static let unsubscribeWindow = 32
  /// Watchers waiting for their turn to unsubscribe at the end.
  private var stopQueue: [Int] = []
  private var stopQueueHead = 0
  /// What a watcher needs of its presentity: its address (`user@domain`) and number in the run.
  private var addresses: [(aor: String, global: Int)] = []

  init(profile: WatcherProfile, shard: Int, runTag: String) {
    self.profile = profile
    self.shard = shard
    self.runTag = runTag
  }

  var watcherCount: Int { machines.count }

  func start(at time: UInt64) {
    metrics.startedAt = time
    nextSweep = time + 1_000_000_000
  }

  /// A publisher is created: it gets its watchers if it publishes the watched package, each
  /// subscribing after its own arrival delay.
  func addPublisher(
    aor: String, global: Int, package: String, at time: UInt64, random: inout SplitMix64
  ) {
    ledger.addPublisher()
    addresses.append((aor, global))
    let publisher = watchersOf.count
    watchersOf.append([])
    guard package == profile.behaviour.package else { return }
    let count = profile.perPresentity.sample(using: &random)
    for _ in 0..<count {
      let watcher = machines.count
      var stream = SplitMix64(seed: random.next())
      var machine = WatcherStateMachine(behaviour: profile.behaviour)
      let action = machine.start(
        at: WatcherStateMachine.later(time, profile.behaviour.arrival.sample(using: &stream)))
      machines.append(machine)
      randoms.append(stream)
      presentity.append(Int32(publisher))
      lastNotify.append((0, 0))
      ledger.addWatcher(of: publisher)
      watchersOf[publisher].append(watcher)
      metrics.watchers += 1
      changes.append(WatcherChange(watcher: watcher, action: action))
    }
  }

  // MARK: Publishers' changes

  /// The marker for the body a publisher is about to send (nil: nobody watches it).
  func changeSent(publisher: Int, intendedAt: UInt64) -> String? {
    guard !watchersOf[publisher].isEmpty else { return nil }
    let owing = watchersOf[publisher].filter { machines[$0].isSubscribed }
    let number = ledger.changeSent(
      publisher: publisher, intendedAt: intendedAt, owing: owing, metrics: &metrics)
    return PropagationMarker.text(run: runTag, publisher: addresses[publisher].global, change: number)
  }

  func changeAnswered(publisher: Int, success: Bool, at time: UInt64) {
    guard !watchersOf[publisher].isEmpty else { return }
    ledger.changeAnswered(
      publisher: publisher, success: success, at: time, watchers: watchersOf[publisher], metrics: &metrics)
  }

  // MARK: Watchers' events

  func timerFired(_ watcher: Int, now: UInt64) {
    act(watcher, machines[watcher].timerFired(now: now, using: &randoms[watcher]), .none)
  }

  func responseReceived(
    _ watcher: Int, _ response: WatcherStateMachine.Response, latency: UInt64, now: UInt64
  ) {
    metrics.recordSubscribeResponse(statusCode: response.statusCode, latency: latency)
    let (action, outcome) = machines[watcher].responseReceived(response, now: now, using: &randoms[watcher])
    act(watcher, action, outcome)
    if outcome == .ended { unsubscribeNext(now: now) }
  }

  func requestFailed(_ watcher: Int, timedOut: Bool, now: UInt64) {
    if timedOut { metrics.recordSubscribeTimeout() }
    let (action, outcome) = machines[watcher].requestFailed(now: now, using: &randoms[watcher])
    act(watcher, action, outcome)
    if outcome == .ended { unsubscribeNext(now: now) }
  }

  func stop(now: UInt64) {
    for watcher in machines.indices where !machines[watcher].hasLeft {
      if machines[watcher].isSubscribed && !machines[watcher].isInFlight {
        stopQueue.append(watcher)
      } else {
        act(watcher, machines[watcher].stop(now: now), .none)
      }
    }
    for _ in 0..<Self.unsubscribeWindow { unsubscribeNext(now: now) }
  }

  /// Ends the next queued watcher's subscription; one that sends nothing now (it left, or a
  /// request of its own is outstanding and ends it when answered) takes no place in the window.
  private func unsubscribeNext(now: UInt64) {
    while stopQueueHead < stopQueue.count {
      let watcher = stopQueue[stopQueueHead]
      stopQueueHead += 1
      let action = machines[watcher].stop(now: now)
      act(watcher, action, .none)
      if case .send = action { return }
    }
  }

  /// A request from the server: a NOTIFY in a watcher's dialog is answered 200 and read; a
  /// retransmission of one already answered is answered again, and not read twice.
  func incoming(_ request: SIPMessage, receivedAt: UInt64, now: UInt64) -> Int {
    guard request.method == .notify else { return 405 }
    guard let (watcher, dialog) = dialog(of: request.headers[.callID]),
      dialog == machines[watcher].currentDialog, machines[watcher].acceptsNotify
    else {
      metrics.notify.unknownDialog += 1
      return 481
    }
    let cseq = request.cseq?.sequence ?? 0
    if lastNotify[watcher].dialog == dialog && cseq <= lastNotify[watcher].cseq {
      metrics.notify.retransmitted += 1
      return 200
    }
    lastNotify[watcher] = (dialog, cseq)
    metrics.notify.notifies += 1
    let publisher = Int(presentity[watcher])
    ledger.notified(
      watcher: watcher, publisher: publisher,
      change: PropagationMarker.newestChange(
        in: request.body, run: runTag, publisher: addresses[publisher].global),
      receivedAt: receivedAt, metrics: &metrics)
    let state = WatcherStateMachine.NotifiedState(
      request.headers[SIPHeaderName("Subscription-State")] ?? "active")
    let fromTag = request.headers[.from].flatMap(NameAddress.init)?.tag
    let (action, outcome) = machines[watcher].notified(
      state, fromTag: fromTag, now: now, using: &randoms[watcher])
    act(watcher, action, outcome)
    return 200
  }

  // MARK: Requests

  func subscription(_ request: WatcherStateMachine.Request, watcher: Int, domain: String) -> SubscribeOutgoing
  {
    let watched = addresses[Int(presentity[watcher])].aor
    let name = "w\(shard).\(watcher).\(request.dialog)"
    return SubscribeOutgoing(
      requestURI: "sip:" + watched, watcher: "sip:pubsim-w\(shard)x\(watcher)@" + domain,
      presentity: "sip:" + watched,
      fromTag: "p" + name, callID: "pubsim-\(runTag)-" + name, event: profile.behaviour.package,
      accept: profile.behaviour.accept)
  }

  func takeChanges(into out: inout [WatcherChange]) {
    out.append(contentsOf: changes)
    changes.removeAll(keepingCapacity: true)
  }

  // MARK: Time

  var nextDue: UInt64 { nextSweep }

  /// Once a second: owed changes past the grace period are missing.
  func sweep(now: UInt64) {
    guard now >= nextSweep else { return }
    nextSweep = now + 1_000_000_000
    ledger.sweep(now: now, grace: profile.grace, metrics: &metrics)
  }

  var expectsIncoming: Bool { leftCount < machines.count }

  func awaitsIncoming(now: UInt64) -> Bool {
    ledger.awaits(now: now, grace: profile.grace) || leftCount < machines.count
  }

  func report(final: Bool) -> WatcherMetrics {
    if final { ledger.finish(metrics: &metrics) }
    return metrics
  }

  // MARK: Steps

  private func act(
    _ watcher: Int, _ action: WatcherStateMachine.Action, _ outcome: WatcherStateMachine.Outcome
  ) {
    metrics.record(outcome)
    switch outcome {
    case .failed where !machines[watcher].isSubscribed, .terminated:
      ledger.subscriptionLost(watcher, metrics: &metrics)
    case .failed:
      // Refused and sent again (423): the refused one brings no NOTIFY.
      ledger.subscribeRefused(watcher)
    case .ended:
      ledger.subscriptionLost(watcher, finalNotifyDue: true, metrics: &metrics)
    default: break
    }
    if case .send = action { ledger.subscribing(watcher) }
    if action == .leave { leftCount += 1 }
    if action != .none { changes.append(WatcherChange(watcher: watcher, action: action)) }
  }

  /// The watcher and dialog a Call-ID of this shard's names; nil for any other.
  private func dialog(of callID: String?) -> (watcher: Int, dialog: UInt32)? {
    let prefix = "pubsim-\(runTag)-w\(shard)."
    guard let callID, callID.hasPrefix(prefix) else { return nil }
    let parts = callID.dropFirst(prefix.count).split(separator: ".")
    guard parts.count == 2, let index = UInt(parts[0]), index < UInt(machines.count),
      let dialog = UInt32(parts[1])
    else { return nil }
    return (Int(index), dialog)
  }
}
