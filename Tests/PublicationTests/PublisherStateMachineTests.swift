import Testing

@testable import Publication

@Suite("Publisher state machine")
struct PublisherStateMachineTests {
  /// A run keeps one machine per publisher, millions of them: its size is a memory budget
  /// (88 bytes; 152 when it kept whole requests and 9-byte optionals).
  @Test func aMachineFitsItsBudget() {
    #expect(MemoryLayout<PublisherStateMachine>.stride <= 88)
    #expect(MemoryLayout<PublisherStateMachine.KeptRequest>.stride <= 24)
  }

  static let second: UInt64 = 1_000_000_000
  typealias Machine = PublisherStateMachine

  struct Publisher {
    var machine: Machine
    var random = SeededRandom(seed: 1)

    init(_ behaviour: PublisherBehaviour) { machine = Machine(behaviour: behaviour) }

    mutating func start(at now: UInt64 = 0) -> Machine.Action { machine.start(now: now, using: &random) }
    mutating func answer(_ response: Machine.Response, at now: UInt64) -> Machine.Action {
      machine.responseReceived(response, now: now, using: &random)
    }
    mutating func fire(at now: UInt64) -> Machine.Action { machine.timerFired(now: now, using: &random) }
  }

  static func ok(_ tag: String, expires: UInt32? = 3600) -> Machine.Response {
    Machine.Response(statusCode: 200, entityTag: tag, expires: expires)
  }

  static func request(_ action: Machine.Action) -> Machine.Request? {
    if case .send(let request) = action { return request }
    return nil
  }

  @Test func cycleSendsInitialRefreshModifyRemoveBackToBack() {
    var publisher = Publisher(.cycle)
    #expect(Self.request(publisher.start())?.operation == .initial)
    let refresh = Self.request(publisher.answer(Self.ok("a"), at: 10))
    #expect(refresh == Machine.Request(operation: .refresh, ifMatch: "a", expires: 3600, intendedAt: 10))
    let modify = Self.request(publisher.answer(Self.ok("b"), at: 20))
    #expect(modify?.operation == .modify)
    #expect(modify?.ifMatch == "b")
    let remove = Self.request(publisher.answer(Self.ok("c"), at: 30))
    #expect(remove == Machine.Request(operation: .remove, ifMatch: "c", expires: 0, intendedAt: 30))
    #expect(publisher.answer(Self.ok("d", expires: 0), at: 40) == .leave)
    #expect(publisher.machine.hasLeft)
  }

  @Test func aCycleUnderWayWhenTheRunStopsRunsToItsRemove() {
    var publisher = Publisher(.cycle)
    _ = publisher.start()
    #expect(publisher.machine.stop(now: 5, cleanup: false) == .wakeUp(at: .max))
    #expect(Self.request(publisher.answer(Self.ok("a"), at: 10))?.operation == .refresh)
    #expect(Self.request(publisher.answer(Self.ok("b"), at: 20))?.operation == .modify)
    #expect(Self.request(publisher.answer(Self.ok("c"), at: 30))?.operation == .remove)
    #expect(publisher.answer(Self.ok("d", expires: 0), at: 40) == .leave)
  }

  @Test func refreshIsScheduledBeforeTheGrantedLifetimeEnds() {
    var publisher = Publisher(
      PublisherBehaviour(requestedExpires: 3600, refreshFraction: 0.5, refreshJitter: 0))
    _ = publisher.start()
    #expect(publisher.answer(Self.ok("a", expires: 100), at: 0) == .wakeUp(at: 50 * Self.second))
    let refresh = Self.request(publisher.fire(at: 50 * Self.second))
    #expect(refresh?.operation == .refresh)
    #expect(refresh?.ifMatch == "a")
    #expect(refresh?.intendedAt == 50 * Self.second)
  }

  @Test func lateTimerKeepsTheIntendedTime() {
    var publisher = Publisher(PublisherBehaviour(refreshFraction: 0.5, refreshJitter: 0))
    _ = publisher.start()
    _ = publisher.answer(Self.ok("a", expires: 100), at: 0)
    #expect(Self.request(publisher.fire(at: 70 * Self.second))?.intendedAt == 50 * Self.second)
  }

  @Test func after412ItStartsOverWithAnInitialPublication() {
    var publisher = Publisher(.cycle)
    _ = publisher.start()
    _ = publisher.answer(Self.ok("a"), at: 1)
    let again = Self.request(publisher.answer(Machine.Response(statusCode: 412), at: 2))
    #expect(again == Machine.Request(operation: .initial, ifMatch: nil, expires: 3600, intendedAt: 2))
    #expect(!publisher.machine.isPublished)
  }

  @Test func after423ItRetriesWithMinExpiresAndKeepsAskingForIt() {
    var publisher = Publisher(PublisherBehaviour(requestedExpires: 30))
    _ = publisher.start()
    let retry = Self.request(publisher.answer(Machine.Response(statusCode: 423, minExpires: 60), at: 5))
    #expect(retry == Machine.Request(operation: .initial, ifMatch: nil, expires: 60, intendedAt: 5))
  }

