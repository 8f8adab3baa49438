import Publication
import Testing

@testable import Learning

@Suite("Publishers' lives in a capture")
struct PublisherLivesTests {
  @Test func aReturnAfterARemoveIsTheSamePublisherAndAnOverlapIsAnother() {
    let lives = PublisherLives([
      Records.record(0, chain: 1, .initial),
      Records.record(1, chain: 2, .initial),  // alice's second device, while the first is live
      Records.record(2, chain: 1, .remove),
      Records.record(5, chain: 3, .initial),  // the first device back after 3 s offline
      Records.record(6, chain: 3, .remove),
      Records.record(7, chain: 2, .remove),
    ])
    #expect(lives.sessions.count == 3)
    #expect(lives.publishers.count == 2)
    #expect(lives.publishers.map(\.count).sorted() == [1, 2])
    #expect(ProfileLearner.offlineWaits(lives.publishers, lives: lives).filter(\.ended).map(\.time) == [3])
  }

  @Test func refusedRequestsAreNoPartOfALife() {
    let lives = PublisherLives([
      Records.record(0, chain: 1, .initial, expires: 10, status: 423),
      Records.record(0.1, chain: 2, .initial, expires: 60),
      Records.record(0.5, chain: 3, .modify, status: 412),
      Records.record(1, chain: 2, .remove),
    ])
    #expect(lives.sessions.count == 1)
    #expect(lives.sessions[0].start == 100_000_000)
    #expect(lives.sessions[0].removed)
    #expect(ProfileLearner.failures(lives.records).map(\.count) == [1, 1])
  }

  @Test func anUnrefreshedLifeEndsWithItsLifetimeAndOneLiveAtTheEndIsCutShort() {
    let lives = PublisherLives([
      Records.record(0, chain: 1, .initial, user: "a", expires: 60),
      Records.record(100, chain: 2, .initial, user: "b", expires: 600),
      Records.record(130, chain: 2, .refresh, user: "b", expires: 600),
    ])
    let ends = Dictionary(uniqueKeysWithValues: lives.sessions.map { ($0.resource, $0.end / Records.second) })
    #expect(ends["a@example.com"] == 60)
    #expect(ends["b@example.com"] == 130)
    #expect(lives.sessions.allSatisfy { !$0.removed })
  }

  @Test func statisticsAreSharesAndRatesOfAcceptedRequests() {
    let lives = PublisherLives([
      Records.record(0, chain: 1, .initial, expires: 100),
      Records.record(40, chain: 1, .refresh, expires: 100),
      Records.record(50, chain: 1, .modify, expires: 100),
      Records.record(60, chain: 9, .modify, status: 412),
      Records.record(90, chain: 1, .remove),
    ])
    let figures = Dictionary(
      uniqueKeysWithValues: TraceStatistics(lives).figures.map { ($0.name, $0.value) })
    #expect(figures["initial share of accepted requests"] == 0.25)
    #expect(figures["modify share of accepted requests"] == 0.25)
    #expect(figures["refresh point, median fraction of the lifetime"] == 0.4)
    // One modification in 90 s online: 40 an hour.
    #expect(figures["modifies per publisher-hour online"] == 40)
    #expect(figures["requested Expires of initials, mean (s)"] == 100)
  }

  @Test func theFitCheckHoldsCheckedFiguresToTheTolerance() {
    let original = TraceStatistics(
      PublisherLives([
        Records.record(0, chain: 1, .initial), Records.record(10, chain: 1, .remove),
      ]))
    var close = original
    close.figures[0].value = (close.figures[0].value ?? 0) * 1.05
    #expect(FitComparison(original: original, candidate: close, tolerance: 0.1).passes)
    var far = original
    far.figures[0].value = (far.figures[0].value ?? 0) * 1.2
    let comparison = FitComparison(original: original, candidate: far, tolerance: 0.1)
    #expect(!comparison.passes)
    #expect(abs((comparison.rows[0].difference ?? 0) - 0.2) < 1e-9)
    // A figure only one side has cannot be compared: it is off.
    #expect(FitComparison.difference(0, 0.1) == nil)
    #expect(FitComparison.difference(nil, nil) == 0)
  }
}
