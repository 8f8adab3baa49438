import Measurements
import Publication
import Testing

@testable import Reports

@Suite("Thresholds")
struct ThresholdTests {
  /// 100 refreshes answered in 1..100 ms, 2 timeouts, one 503, over 10 s.
  static let metrics: RunMetrics = {
    var metrics = RunMetrics(startedAt: 0)
    for millisecond in 1...100 {
      metrics.recordSend(intendedAt: 0, sentAt: 0)
      metrics.recordResponse(
        .refresh, statusCode: 200, intendedAt: 0, sentAt: 0, receivedAt: UInt64(millisecond) * 1_000_000)
    }
    metrics.recordSend(intendedAt: 0, sentAt: 0)
    metrics.recordResponse(.initial, statusCode: 503, intendedAt: 0, sentAt: 0, receivedAt: 1_000_000)
    metrics.recordTimeout(.modify, at: 0)
    metrics.recordTimeout(.modify, at: 0)
    return metrics
  }()

  @Test(arguments: [
    ("p99(refresh) < 100ms", true), ("p99(refresh) < 98ms", false), ("p50 <= 51ms", true),
    ("max > 99ms", true),
    ("errors < 1%", false), ("errors < 3%", true), ("timeouts == 2", true), ("timeouts == 0", false),
    ("rate >= 10/s", true), ("rate >= 11/s", false), ("retransmissions < 0.1%", true),
  ])
  func checksRules(rule: String, passes: Bool) throws {
    let result = try Threshold.parse(rule).check(Self.metrics, durationSeconds: 10)
    #expect(result.passed == passes, "\(rule): actual \(result.actual)")
  }

  /// A gate must not pass on nothing measured: no removes were sent, the modifies all timed out.
  @Test(arguments: ["p99(remove) < 1s", "p50(modify) < 1s"])
  func latencyOfAnOperationWithoutResponsesFails(rule: String) throws {
    let result = try Threshold.parse(rule).check(Self.metrics, durationSeconds: 10)
    #expect(!result.passed && result.actual == "no samples")
  }

  @Test(arguments: [
    ("p99 20ms", "expected a comparison"), ("p98 < 20ms", "unknown metric 'p98'"),
    ("p99(update) < 1ms", "unknown operation 'update'"), ("p99 < fast", "expected a duration"),
    ("errors < lots", "expected a percentage"), ("p99 < 20", "expected a duration"),
  ])
  func badRulesAreNamed(rule: String, reason: String) {
    #expect {
      try Threshold.parse(rule)
    } throws: { error in
      (error as? Threshold.ParseError)?.description.contains(reason) == true
    }
  }
}
