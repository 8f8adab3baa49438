import Measurements
import Testing

/// Shards (and machines) measure apart and are merged: the merge must be what one recorder
/// would have measured, exactly.
@Suite("Merging measurements")
struct MergeTests {
  @Test func histogramsMergeExactly() {
    var whole = LatencyHistogram()
    var parts = [LatencyHistogram(), LatencyHistogram(), LatencyHistogram()]
    for micros in stride(from: UInt64(10), through: 30_000, by: 7) {
      whole.record(nanoseconds: micros * 1_000)
      parts[Int(micros % 3)].record(nanoseconds: micros * 1_000)
    }
    var merged = LatencyHistogram()
    for part in parts { merged.merge(part) }
    #expect(merged == whole)
    #expect(merged.summary == whole.summary)
  }

  @Test func timeSeriesAlignBySecondAndAdd() {
    var first = TimeSeries()
    var second = TimeSeries()
    first[elapsed: 500_000_000].completed += 3
    second[elapsed: 900_000_000].completed += 2
    second[elapsed: 2_100_000_000].completed += 5
    first.merge(second)
    #expect(first.seconds.map(\.completed) == [5, 0, 5])
  }
}
