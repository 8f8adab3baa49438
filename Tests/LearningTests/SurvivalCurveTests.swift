import Publication
import SIPCore
import Testing

@testable import Learning

@Suite("Waiting times cut short by the capture")
struct SurvivalCurveTests {
  static func waits(_ values: [(Double, Bool)]) -> SurvivalCurve {
    SurvivalCurve(values.map { SurvivalCurve.Observation(time: $0.0, ended: $0.1) })
  }

  @Test func withoutCensoringItIsTheSampleItself() {
    let curve = Self.waits([(3, true), (1, true), (2, true), (4, true)])
    #expect(curve.cumulative(at: 0.5) == 0)
    #expect(curve.cumulative(at: 2) == 0.5)
    #expect(curve.cumulative(at: 4) == 1)
    #expect(curve.quantiles(4) == [1, 1, 2, 3, 4])
    #expect(curve.exponentialMean == 2.5)
    #expect(curve.observedShare == 1)
  }

  @Test func aWaitCutShortCountsAsAtLeastThatLong() {
    // Kaplan–Meier by hand: 1 ends (4/5 left), 2 ends (3/4 of that), 3 is cut short, 4 ends
    // (1/2 of what was left), 5 is cut short.
    let curve = Self.waits([(1, true), (2, true), (3, false), (4, true), (5, false)])
    #expect(abs(curve.cumulative(at: 1) - 0.2) < 1e-12)
    #expect(abs(curve.cumulative(at: 3.5) - 0.4) < 1e-12)
    #expect(abs(curve.cumulative(at: 4) - 0.7) < 1e-12)
    // Dropping the cut-short waits would have given 7/3; keeping them as ended, 3.
    #expect(curve.exponentialMean == 5)
    #expect(curve.events == 3)
  }

  @Test func theTailBeyondTheLastEventIsExponentialAndBounded() {
    let curve = Self.waits([(1, true), (2, true), (10, false), (10, false)])
    #expect(curve.observedShare == 0.5)
    let quantiles = curve.quantiles(10)
    #expect(quantiles.count == 11)
    #expect(zip(quantiles, quantiles.dropFirst()).allSatisfy { $0 <= $1 })
    #expect(quantiles[5] == 2)
    #expect(quantiles[10] > 2 && quantiles[10].isFinite)
    #expect(curve.quantiles(10, ceiling: 3).allSatisfy { $0 <= 3 })
  }

  @Test func anExponentialSampleFitsAndAUniformOneDoesNot() {
    var random = SplitMix64(seed: 7)
    let exponential = (0..<2_000).map { _ in
      SurvivalCurve.Observation(
        time: DurationDistribution.exponential(mean: 1_000).sample(using: &random).double,
        ended: true)
    }
    #expect(SurvivalCurve(exponential).exponentialFits)
    let uniform = (0..<2_000).map { _ in
      SurvivalCurve.Observation(time: Double.random(in: 900...1_100, using: &random), ended: true)
    }
    let curve = SurvivalCurve(uniform)
    #expect(!curve.exponentialFits)
    #expect(curve.exponentialDistance > 0.5)
  }

  @Test func aFitSaysWhichFormAndWhy() {
    let same = Self.waits((0..<30).map { _ in (2.0, true) })
    #expect(FittedDistribution(same) { "\($0)" }?.form == .fixed(2))
    let few = Self.waits([(1, true), (3, true), (9, false)])
    let fit = FittedDistribution(few) { "\($0)" }
    #expect(fit?.form == .exponential(mean: 6.5))
    #expect(fit?.note.contains("too few") == true)
    #expect(FittedDistribution(Self.waits([(4, false)])) { "\($0)" } == nil)
  }
}

extension UInt64 {
  fileprivate var double: Double { Double(self) }
}
