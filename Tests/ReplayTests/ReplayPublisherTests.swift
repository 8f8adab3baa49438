import Publication
import Testing
import Trace

@testable import Replay

/// The replay state machine against hand-written recordings: entity-tag mapping, stale tags,
/// broken chains under each policy, 423 and digest challenges, one request outstanding, loops.
@Suite("Replay publisher")
struct ReplayPublisherTests {
  static let ms: UInt64 = 1_000_000
  static let body = Array("<presence/>".utf8)

  /// A recorded transaction of alice's presence at `offset` milliseconds.
  static func record(
    _ offset: UInt64, _ operation: PublishOperation, ifMatch: String? = nil, status: Int? = 200,
    tag: String? = nil,
    expires: UInt32 = 3600, body: String? = nil, resource: String = "alice@recorded.example"
  ) -> TraceRecord {
    let hasBody = operation == .initial || operation == .modify
    return TraceRecord(
      offsetNanos: offset * ms, chain: 1, operation: operation, event: "presence",
      requestURI: "sip:" + resource, resource: resource, from: nil, to: nil,
      expires: operation == .remove ? 0 : expires, ifMatch: ifMatch,
      contentType: hasBody ? "application/pidf+xml" : nil, body: hasBody ? (body ?? "<presence/>") : nil,
      bodyEncoding: hasBody ? "utf8" : nil, source: "10.0.0.1:5060", destination: "10.0.0.2:5060",
      retransmissions: 0,
      recorded: .init(status: status, latencyMicros: status == nil ? nil : 800, entityTag: tag, expires: nil))
  }

  static func script(_ records: [TraceRecord], _ policy: BrokenChainPolicy = .reinitiate, loops: Int = 1)
    -> ReplayScript
  {
    ReplayScript(
      records: records, options: ReplayOptions(loops: loops, domain: "live.example", onBrokenChain: policy))
  }

  static func ok(_ tag: String) -> PublisherStateMachine.Response {
    PublisherStateMachine.Response(statusCode: 200, entityTag: tag, expires: 3600)
  }

  /// Plays every step at its due time, answering with `answers` in order; returns what was sent.
  static func play(
    _ script: ReplayScript, answers: [PublisherStateMachine.Response?]
  ) -> (sent: [PublisherStateMachine.Request], outcomes: [ReplayOutcome]) {
    var publisher = ReplayPublisher(recorded: 0, copy: 0)
    var outcomes: [ReplayOutcome] = []
    var sent: [PublisherStateMachine.Request] = []
    var answers = answers[...]
    var action = publisher.start(now: 0, origin: 0, script: script, outcomes: &outcomes)
    var now: UInt64 = 0
    while true {
      switch action {
      case .leave: return (sent, outcomes)
      case .wakeUp(let at):
        now = at
        action = publisher.timerFired(now: now, origin: 0, script: script, outcomes: &outcomes)
      case .send(let request):
        sent.append(request)
        now += ms
        if let answer = answers.popFirst() ?? nil {
          action = publisher.responseReceived(
            answer, latency: ms, now: now, origin: 0, script: script, outcomes: &outcomes)
        } else {
          action = publisher.requestFailed(now: now, origin: 0, script: script, outcomes: &outcomes)
        }
      }
    }
  }

  @Test func conditionalRequestsCarryTheLiveEntityTag() {
    let script = Self.script([
      Self.record(0, .initial, tag: "r1"), Self.record(100, .refresh, ifMatch: "r1", tag: "r2"),
      Self.record(200, .modify, ifMatch: "r2", tag: "r3"), Self.record(300, .remove, ifMatch: "r3"),
    ])
    let (sent, outcomes) = Self.play(
      script, answers: [Self.ok("L1"), Self.ok("L2"), Self.ok("L3"), Self.ok("L4")])
    #expect(sent.map(\.ifMatch) == [nil, "L1", "L2", "L3"])
    #expect(sent.map(\.operation) == [.initial, .refresh, .modify, .remove])
    #expect(sent.map(\.intendedAt) == [0, 100 * Self.ms, 200 * Self.ms, 300 * Self.ms])
    #expect(sent.last?.expires == 0)
    #expect(outcomes.map(\.live) == Array(repeating: .status(200), count: 4))
  }

  @Test func aTagTheRecordingSawRejectedStaysStale() {
    let script = Self.script([
      Self.record(0, .initial, tag: "r1"), Self.record(100, .refresh, ifMatch: "r1", status: 412),
    ])
    let (sent, _) = Self.play(script, answers: [Self.ok("L1"), .init(statusCode: 412)])
    #expect(sent[1].ifMatch == "r1")
  }

