import Testing

@testable import Publication

/// What a profile learned from a capture asks of a publisher: its own first refresh point and
/// first modification, refresh points drawn from quantiles, and Expires drawn per session.
@Suite("Learned publisher behaviour")
struct LearnedBehaviourTests {
  typealias Machine = PublisherStateMachine
  typealias Tests = PublisherStateMachineTests
  static let second = PublisherStateMachineTests.second

  @Test func theFirstRefreshAfterAnInitialHasItsOwnPoint() {
    var behaviour = PublisherBehaviour(refreshJitter: 0)
    behaviour.firstRefreshPoints = Quantiles([0.01, 0.01])
    behaviour.refreshPoints = Quantiles([0.5, 0.5])
    #expect(behaviour.firstRefreshPoints != nil && behaviour.refreshPoints != nil)
    var publisher = Tests.Publisher(behaviour)
    _ = publisher.start()
    #expect(publisher.answer(Tests.ok("a", expires: 100), at: 0) == .wakeUp(at: 1 * Self.second))
    #expect(Tests.request(publisher.fire(at: Self.second))?.operation == .refresh)
    #expect(publisher.answer(Tests.ok("b", expires: 100), at: Self.second) == .wakeUp(at: 51 * Self.second))
  }

  @Test func aFirstModificationAloneComesOnceASession() {
    var behaviour = PublisherBehaviour(refreshFraction: 0.9, refreshJitter: 0)
    behaviour.firstModifyInterval = .fixed(2 * Self.second)
    var publisher = Tests.Publisher(behaviour)
    _ = publisher.start()
    #expect(publisher.answer(Tests.ok("a", expires: 100), at: 0) == .wakeUp(at: 2 * Self.second))
    #expect(Tests.request(publisher.fire(at: 2 * Self.second))?.operation == .modify)
    // No later interval: the next thing due is the refresh at 90 % of the lifetime.
    #expect(
      publisher.answer(Tests.ok("b", expires: 100), at: 2 * Self.second) == .wakeUp(at: 92 * Self.second))
  }

  @Test func laterModificationsFollowTheInterval() {
    var behaviour = PublisherBehaviour(refreshFraction: 0.9, refreshJitter: 0)
    behaviour.firstModifyInterval = .fixed(2 * Self.second)
    behaviour.modifyInterval = .fixed(5 * Self.second)
    var publisher = Tests.Publisher(behaviour)
    _ = publisher.start()
    _ = publisher.answer(Tests.ok("a", expires: 100), at: 0)
    _ = publisher.fire(at: 2 * Self.second)
    #expect(
      publisher.answer(Tests.ok("b", expires: 100), at: 2 * Self.second) == .wakeUp(at: 7 * Self.second))
  }

  @Test func eachSessionDrawsItsExpiresFromTheMix() {
    var behaviour = PublisherBehaviour(sessionLength: .fixed(Self.second), offlineLength: .fixed(Self.second))
    behaviour.expiresMix = ExpiresMix([(60, 1), (3600, 3)])
    #expect(behaviour.expiresMix != nil)
    var asked: [UInt32: Int] = [:]
    for seed in 0..<400 {
      var publisher = Tests.Publisher(behaviour)
      publisher.random = SeededRandom(seed: UInt64(seed))
      if let request = Tests.request(publisher.start()) { asked[request.expires, default: 0] += 1 }
    }
    #expect(Set(asked.keys) == [60, 3600])
    // A quarter ask 60: 100 expected of 400, binomial spread ±9 (a wide bound).
    #expect((60...140).contains(asked[60] ?? 0))
  }

  @Test func quantilesDrawInsideTheirRange() throws {
    let quantiles = try #require(Quantiles([1, 2, 10]))
    var random = SeededRandom(seed: 9)
    let draws = (0..<1_000).map { _ in quantiles.sample(using: &random) }
    #expect(draws.allSatisfy { (1...10).contains($0) })
    // Half the draws in each segment.
    #expect((400...600).contains(draws.filter { $0 <= 2 }.count))
    #expect(quantiles.mean == 3.75)
    #expect(Quantiles([2, 1]) == nil)
    #expect(ExpiresMix([]) == nil)
  }
}
