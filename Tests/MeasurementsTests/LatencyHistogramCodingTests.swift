import Foundation
import Histogram
import Testing

@testable import Measurements

/// A latency histogram in metrics.json: written as its non-empty buckets, read back with the
/// same counts, percentiles, extremes and clamped count; files written before (the dense form)
/// still read.
@Suite("Latency histograms in JSON")
struct LatencyHistogramCodingTests {
  static func recorded(_ digits: SignificantDigits) -> LatencyHistogram {
    var histogram = LatencyHistogram(significantDigits: digits)
    var random = SystemRandomNumberGenerator()
    for _ in 0..<5_000 {
      histogram.record(nanoseconds: UInt64.random(in: 80_000...3_000_000, using: &random))
    }
    for _ in 0..<50 {
      histogram.record(nanoseconds: UInt64.random(in: 3_000_000...900_000_000, using: &random))
    }
    histogram.record(nanoseconds: 75_000_000_000)  // past 60 s: clamped
    return histogram
  }

  @Test(arguments: [SignificantDigits.two, .three])
  func roundTripKeepsEveryBucket(digits: SignificantDigits) throws {
    let original = Self.recorded(digits)
    let data = try JSONEncoder().encode(original)
    let decoded = try JSONDecoder().decode(LatencyHistogram.self, from: data)
    #expect(decoded.significantDigits == digits)
    #expect(decoded.count == original.count)
    #expect(decoded.clamped == 1)
    #expect(decoded.summary == original.summary)
    #expect(decoded.maxMicros == original.maxMicros)
    #expect(decoded.meanMicros == original.meanMicros)
    #expect(decoded.recordedBuckets.map(\.count) == original.recordedBuckets.map(\.count))
    for percentile in stride(from: 1.0, through: 99.0, by: 7) {
      #expect(decoded.micros(atPercentile: percentile) == original.micros(atPercentile: percentile))
    }
    // The dense form holds every counter up to the highest (17 408 at three digits).
    if digits == .three {
      let dense = try JSONEncoder().encode(DenseLatency(original))
      #expect(data.count * 2 < dense.count, "\(data.count) bytes against \(dense.count)")
    }
  }

  @Test func anEmptyHistogramRoundTrips() throws {
    let decoded = try JSONDecoder().decode(
      LatencyHistogram.self, from: JSONEncoder().encode(LatencyHistogram()))
    #expect(decoded.count == 0)
    #expect(decoded.significantDigits == .three)
  }

  @Test func readsTheDenseFormOfOlderFiles() throws {
    let original = Self.recorded(.three)
    let decoded = try JSONDecoder().decode(
      LatencyHistogram.self, from: JSONEncoder().encode(DenseLatency(original)))
    #expect(decoded.summary == original.summary)
    #expect(decoded.clamped == original.clamped)
  }
}

/// A latency histogram as metrics.json held it before it was written sparse.
struct DenseLatency: Encodable {
  var histogram: Histogram<UInt64>
  var clamped: UInt64

  init(_ latency: LatencyHistogram) {
    histogram = latency.histogram
    clamped = latency.clamped
  }
}
