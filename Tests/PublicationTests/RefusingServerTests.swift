import SIPCore
import Testing

@testable import Publication

/// A publisher against servers that refuse it the same way every time: it never floods. Each
/// server answers 1 ms after a request; the count is of requests sent in one minute.
@Suite("A publisher against a refusing server")
struct RefusingServerTests {
  static let second: UInt64 = 1_000_000_000
  typealias Machine = PublisherStateMachine

  /// Requests a publisher sends in `duration` when every request gets `answer(request)`.
  static func requests(
    in duration: UInt64 = 60 * second, _ answer: (Machine.Request) -> Machine.Response
  ) -> [Machine.Request] {
    var machine = Machine(behaviour: PublisherBehaviour())
    var random = SplitMix64(seed: 3)
    var sent: [Machine.Request] = []
    var now: UInt64 = 0
    var action = machine.start(now: 0, using: &random)
    while now < duration {
      switch action {
      case .send(let request):
        sent.append(request)
        now += 1_000_000
        action = machine.responseReceived(answer(request), now: now, using: &random)
      case .wakeUp(let at):
        guard at < duration else { return sent }
        now = max(now, at)
        action = machine.timerFired(now: now, using: &random)
      case .leave:
        return sent
      }
    }
    return sent
  }

  /// Back-off at 1, 2, 4, 8, 16 and 32 s: requests at 0, 1, 3, 7, 15, 31 s and 63 s.
  static let failuresPerMinute = 6

  @Test func everything412() {
    let sent = Self.requests { _ in .init(statusCode: 412) }
    #expect(sent.count == Self.failuresPerMinute)
  }

  @Test func every423WithTheSameMinExpires() {
    let sent = Self.requests { _ in .init(statusCode: 423, minExpires: 3600) }
    // Each step: the request and three immediate retries.
    #expect(sent.count <= 4 * Self.failuresPerMinute)
    #expect(sent.count >= Self.failuresPerMinute)
  }

  @Test func every423WithoutMinExpires() {
    #expect(Self.requests { _ in .init(statusCode: 423) }.count == Self.failuresPerMinute)
  }

  @Test func aChallengeThatIsAlwaysStale() {
    let stale = Machine.Challenge(value: "Digest realm=\"x\", nonce=\"n\", stale=true", isProxy: false)
    let sent = Self.requests { _ in .init(statusCode: 401, challenge: stale) }
    #expect(sent.count <= 4 * Self.failuresPerMinute)
  }

  @Test func aRefreshAnswered412StartsOverOnce() {
    var answered = 0
    let sent = Self.requests { request in
      answered += 1
      if answered == 1 { return .init(statusCode: 200, entityTag: "a", expires: 60) }
      return request.operation == .initial
        ? .init(statusCode: 200, entityTag: "b", expires: 60) : .init(statusCode: 412)
    }
    // initial, then every refresh (at 48 s) answered 412 is followed by one new initial.
    #expect(sent.map(\.operation) == [.initial, .refresh, .initial])
  }

  @Test func retryAfterIsHonoured() {
    let sent = Self.requests(in: 10 * 60 * Self.second) { _ in .init(statusCode: 503, retryAfter: 120) }
    let gaps = zip(sent, sent.dropFirst()).map { $1.intendedAt - $0.intendedAt }
    #expect(gaps.allSatisfy { $0 >= 120 * Self.second }, "\(gaps)")
    #expect(sent.count == 5)
  }
}
