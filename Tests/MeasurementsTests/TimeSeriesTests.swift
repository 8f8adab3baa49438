import Foundation
import Testing

@testable import Measurements

/// The per-second series keeps finished seconds as their non-empty buckets: the same
/// percentiles as a dense histogram, through merges and JSON, at a fraction of the memory.
@Suite("Time series")
struct TimeSeriesTests {
  static let second: UInt64 = 1_000_000_000

  /// 20 seconds of 500 latencies each, spread from 0.2 ms to 20 ms, and the dense histograms
  /// that recorded the same values.
  static func recorded() -> (TimeSeries, [LatencyHistogram]) {
    var series = TimeSeries()
    var dense: [LatencyHistogram] = []
    var random = SystemRandomNumberGenerator()
    for index in 0..<20 {
      var reference = LatencyHistogram(significantDigits: .two)
      for _ in 0..<500 {
        let latency = UInt64.random(in: 200_000...20_000_000, using: &random)
        series.recordLatency(nanoseconds: latency, atElapsed: UInt64(index) * second + 1)
        reference.record(nanoseconds: latency)
      }
      dense.append(reference)
    }
    return (series, dense)
  }

  @Test func finishedSecondsKeepEveryBucket() {
    let (series, dense) = Self.recorded()
    for (second, reference) in zip(series.seconds, dense) {
      #expect(second.latency.count == reference.count)
      #expect(second.latency.summary == reference.summary)
      #expect(second.latency.recordedBuckets.map(\.count) == reference.recordedBuckets.map(\.count))
    }
  }

  /// A second as a loaded server answers it: most within a millisecond or two, a tail to 50 ms.
  @Test func aFinishedSecondIsSmallerThanADenseOne() {
    var dense = [LatencyHistogram(significantDigits: .two)]
    var random = SystemRandomNumberGenerator()
    for _ in 0..<2_000 {
      dense[0].record(nanoseconds: UInt64.random(in: 600_000...2_500_000, using: &random))
    }
    for _ in 0..<20 {
      dense[0].record(nanoseconds: UInt64.random(in: 2_500_000...50_000_000, using: &random))
    }
    let sparse = SparseLatency(dense[0]).footprintBytes
    let whole = dense[0].histogram.estimatedFootprintInBytes
    #expect(sparse * 4 < whole, "sparse \(sparse) B, dense \(whole) B")
  }

  @Test func mergingAndJSONKeepTheBuckets() throws {
    let (one, denseOne) = Self.recorded()
    let (other, denseOther) = Self.recorded()
    var merged = one
    merged.merge(other)
    let decoded = try JSONDecoder().decode(TimeSeries.self, from: JSONEncoder().encode(merged))
    #expect(decoded == merged)
    for index in 0..<20 {
      var reference = denseOne[index]
      reference.merge(denseOther[index])
      #expect(decoded.seconds[index].latency.summary == reference.summary)
      #expect(decoded.seconds[index].latency.count == 1000)
    }
  }

  /// metrics.json from before seconds were sparse held each second's whole histogram.
  @Test func readsSecondsWrittenWithDenseHistograms() throws {
    var dense = LatencyHistogram(significantDigits: .two)
    for micros in [300, 450, 9_000] { dense.record(nanoseconds: UInt64(micros) * 1_000) }
    let latency = String(decoding: try JSONEncoder().encode(DenseLatency(dense)), as: UTF8.self)
    let json =
      #"{"seconds":[{"offered":3,"sent":3,"completed":3,"errors":0,"inFlight":0,"activePublishers":3,"latency":"#
      + latency + "}]}"
    let series = try JSONDecoder().decode(TimeSeries.self, from: Data(json.utf8))
    #expect(series.seconds[0].latency.summary == dense.summary)
    #expect(series.seconds[0].completed == 3)
  }

  /// What a shard does during a long run: finished seconds go to the spill file as the run goes
  /// on, late counts land in their place, and everything comes back whole at the end.
  @Test func spilledSecondsComeBackWithLateCounts() throws {
    let (original, _) = Self.recorded()
    var series = original
    let spill = try #require(SecondSpill())
    for (index, second) in series.takeFinished(before: 15) { try spill.write(index, second) }
    #expect(series.seconds[3].latency.count == 0, "taken out of memory")
    #expect(spill.size > 0)
    series[elapsed: 3 * Self.second + 5].offered += 2
    series.restore(try spill.readAll())
    #expect(series.seconds[3].offered == original.seconds[3].offered + 2)
    series[elapsed: 3 * Self.second + 5].offered -= 2
    #expect(series == original)
  }
}
