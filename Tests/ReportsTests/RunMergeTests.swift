import Measurements
import Publication
import Testing

@testable import Reports

/// Instances of a split test merged as one run: all of them or none, seconds lined up by the
/// wall clock, the duration from the first start to the last end.
@Suite("Merging runs")
struct RunMergeTests {
  static let second: UInt64 = 1_000_000_000

  /// A run that completed one transaction in each of its first `seconds` seconds.
  static func part(
    _ path: String, instance: RunReport.Instance?, startMillis: Int64?, seconds: Int = 3
  ) -> RunMerge.Part {
    var metrics = RunMetrics(startedAt: 0)
    for index in 0..<seconds {
      let time = UInt64(index) * second + second / 2
      metrics.recordSend(intendedAt: time, sentAt: time)
      metrics.recordResponse(
        .refresh, statusCode: 200, intendedAt: time, sentAt: time, receivedAt: time + 1_000_000)
    }
    var report = RunReport(
      kind: "run", profile: "p", target: "sip:127.0.0.1", startedAt: "2026-11-30T00:00:00Z",
      durationSeconds: Double(seconds), stoppedEarly: false, metrics: metrics, peakPublishers: 1,
      activePublishers: 1)
    report.instance = instance
    report.startedAtUnixMillis = startMillis
    return RunMerge.Part(path: path, report: report, metrics: metrics)
  }

  static func instance(_ index: Int, of count: Int, startMillis: Int64? = 0) -> RunMerge.Part {
    part("i\(index)", instance: .init(index: index, count: count), startMillis: startMillis)
  }

  @Test func everyInstanceOnceFromOneSplit() {
    #expect(RunMerge.instanceProblem((0..<3).map { Self.instance($0, of: 3) }) == nil)
    #expect(
      RunMerge.instanceProblem([Self.instance(0, of: 3), Self.instance(2, of: 3)])
        == "instance 1/3 missing: 2 of 3 instance reports given")
    #expect(
      RunMerge.instanceProblem([Self.instance(0, of: 2), Self.instance(1, of: 2), Self.instance(1, of: 2)])
        == "i1 and i1 are both instance 1/2")
    #expect(
      RunMerge.instanceProblem([Self.instance(0, of: 2), Self.instance(1, of: 3)])?.contains(
        "not one split test")
        == true)
    #expect(
      RunMerge.instanceProblem([Self.instance(0, of: 1), Self.part("w", instance: nil, startMillis: 0)])
        == "w is a whole run, the others are instances of a split test")
    // Runs of no split merge as they always have.
    #expect(RunMerge.instanceProblem([Self.part("a", instance: nil, startMillis: nil)]) == nil)
  }

  /// The second instance started 2 s after the first: its seconds land two later, the merged
  /// run lasts 5 s, and it starts with the first.
  @Test func secondsLineUpByWallClock() {
    let late = Self.instance(1, of: 2, startMillis: 1_796_000_002_000)
    let early = Self.instance(0, of: 2, startMillis: 1_796_000_000_000)
    let (report, metrics) = RunMerge.merge([late, early])
    #expect(metrics.timeSeries.seconds.map(\.completed) == [1, 1, 2, 1, 1])
    #expect(report.durationSeconds == 5)
    #expect(report.startedAtUnixMillis == 1_796_000_000_000)
    #expect(report.operations["refresh"]?.count == 6)
    #expect(report.kind == "merged")
    #expect(report.parameters?["instances"] == "2, merged")
  }

  /// Reports without a start to the millisecond line up by index, as before.
  @Test func withoutMillisecondsByIndex() {
    let (_, metrics) = RunMerge.merge([
      Self.part("a", instance: nil, startMillis: nil), Self.part("b", instance: nil, startMillis: 5_000),
    ])
    #expect(metrics.timeSeries.seconds.map(\.completed) == [2, 2, 2])
  }
}
