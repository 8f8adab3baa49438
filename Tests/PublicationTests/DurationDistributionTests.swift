import SIPCore
import Testing

@testable import Publication

@Suite("Duration distributions")
struct DurationDistributionTests {
  static let second: UInt64 = 1_000_000_000

  /// Many draws from a seeded generator: the same numbers on every run, so the bounds below are
  /// facts about these draws, not chances.
  static func draws(_ distribution: DurationDistribution, count: Int = 20_000) -> [UInt64] {
    var random = SplitMix64(seed: 7)
    return (0..<count).map { _ in distribution.sample(using: &random) }
  }

  static func mean(_ values: [UInt64]) -> Double {
    values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
  }

  @Test func fixedIsAlwaysTheSame() {
    #expect(Set(Self.draws(.fixed(3 * Self.second), count: 100)) == [3 * Self.second])
  }

  @Test func uniformStaysInItsRangeAndCentres() {
    let values = Self.draws(.uniform(60 * Self.second, 300 * Self.second))
    #expect(values.allSatisfy { (60 * Self.second...300 * Self.second).contains($0) })
    #expect(abs(Self.mean(values) / 1e9 - 180) < 3)
    #expect(DurationDistribution.uniform(60 * Self.second, 300 * Self.second).mean == 180 * Self.second)
  }

  @Test func exponentialHasItsMeanAndItsTail() {
    let values = Self.draws(.exponential(mean: 180 * Self.second))
    #expect(abs(Self.mean(values) / 1e9 - 180) < 180 * 0.03)
    // P(T > m) = 1/e ≈ 0.368 and P(T > 3m) = e^-3 ≈ 0.050: the spread that breaks lock-step waves.
    let beyondMean = Double(values.filter { $0 > 180 * Self.second }.count) / Double(values.count)
    let beyondThree = Double(values.filter { $0 > 540 * Self.second }.count) / Double(values.count)
    #expect(abs(beyondMean - 0.368) < 0.02)
    #expect(abs(beyondThree - 0.050) < 0.01)
  }

  @Test func empiricalFollowsItsQuantiles() {
    let quantiles = [10, 20, 60, 300].map { UInt64($0) * Self.second }
    let values = Self.draws(.empirical(quantiles))
    #expect(values.allSatisfy { (10 * Self.second...300 * Self.second).contains($0) })
    // A third of the draws in each segment, so the median sits in the middle one.
    let sorted = values.sorted()
    let median = Double(sorted[sorted.count / 2]) / 1e9
    #expect(median > 30 && median < 50)
    let inFirst = Double(values.filter { $0 <= 20 * Self.second }.count) / Double(values.count)
    #expect(abs(inFirst - 1.0 / 3) < 0.02)
    // Segment midpoints 15, 40 and 180 s, each a third likely.
    #expect(DurationDistribution.empirical(quantiles).mean == 235 * Self.second / 3)
  }

  @Test func aPopulationStartedTogetherEndsItsSessionsApart() {
    let behaviour = PublisherBehaviour(sessionLength: .exponential(mean: 180 * Self.second))
    var random = SplitMix64(seed: 1)
    var ends: Set<UInt64> = []
    for _ in 0..<1000 {
      var machine = PublisherStateMachine(behaviour: behaviour)
      _ = machine.start(now: 0, using: &random)
      let published = machine.responseReceived(
        .init(statusCode: 200, entityTag: "a", expires: 3600), now: 0, using: &random)
      if case .wakeUp(let at) = published { ends.insert(at / Self.second) }
    }
    // With a fixed length all 1 000 would end in the same second.
    #expect(ends.count > 300)
  }
}
