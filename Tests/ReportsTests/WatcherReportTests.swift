import Measurements
import Publication
import Testing

@testable import Reports

/// What the reports make of the watchers' figures: the notify thresholds, run.json's `notify`
/// and `subscriptions`, and report.html's propagation section.
@Suite("Watcher reports")
struct WatcherReportTests {
  /// 200 owed changes, 198 received in 1..198 ms after their intended send, 2 missing.
  static let metrics: RunMetrics = {
    var metrics = RunMetrics(startedAt: 0)
    var watchers = WatcherMetrics(startedAt: 0)
    watchers.watchers = 50
    watchers.notify.expected = 200
    for millisecond in 1...198 {
      watchers.recordPropagation(
        intendedAt: 0, answeredAt: 500_000, receivedAt: UInt64(millisecond) * 1_000_000)
    }
    watchers.notify.missing = 2
    watchers.record(.established)
    watchers.recordSubscribeResponse(statusCode: 200, latency: 2_000_000)
    metrics.watchers = watchers
    return metrics
  }()

  @Test(arguments: [
    ("p99(notify) < 200ms", true), ("p99(notify) < 150ms", false), ("p50(notify) <= 100ms", true),
    ("notifyLoss < 1.5%", true), ("notifyLoss < 0.1%", false),
  ])
  func notifyRulesReadThePropagation(rule: String, passes: Bool) throws {
    let result = try Threshold.parse(rule).check(Self.metrics, durationSeconds: 10)
    #expect(result.passed == passes, "\(rule): actual \(result.actual)")
  }

  /// A run without watchers must not pass a watcher gate on nothing measured.
  @Test(arguments: ["p99(notify) < 1s", "notifyLoss < 1%"])
  func notifyRulesWithoutWatchersFail(rule: String) throws {
    let result = try Threshold.parse(rule).check(RunMetrics(startedAt: 0), durationSeconds: 10)
    #expect(!result.passed)
  }

  @Test func runJsonAndTheHTMLCarryThePropagation() {
    let report = RunReport(
      kind: "run", profile: "w", target: "sip:127.0.0.1", startedAt: "2026-11-30T00:00:00Z",
      durationSeconds: 10, stoppedEarly: false, metrics: Self.metrics, peakPublishers: 10, activePublishers: 0
    )
    #expect(report.notify?.expected == 200 && report.notify?.received == 198 && report.notify?.missing == 2)
    #expect(report.notify?.beforeAnswer == 0 && report.subscriptions?.established == 1)
    #expect(report.subscriptions?.responses == ["200": 1])
    let html = ReportHTML.render(report, metrics: Self.metrics)
    #expect(html.contains("Propagation: publish → notify"))
    #expect(html.contains("198 of 200"))
    let plain = RunReport(
      kind: "run", profile: "w", target: "sip:127.0.0.1", startedAt: "2026-11-30T00:00:00Z",
      durationSeconds: 10, stoppedEarly: false, metrics: RunMetrics(startedAt: 0), peakPublishers: 10,
      activePublishers: 0)
    #expect(plain.notify == nil && !ReportHTML.render(plain, metrics: nil).contains("Propagation"))
  }
}
