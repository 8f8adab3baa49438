import SIPCore
import Testing

@testable import Publication

/// A watcher as RFC 6665 describes a subscriber: subscribe, refresh in the dialog before the
/// granted lifetime ends, a new dialog after 481 or an inviting `terminated`, no retry after
/// 489 or `rejected`, Min-Expires after 423, and Expires 0 at the end.
@Suite("Watcher state machine")
struct WatcherStateMachineTests {
  static let second: UInt64 = 1_000_000_000

  static func started(_ behaviour: WatcherBehaviour = WatcherBehaviour(requestedExpires: 600)) -> (
    WatcherStateMachine, WatcherStateMachine.Request
  ) {
    var machine = WatcherStateMachine(behaviour: behaviour)
    var random = SplitMix64(seed: 1)
    #expect(machine.start(at: 0) == .wakeUp(at: 0))
    guard case .send(let request) = machine.timerFired(now: 0, using: &random) else {
      Issue.record("no SUBSCRIBE at the start")
      return (
        machine, WatcherStateMachine.Request(kind: .subscribe, expires: 0, cseq: 0, dialog: 0, intendedAt: 0)
      )
    }
    return (machine, request)
  }

  @Test func subscribesThenRefreshesInTheDialogBeforeTheGrantedEnd() {
    var (machine, request) = Self.started()
    var random = SplitMix64(seed: 1)
    #expect(request.kind == .subscribe && request.expires == 600 && request.toTag == nil)
    #expect(machine.isSubscribed)
    let (action, outcome) = machine.responseReceived(
      .init(statusCode: 200, expires: 100, toTag: "n1", contact: "sip:notifier@10.0.0.1"), now: Self.second,
      using: &random)
    #expect(outcome == .established)
    // 80 % of the 100 s granted (not of the 600 asked).
    #expect(action == .wakeUp(at: Self.second + 80 * Self.second))
    guard case .send(let refresh) = machine.timerFired(now: 81 * Self.second, using: &random) else {
      Issue.record("no refresh")
      return
    }
    #expect(
      refresh.kind == .refresh && refresh.toTag == "n1" && refresh.remoteTarget == "sip:notifier@10.0.0.1")
    #expect(refresh.dialog == request.dialog && refresh.cseq == request.cseq + 1)
    #expect(
      machine.responseReceived(.init(statusCode: 200, expires: 100), now: 82 * Self.second, using: &random).1
        == .refreshed)
  }

  @Test func a481ToARefreshStartsANewDialog() {
    var (machine, request) = Self.started()
    var random = SplitMix64(seed: 1)
    _ = machine.responseReceived(.init(statusCode: 200, expires: 10, toTag: "a"), now: 0, using: &random)
    _ = machine.timerFired(now: 9 * Self.second, using: &random)
    let (action, outcome) = machine.responseReceived(
      .init(statusCode: 481), now: 9 * Self.second, using: &random)
    #expect(outcome == .terminated)
    guard case .send(let again) = action else {
      Issue.record("no new SUBSCRIBE")
      return
    }
    #expect(again.kind == .subscribe && again.dialog == request.dialog + 1 && again.toTag == nil)
  }

  @Test(arguments: [
    ("terminated;reason=timeout", true), ("terminated;reason=deactivated", true), ("terminated", true),
    ("terminated;reason=rejected", false), ("terminated;reason=noresource", false),
  ])
  func aTerminatedNotifyIsFollowedAsTheReasonSays(state: String, subscribesAgain: Bool) {
    var (machine, _) = Self.started()
    var random = SplitMix64(seed: 1)
    _ = machine.responseReceived(.init(statusCode: 200, expires: 600, toTag: "a"), now: 0, using: &random)
    let reason = state.split(separator: "=").dropFirst().first.map(String.init)
    let (action, outcome) = machine.notified(
      .terminated(reason: reason, retryAfter: nil), fromTag: "a", now: Self.second, using: &random)
    #expect(outcome == .terminated)
    if subscribesAgain {
      guard case .send(let request) = action else {
        Issue.record("no new SUBSCRIBE after \(state)")
        return
      }
      #expect(request.kind == .subscribe)
    } else {
      #expect(action == .leave)
    }
  }

  @Test func a489IsNotRetriedAndA423TakesMinExpires() {
    var (machine, _) = Self.started()
    var random = SplitMix64(seed: 1)
    guard
      case (.send(let retry), .failed) = machine.responseReceived(
        .init(statusCode: 423, minExpires: 1200), now: 0, using: &random)
    else {
      Issue.record("no retry after 423")
      return
    }
    #expect(retry.expires == 1200 && machine.isSubscribed)
    #expect(machine.responseReceived(.init(statusCode: 489), now: 0, using: &random) == (.leave, .failed))
    #expect(machine.hasLeft)
  }

  @Test func otherFailuresBackOffAndTheRunsEndUnsubscribes() {
    var (machine, _) = Self.started()
    var random = SplitMix64(seed: 1)
    #expect(
      machine.responseReceived(.init(statusCode: 503), now: 0, using: &random) == (
        .wakeUp(at: Self.second), .failed
      ))
    #expect(!machine.isSubscribed)
    guard case .send = machine.timerFired(now: Self.second, using: &random) else {
      Issue.record("no retry after the back-off")
      return
    }
    _ = machine.responseReceived(.init(statusCode: 200, expires: 600), now: Self.second, using: &random)
    guard case .send(let last) = machine.stop(now: 2 * Self.second) else {
      Issue.record("no unsubscribe at the end")
      return
    }
    #expect(last.kind == .unsubscribe && last.expires == 0 && !machine.isSubscribed)
    // It waits for the notifier's final NOTIFY, then leaves.
    #expect(
      machine.responseReceived(.init(statusCode: 200), now: 2 * Self.second, using: &random)
        == (.wakeUp(at: 7 * Self.second), .ended))
    #expect(
      machine.notified(
        .terminated(reason: "timeout", retryAfter: nil), fromTag: nil, now: 3 * Self.second, using: &random)
        == (.leave, .none))
  }

  @Test func aNotifierShorteningTheSubscriptionMovesTheRefreshEarlier() {
    var (machine, _) = Self.started()
    var random = SplitMix64(seed: 1)
    _ = machine.responseReceived(.init(statusCode: 200, expires: 600), now: 0, using: &random)
    let (action, _) = machine.notified(
      .active(expires: 60), fromTag: nil, now: 10 * Self.second, using: &random)
    #expect(action == .wakeUp(at: 10 * Self.second + 48 * Self.second))
  }
}

