import Histogram

/// A finished second's latency histogram kept as its non-empty buckets only. A dense
/// two-digit HdrHistogram over 1 µs…60 s is 2 560 counters (20 KB) whatever it holds, and a run
/// keeps one per second; a second's latencies fill a few dozen buckets, so this is a few
/// hundred bytes. Rebuilding gives back the same buckets: nothing is lost.
public struct SparseLatency: Sendable, Codable, Equatable {
  /// A value inside each non-empty bucket (µs) and the bucket's count, in rising order.
  private var micros: [UInt32] = []
  private var counts: [UInt64] = []
  private var clamped: UInt64 = 0
  /// The exact extremes (a bucket holds a range; percentiles at the ends report these).
  private var lowest: UInt32 = 0
  private var highest: UInt32 = 0
  /// The significant digits it rebuilds with; nil (what a time-series second holds): two.
  private var digits: SignificantDigits?

  public init() {}

  public init(_ histogram: LatencyHistogram) {
    for bucket in histogram.recordedBuckets {
      micros.append(UInt32(min(bucket.micros, UInt64(UInt32.max))))
      counts.append(bucket.count)
    }
    clamped = histogram.clamped
    lowest = UInt32(min(histogram.histogram.minNonZero, UInt64(UInt32.max)))
    highest = UInt32(min(histogram.histogram.maxRecorded, UInt64(UInt32.max)))
    digits = histogram.significantDigits == .two ? nil : histogram.significantDigits
  }

  /// Bytes held for the buckets.
  public var footprintBytes: Int { micros.count * 4 + counts.count * 8 }

  public var isEmpty: Bool { counts.isEmpty }

  /// The histogram again, with the digits it was made with.
  public var histogram: LatencyHistogram {
    var histogram = LatencyHistogram(significantDigits: digits ?? .two)
    // The first bucket's counts go in at the exact lowest value and the last one's at the exact
    // highest (each lies in its bucket), so minimum, maximum and the percentiles clamped to
    // them come back as they were; the others at the value their bucket was read back with.
    let last = counts.count - 1
    for (index, (value, count)) in zip(micros, counts).enumerated() {
      if index == 0 && index == last && count > 1 {
        histogram.record(micros: UInt64(lowest), count: 1)
        histogram.record(micros: UInt64(highest), count: count - 1)
      } else {
        let at = index == 0 ? lowest : index == last ? highest : value
        histogram.record(micros: UInt64(at), count: count)
      }
    }
    histogram.addClamped(clamped)
    return histogram
  }
}