  @Test(arguments: BrokenChainPolicy.allCases)
  func aFailedPredecessorBreaksTheChain(policy: BrokenChainPolicy) {
    let script = Self.script(
      [
        Self.record(0, .initial, tag: "r1", body: "<a/>"),
        Self.record(100, .refresh, ifMatch: "r1", tag: "r2"),
      ],
      policy)
    let (sent, outcomes) = Self.play(script, answers: [.init(statusCode: 500), Self.ok("L2")])
    switch policy {
    case .skip:
      #expect(sent.count == 1)
      #expect(outcomes.last?.live == .skipped)
    case .asRecorded:
      #expect(sent.last?.ifMatch == "r1")
      #expect(sent.last?.operation == .refresh)
    case .reinitiate:
      #expect(sent.last?.ifMatch == nil)
      #expect(sent.last?.operation == .initial)
    }
  }

  @Test func aReinitiatedPublicationCarriesTheNewestRecordedBody() {
    let script = Self.script([
      Self.record(0, .initial, tag: "r1", body: "<a/>"),
      Self.record(100, .modify, ifMatch: "r1", tag: "r2", body: "<b/>"),
      Self.record(200, .refresh, ifMatch: "r2", tag: "r3"),
    ])
    var publisher = ReplayPublisher(recorded: 0, copy: 0)
    var outcomes: [ReplayOutcome] = []
    _ = publisher.start(now: 0, origin: 0, script: script, outcomes: &outcomes)
    _ = publisher.responseReceived(
      Self.ok("L1"), latency: 1, now: 1, origin: 0, script: script, outcomes: &outcomes)
    _ = publisher.timerFired(now: 100 * Self.ms, origin: 0, script: script, outcomes: &outcomes)
    _ = publisher.responseReceived(
      .init(statusCode: 500), latency: 1, now: 101 * Self.ms, origin: 0, script: script, outcomes: &outcomes)
    let action = publisher.timerFired(now: 200 * Self.ms, origin: 0, script: script, outcomes: &outcomes)
    guard case .send(let request) = action else {
      Issue.record("expected a send, got \(action)")
      return
    }
    #expect(request.operation == .initial)
    #expect(publisher.bodyStep == 1)
  }

  @Test func aRecordingThatStartsMidChainIsReinitiatedWithTheDefaultBody() {
    let script = Self.script([Self.record(0, .refresh, ifMatch: "before-capture", tag: "r2")])
    let (sent, _) = Self.play(script, answers: [Self.ok("L1")])
    #expect(sent.first?.operation == .initial)
    #expect(sent.first?.ifMatch == nil)
  }

  @Test func withoutRecordedResponsesTheNewestLiveTagContinuesThePublication() {
    let script = Self.script([
      Self.record(0, .initial, status: nil), Self.record(100, .refresh, ifMatch: "unknown", status: nil),
    ])
    let (sent, outcomes) = Self.play(script, answers: [Self.ok("L1"), Self.ok("L2")])
    #expect(sent.map(\.ifMatch) == [nil, "L1"])
    #expect(outcomes.count == 2)
  }

  @Test func aLive423RaisesExpiresForTheRest() {
    let script = Self.script([
      Self.record(0, .initial, status: 200, tag: "r1", expires: 30),
      Self.record(100, .initial, status: 200, expires: 30),
    ])
    let (sent, _) = Self.play(script, answers: [.init(statusCode: 423, minExpires: 60), Self.ok("L2")])
    #expect(sent.map(\.expires) == [30, 60])
  }

  @Test func aRecordedChallengeIsAnsweredByTheRecordedRetry() {
    let challenge = PublisherStateMachine.Challenge(value: "Digest realm=\"x\", nonce=\"n\"", isProxy: false)
    let script = Self.script([Self.record(0, .initial, status: 401), Self.record(10, .initial, status: 200)])
    let (sent, outcomes) = Self.play(
      script, answers: [.init(statusCode: 401, challenge: challenge), Self.ok("L1")])
    #expect(sent.count == 2)
    #expect(sent[0].challenge == nil)
    #expect(sent[1].challenge == challenge)
    #expect(outcomes.map(\.live) == [.status(401), .status(200)])
  }

  @Test func anUnrecordedChallengeIsAnsweredOnceWithinTheSameStep() {
    let challenge = PublisherStateMachine.Challenge(value: "Digest realm=\"x\", nonce=\"n\"", isProxy: true)
    let script = Self.script([Self.record(0, .initial, status: 200)])
    let (sent, outcomes) = Self.play(
      script,
      answers: [.init(statusCode: 407, challenge: challenge), .init(statusCode: 407, challenge: challenge)])
    #expect(sent.count == 2)
    #expect(sent[1].challenge == challenge)
    #expect(outcomes.map(\.live) == [.status(407)])
  }