extension WatcherStateMachineTests {
  /// A session's unsubscribe that times out ends the session, not the watcher's part in the run.
  @Test func aFailedUnsubscribeAtASessionsEndStillComesBack() {
    let behaviour = WatcherBehaviour(
      requestedExpires: 600, sessionLength: .fixed(10 * Self.second), offlineLength: .fixed(5 * Self.second))
    var (machine, _) = Self.started(behaviour)
    var random = SplitMix64(seed: 1)
    _ = machine.responseReceived(.init(statusCode: 200, expires: 600), now: 0, using: &random)
    guard case .send(let last) = machine.timerFired(now: 10 * Self.second, using: &random) else {
      Issue.record("no unsubscribe at the session's end")
      return
    }
    #expect(last.kind == .unsubscribe)
    #expect(
      machine.requestFailed(now: 11 * Self.second, using: &random) == (.wakeUp(at: 16 * Self.second), .ended))
    #expect(!machine.hasLeft && !machine.isSubscribed)
  }

  /// A 2xx granting 0 s does not make the watcher refresh at every answer.
  @Test func aGrantedLifetimeOfZeroIsTakenAsOneSecond() {
    var (machine, _) = Self.started()
    var random = SplitMix64(seed: 1)
    #expect(
      machine.responseReceived(.init(statusCode: 200, expires: 0), now: 0, using: &random)
        == (.wakeUp(at: Self.second * 8 / 10), .established))
  }
}
