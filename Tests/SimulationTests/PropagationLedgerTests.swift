import Measurements
import Testing

@testable import Simulation

/// The bookkeeping behind run.json's `notify`: which changes each watcher is owed and what the
/// NOTIFYs brought, told apart as received, superseded, duplicate, stale and missing.
@Suite("Propagation ledger")
struct PropagationLedgerTests {
  static let ms: UInt64 = 1_000_000

  /// One publisher (0) watched by two watchers (0, 1).
  static func ledger() -> PropagationLedger {
    var ledger = PropagationLedger()
    ledger.addPublisher()
    ledger.addWatcher(of: 0)
    ledger.addWatcher(of: 0)
    return ledger
  }

  @Test func aChangeIsOwedToEachWatcherAndMeasuredFromItsIntendedSendAndItsAnswer() {
    var ledger = Self.ledger()
    var metrics = WatcherMetrics(startedAt: 0)
    let change = ledger.changeSent(publisher: 0, intendedAt: 10 * Self.ms, owing: [0, 1], metrics: &metrics)
    ledger.changeAnswered(publisher: 0, success: true, at: 12 * Self.ms, watchers: [0, 1], metrics: &metrics)
    ledger.notified(watcher: 0, publisher: 0, change: change, receivedAt: 15 * Self.ms, metrics: &metrics)
    // Before the 2xx (as Kamailio sends them): no latency from the answer.
    ledger.notified(watcher: 1, publisher: 0, change: change, receivedAt: 11 * Self.ms, metrics: &metrics)
    #expect(metrics.notify.expected == 2 && metrics.notify.received == 2 && ledger.owedCount == 0)
    #expect(
      metrics.latency.count == 2 && metrics.latencyFromAnswer.count == 1 && metrics.notify.beforeAnswer == 1)
    #expect(metrics.latencyFromAnswer.micros(atPercentile: 50) / 100 == 30)
  }

  @Test func aNewerStateSupersedesTheOlderAndRepeatsAreTold() {
    var ledger = Self.ledger()
    var metrics = WatcherMetrics(startedAt: 0)
    let first = ledger.changeSent(publisher: 0, intendedAt: 0, owing: [0], metrics: &metrics)
    ledger.changeAnswered(publisher: 0, success: true, at: Self.ms, watchers: [0, 1], metrics: &metrics)
    let second = ledger.changeSent(publisher: 0, intendedAt: 2 * Self.ms, owing: [0], metrics: &metrics)
    ledger.changeAnswered(publisher: 0, success: true, at: 3 * Self.ms, watchers: [0, 1], metrics: &metrics)
    ledger.notified(watcher: 0, publisher: 0, change: second, receivedAt: 4 * Self.ms, metrics: &metrics)
    ledger.notified(watcher: 0, publisher: 0, change: second, receivedAt: 5 * Self.ms, metrics: &metrics)
    ledger.notified(watcher: 0, publisher: 0, change: first, receivedAt: 6 * Self.ms, metrics: &metrics)
    // After a SUBSCRIBE, the state again is what is due, not a duplicate.
    ledger.subscribing(0)
    ledger.notified(watcher: 0, publisher: 0, change: second, receivedAt: 7 * Self.ms, metrics: &metrics)
    #expect(metrics.notify.received == 1 && metrics.notify.superseded == 1)
    #expect(metrics.notify.duplicates == 1 && metrics.notify.stale == 1)
  }

  /// A refresh's NOTIFY can come after a change's: it brings that change again, and is due.
  @Test func theStateAfterARefreshIsNotADuplicateWhateverComesBetween() {
    var ledger = Self.ledger()
    var metrics = WatcherMetrics(startedAt: 0)
    ledger.subscribing(0)
    ledger.notified(watcher: 0, publisher: 0, change: nil, receivedAt: Self.ms, metrics: &metrics)
    ledger.subscribing(0)
    let change = ledger.changeSent(publisher: 0, intendedAt: 2 * Self.ms, owing: [0], metrics: &metrics)
    ledger.notified(watcher: 0, publisher: 0, change: change, receivedAt: 3 * Self.ms, metrics: &metrics)
    ledger.notified(watcher: 0, publisher: 0, change: change, receivedAt: 4 * Self.ms, metrics: &metrics)
    #expect(metrics.notify.received == 1 && metrics.notify.duplicates == 0)
    ledger.notified(watcher: 0, publisher: 0, change: change, receivedAt: 5 * Self.ms, metrics: &metrics)
    #expect(metrics.notify.duplicates == 1)
  }

  @Test func failedPublishesAndLostSubscriptionsOweNothingAndTheRestGoesMissingAfterTheGrace() {
    var ledger = Self.ledger()
    var metrics = WatcherMetrics(startedAt: 0)
    _ = ledger.changeSent(publisher: 0, intendedAt: 0, owing: [0, 1], metrics: &metrics)
    ledger.changeAnswered(publisher: 0, success: false, at: Self.ms, watchers: [0, 1], metrics: &metrics)
    #expect(metrics.notify.expected == 0 && ledger.owedCount == 0)
    _ = ledger.changeSent(publisher: 0, intendedAt: 2 * Self.ms, owing: [0, 1], metrics: &metrics)
    ledger.subscriptionLost(1, metrics: &metrics)
    // Not missing while its PUBLISH is outstanding, whatever the time.
    ledger.sweep(now: 5_000 * Self.ms, grace: 1_000 * Self.ms, metrics: &metrics)
    #expect(metrics.notify.missing == 0)
    ledger.changeAnswered(publisher: 0, success: true, at: 3 * Self.ms, watchers: [0, 1], metrics: &metrics)
    #expect(metrics.notify.expected == 1)
    #expect(ledger.awaits(now: 100 * Self.ms, grace: 1_000 * Self.ms))
    ledger.sweep(now: 500 * Self.ms, grace: 1_000 * Self.ms, metrics: &metrics)
    #expect(metrics.notify.missing == 0)
    ledger.sweep(now: 1_500 * Self.ms, grace: 1_000 * Self.ms, metrics: &metrics)
    #expect(metrics.notify.missing == 1 && !ledger.awaits(now: 1_500 * Self.ms, grace: 1_000 * Self.ms))
  }

  @Test func theMarkerIsFoundInAComposedBodyAndOnlyForItsPublisher() {
    let body = Array(
      ("<presence><tuple id=\"a\"><note>away v1 pubsim:r1:12:3</note></tuple>"
        + "<tuple id=\"b\"><note>available v2 pubsim:r1:1:7</note></tuple>"
        + "<tuple><note>pubsim:r0:1:9 pubsim:r1:1:5</note></tuple></presence>").utf8)
    #expect(PropagationMarker.newestChange(in: body, run: "r1", publisher: 1) == 7)
    #expect(PropagationMarker.newestChange(in: body, run: "r1", publisher: 12) == 3)
    #expect(PropagationMarker.newestChange(in: body, run: "r1", publisher: 2) == nil)
    #expect(PropagationMarker.newestChange(in: Array("pubsim:r1:1:".utf8), run: "r1", publisher: 1) == nil)
  }
}