  @Test func aStepDueWhileItsPredecessorIsInFlightWaitsAndKeepsItsDueTime() {
    let script = Self.script([Self.record(0, .initial, tag: "r1"), Self.record(10, .refresh, ifMatch: "r1")])
    var publisher = ReplayPublisher(recorded: 0, copy: 0)
    var outcomes: [ReplayOutcome] = []
    _ = publisher.start(now: 0, origin: 0, script: script, outcomes: &outcomes)
    #expect(
      publisher.timerFired(now: 20 * Self.ms, origin: 0, script: script, outcomes: &outcomes)
        == .wakeUp(at: .max))
    let action = publisher.responseReceived(
      Self.ok("L1"), latency: 1, now: 50 * Self.ms, origin: 0, script: script, outcomes: &outcomes)
    #expect(
      action == .send(.init(operation: .refresh, ifMatch: "L1", expires: 3600, intendedAt: 10 * Self.ms)))
  }

  @Test func loopsPlayAgainWithFreshTagsAfterTheRecording() {
    let script = Self.script(
      [Self.record(0, .initial, tag: "r1"), Self.record(100, .refresh, ifMatch: "r1", tag: "r2")], loops: 2)
    let (sent, outcomes) = Self.play(
      script, answers: [Self.ok("A"), Self.ok("B"), Self.ok("C"), Self.ok("D")])
    #expect(sent.map(\.ifMatch) == [nil, "A", nil, "C"])
    let loopStart = 100 * Self.ms + ReplayScript.loopGap
    #expect(sent[2].intendedAt == loopStart)
    #expect(outcomes.map(\.loop) == [0, 0, 1, 1])
  }

  @Test func stoppingInFlightLeavesAfterTheAnswer() {
    let script = Self.script([Self.record(0, .initial, tag: "r1"), Self.record(100, .refresh, ifMatch: "r1")])
    var publisher = ReplayPublisher(recorded: 0, copy: 0)
    var outcomes: [ReplayOutcome] = []
    _ = publisher.start(now: 0, origin: 0, script: script, outcomes: &outcomes)
    #expect(publisher.stop() == .wakeUp(at: .max))
    #expect(
      publisher.responseReceived(
        Self.ok("L1"), latency: 1, now: 1, origin: 0, script: script, outcomes: &outcomes)
        == .leave)
    #expect(publisher.hasLeft)
  }
}

extension ReplayPublisherTests {
  @Test func aRecorded423AsksForTheSameIntervalAgainInEveryLoop() {
    let script = Self.script(
      [
        Self.record(0, .initial, status: 423, expires: 10),
        Self.record(10, .initial, status: 200, expires: 30),
      ],
      loops: 2)
    // Loop 1: the live 423 raises the retry to 60. Loop 2 starts over: 10 as recorded, and 30,
    // since no live 423 came this time.
    let (sent, _) = Self.play(
      script,
      answers: [.init(statusCode: 423, minExpires: 60), Self.ok("A"), .init(statusCode: 200), Self.ok("B")])
    #expect(sent.map(\.expires) == [10, 60, 10, 30])
  }

  @Test func everyLoopMeetsTheRecordedChallengesAfresh() {
    let challenge = PublisherStateMachine.Challenge(value: "Digest realm=\"x\", nonce=\"n\"", isProxy: false)
    let script = Self.script(
      [Self.record(0, .initial, status: 401), Self.record(10, .initial, status: 200)], loops: 2)
    let (sent, _) = Self.play(
      script,
      answers: [
        .init(statusCode: 401, challenge: challenge), Self.ok("A"),
        .init(statusCode: 401, challenge: challenge),
        Self.ok("B"),
      ])
    #expect(sent.map(\.startsAuthenticationOver) == [false, false, true, false])
  }

  @Test func aLiveAcceptanceOfARecordedChallengeTakesTheRecordedRetryAlong() {
    let script = Self.script([
      Self.record(0, .initial, status: 401), Self.record(10, .initial, status: 200, tag: "r1"),
      Self.record(100, .refresh, ifMatch: "r1", tag: "r2"),
    ])
    let (sent, outcomes) = Self.play(script, answers: [Self.ok("L1"), Self.ok("L2")])
    #expect(sent.map(\.operation) == [.initial, .refresh], "the recorded retry is not sent a second time")
    #expect(sent.last?.ifMatch == "L1")
    #expect(outcomes.map(\.step) == [0, 1, 2])
    #expect(outcomes.map(\.live) == [.status(200), .status(200), .status(200)])
  }

