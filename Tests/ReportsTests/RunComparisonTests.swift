import Measurements
import Publication
import Testing

@testable import Reports

@Suite("Comparing runs")
struct RunComparisonTests {
  /// A run of `count` refreshes each answered in `latency` ms, with `failures` 503s, over 10 s.
  static func run(latency: UInt64, count: Int = 1000, failures: Int = 0) -> RunReport {
    var metrics = RunMetrics(startedAt: 0)
    for _ in 0..<count {
      metrics.recordSend(intendedAt: 0, sentAt: 0)
      metrics.recordResponse(
        .refresh, statusCode: 200, intendedAt: 0, sentAt: 0, receivedAt: latency * 1_000_000)
    }
    for _ in 0..<failures {
      metrics.recordResponse(
        .refresh, statusCode: 503, intendedAt: 0, sentAt: 0, receivedAt: latency * 1_000_000)
    }
    return RunReport(
      kind: "run", profile: "t", target: "sip:127.0.0.1", startedAt: "", durationSeconds: 10,
      stoppedEarly: false,
      metrics: metrics, peakPublishers: 1, activePublishers: 1)
  }

  @Test func identicalRunsAreTheSame() {
    #expect(RunComparison(current: Self.run(latency: 10), base: Self.run(latency: 10)).verdict == .same)
  }

  @Test func smallDifferencesAreNoise() {
    #expect(
      RunComparison(current: Self.run(latency: 10, count: 1020), base: Self.run(latency: 10)).verdict == .same
    )
  }

  @Test func slowerIsARegressionAndFasterAnImprovement() {
    #expect(RunComparison(current: Self.run(latency: 20), base: Self.run(latency: 10)).verdict == .regression)
    #expect(RunComparison(current: Self.run(latency: 5), base: Self.run(latency: 10)).verdict == .improvement)
  }

  @Test func moreErrorsIsARegression() {
    let comparison = RunComparison(current: Self.run(latency: 10, failures: 20), base: Self.run(latency: 10))
    #expect(comparison.rows.first { $0.metric == "errors" }?.verdict == .regression)
    #expect(comparison.verdict == .regression)
  }

  @Test func lowerThroughputIsARegression() {
    let comparison = RunComparison(current: Self.run(latency: 10, count: 500), base: Self.run(latency: 10))
    #expect(comparison.rows.first { $0.metric == "rate" }?.verdict == .regression)
  }
}