  @Test func challengeIsAnsweredOnceAndARepeatedOneIsAFailure() {
    var publisher = Publisher(.cycle)
    _ = publisher.start()
    let challenge = Machine.Challenge(value: "Digest realm=\"r\", nonce=\"n1\"", isProxy: false)
    let retry = Self.request(publisher.answer(Machine.Response(statusCode: 401, challenge: challenge), at: 1))
    #expect(retry?.challenge == challenge)
    #expect(retry?.operation == .initial)
    let again = Machine.Challenge(value: "Digest realm=\"r\", nonce=\"n2\"", isProxy: false)
    #expect(
      publisher.answer(Machine.Response(statusCode: 401, challenge: again), at: 2)
        == .wakeUp(at: Self.second + 1_000_000), "back-off from 2 ns, on the 1 ms grid")
  }

  @Test func staleNonceIsAnsweredAgain() {
    var publisher = Publisher(.cycle)
    _ = publisher.start()
    let first = Machine.Challenge(value: "Digest realm=\"r\", nonce=\"n1\"", isProxy: true)
    _ = publisher.answer(Machine.Response(statusCode: 407, challenge: first), at: 1)
    let stale = Machine.Challenge(value: "Digest realm=\"r\", nonce=\"n2\", stale=TRUE", isProxy: true)
    let retry = Self.request(publisher.answer(Machine.Response(statusCode: 407, challenge: stale), at: 2))
    #expect(retry?.challenge == stale)
  }

  @Test func failuresBackOffExponentiallyAndRetryTheSameOperation() {
    var publisher = Publisher(.cycle)
    _ = publisher.start()
    _ = publisher.answer(Self.ok("a"), at: 0)
    #expect(publisher.answer(Machine.Response(statusCode: 503), at: 0) == .wakeUp(at: Self.second))
    let retry = Self.request(publisher.fire(at: Self.second))
    #expect(retry?.operation == .refresh)
    #expect(retry?.ifMatch == "a")
    #expect(publisher.machine.requestFailed(now: 2 * Self.second) == .wakeUp(at: 4 * Self.second))
  }

  @Test func twoHundredWithoutEntityTagIsAFailure() {
    var publisher = Publisher(.cycle)
    _ = publisher.start()
    #expect(publisher.answer(Machine.Response(statusCode: 200), at: 0) == .wakeUp(at: Self.second))
    #expect(Self.request(publisher.fire(at: Self.second))?.operation == .initial)
  }

  @Test func stopWithCleanupRemovesTheLivePublication() {
    var publisher = Publisher(PublisherBehaviour())
    _ = publisher.start()
    _ = publisher.answer(Self.ok("a"), at: 0)
    #expect(
      Self.request(publisher.machine.stop(now: 9, cleanup: true))
        == Machine.Request(operation: .remove, ifMatch: "a", expires: 0, intendedAt: 9))
    #expect(publisher.answer(Self.ok("b", expires: 0), at: 10) == .leave)
  }

  @Test func stopWhileInFlightRemovesAfterTheAnswer() {
    var publisher = Publisher(PublisherBehaviour())
    _ = publisher.start()
    #expect(publisher.machine.stop(now: 1, cleanup: true) == .wakeUp(at: UInt64.max))
    #expect(Self.request(publisher.answer(Self.ok("a"), at: 2))?.operation == .remove)
  }

  @Test func stopWithoutCleanupLeaves() {
    var publisher = Publisher(PublisherBehaviour())
    _ = publisher.start()
    _ = publisher.answer(Self.ok("a"), at: 0)
    #expect(publisher.machine.stop(now: 1, cleanup: false) == .leave)
  }

  @Test func sessionEndsWithRemoveAndComesBackAfterOfflineTime() {
    let behaviour = PublisherBehaviour(
      sessionLength: .fixed(100 * Self.second), offlineLength: .fixed(50 * Self.second))
    var publisher = Publisher(behaviour)
    _ = publisher.start()
    _ = publisher.answer(Self.ok("a"), at: 0)
    let remove = Self.request(publisher.fire(at: 100 * Self.second))
    #expect(remove?.operation == .remove)
    #expect(
      publisher.answer(Self.ok("b", expires: 0), at: 100 * Self.second) == .wakeUp(at: 150 * Self.second))
    #expect(Self.request(publisher.fire(at: 150 * Self.second))?.operation == .initial)
  }

  @Test func modifyFollowsItsPoissonSchedule() {
    var publisher = Publisher(PublisherBehaviour(modifyMeanInterval: 10 * Self.second))
    _ = publisher.start()
    guard case .wakeUp(let at) = publisher.answer(Self.ok("a"), at: 0) else {
      Issue.record("expected a timer")
      return
    }
    #expect(at < 2880 * Self.second)
    #expect(Self.request(publisher.fire(at: at))?.operation == .modify)
  }
}

/// A deterministic generator for tests.
struct SeededRandom: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return state
  }
}