  @Test func anUnsendableRequestWaitsASecondBeforeTheNextStep() {
    let script = Self.script([Self.record(0, .initial, tag: "r1"), Self.record(1, .refresh, ifMatch: "r1")])
    var publisher = ReplayPublisher(recorded: 0, copy: 0)
    var outcomes: [ReplayOutcome] = []
    _ = publisher.start(now: 0, origin: 0, script: script, outcomes: &outcomes)
    let action = publisher.requestFailed(
      now: 5 * Self.ms, timedOut: false, origin: 0, script: script, outcomes: &outcomes)
    #expect(action == .wakeUp(at: 5 * Self.ms + ReplayPublisher.sendRetryDelay))
    #expect(outcomes.map(\.live) == [.noResponse])
  }

  @Test func anUnrecordedChallengeWithoutCredentialsIsNotAnsweredBlindly() {
    let challenge = PublisherStateMachine.Challenge(value: "Digest realm=\"x\", nonce=\"n\"", isProxy: false)
    let script = Self.script([Self.record(0, .initial, status: 200)])
    var publisher = ReplayPublisher(recorded: 0, copy: 0)
    var outcomes: [ReplayOutcome] = []
    _ = publisher.start(now: 0, origin: 0, script: script, outcomes: &outcomes)
    let action = publisher.responseReceived(
      .init(statusCode: 401, challenge: challenge), latency: 1, now: 1, origin: 0, script: script,
      canAuthenticate: false, outcomes: &outcomes)
    #expect(action == .leave)
    #expect(outcomes.map(\.live) == [.status(401)])
  }
}

extension ReplayPublisherTests {
  @Test func anUnknownPackageIsSentAsRecordedAndNeverGivenABodyOfOurs() {
    var initial = Self.record(0, .initial, tag: "r1")
    initial.event = "x-vendor-state"
    var orphan = Self.record(100, .refresh, ifMatch: "before-capture")
    orphan.event = "x-vendor-state"
    let script = Self.script([orphan])
    #expect(script.publishers.first?.event == "x-vendor-state")
    // A broken chain in a package pubsim has no body for cannot be re-initiated: it is skipped.
    let (sent, outcomes) = Self.play(script, answers: [])
    #expect(sent.isEmpty)
    #expect(outcomes.map(\.live) == [.skipped])
    let known = Self.script([initial])
    #expect(known.publishers.first?.event == "x-vendor-state")
    #expect(Self.play(known, answers: [Self.ok("L1")]).sent.count == 1)
  }
}

extension ReplayPublisherTests {
  @Test func aRequestRecordedWithoutExpiresIsSentWithoutOne() {
    var record = Self.record(0, .initial, tag: "r1")
    record.expires = nil
    let script = Self.script([record])
    #expect(script.steps[0].hasExpires == false)
    let (sent, _) = Self.play(script, answers: [Self.ok("L1")])
    #expect(sent.first?.sendsExpires == false)
  }
}

extension ReplayPublisherTests {
  @Test func cleanupRemovesWhatTheRecordingLeftLive() {
    let records = [
      Self.record(0, .initial, tag: "r1"), Self.record(10, .refresh, ifMatch: "r1", tag: "r2"),
      Self.record(20, .initial, tag: "s1"), Self.record(30, .remove, ifMatch: "s1"),
    ]
    let script = ReplayScript(records: records, options: ReplayOptions(domain: "d", cleanup: true))
    let (sent, outcomes) = Self.play(
      script, answers: [Self.ok("A"), Self.ok("B"), Self.ok("C"), Self.ok("D"), Self.ok("E")])
    // Only B is live at the end: A was superseded, C removed by the recording itself.
    #expect(sent.map(\.ifMatch) == [nil, "A", nil, "C", "B"])
    #expect(sent.last?.expires == 0)
    #expect(outcomes.count == 4, "the cleanup remove is not a recorded step")
  }

  @Test func stoppingWithCleanupRemovesBeforeLeaving() {
    let script = Self.script([
      Self.record(0, .initial, tag: "r1"), Self.record(1_000, .refresh, ifMatch: "r1"),
    ])
    var publisher = ReplayPublisher(recorded: 0, copy: 0)
    var outcomes: [ReplayOutcome] = []
    _ = publisher.start(now: 0, origin: 0, script: script, outcomes: &outcomes)
    _ = publisher.responseReceived(
      Self.ok("L1"), latency: 1, now: 1, origin: 0, script: script, outcomes: &outcomes)
    let action = publisher.stop(now: 2, cleanup: true)
    #expect(action == .send(.init(operation: .remove, ifMatch: "L1", expires: 0, intendedAt: 2)))
    #expect(
      publisher.responseReceived(
        .init(statusCode: 200), latency: 1, now: 3, origin: 0, script: script, outcomes: &outcomes) == .leave)
  }
}
