import Histogram

/// Latencies in microseconds from 1 µs to 60 s with three significant digits (HdrHistogram), so
/// percentiles are exact to 0.1 % and histograms from several shards or runs merge losslessly.
/// Values above 60 s are clamped to 60 s and counted in ``clamped``.
public struct LatencyHistogram: Sendable, Codable, Equatable {
  public static let highestMicros: UInt64 = 60_000_000

  public private(set) var histogram: Histogram<UInt64>
  public private(set) var clamped: UInt64 = 0

  public init(significantDigits: SignificantDigits = .three) {
    histogram = Histogram(
      lowestDiscernibleValue: 1, highestTrackableValue: Self.highestMicros,
      numberOfSignificantValueDigits: significantDigits)
  }

  public var count: UInt64 { histogram.totalCount }

  /// Records a latency given in nanoseconds.
  public mutating func record(nanoseconds: UInt64) {
    let micros = max(nanoseconds / 1_000, 1)
    if micros > Self.highestMicros {
      clamped += 1
      _ = histogram.record(Self.highestMicros)
    } else {
      _ = histogram.record(micros)
    }
  }

  /// Records `count` latencies of `micros` (a bucket read back from ``recordedBuckets``).
  public mutating func record(micros: UInt64, count: UInt64) {
    guard count > 0 else { return }
    _ = histogram.record(min(max(micros, 1), Self.highestMicros), count: count)
  }

  /// Every bucket that holds a count: a value inside it (µs) and the count.
  public var recordedBuckets: [(micros: UInt64, count: UInt64)] {
    histogram.recordedValues().map { ($0.value, UInt64($0.count)) }
  }

  /// The digits the histogram was made with.
  public var significantDigits: SignificantDigits { histogram.numberOfSignificantValueDigits }

  /// Restores values that were counted as clamped (when rebuilding a histogram).
  mutating func addClamped(_ count: UInt64) {
    clamped += count
  }

  public mutating func merge(_ other: LatencyHistogram) {
    histogram.add(other.histogram)
    clamped += other.clamped
  }

  /// The value at a percentile (0...100) in microseconds; 0 when empty.
  public func micros(atPercentile percentile: Double) -> UInt64 {
    count == 0 ? 0 : histogram.valueAtPercentile(percentile)
  }

  public var maxMicros: UInt64 { count == 0 ? 0 : histogram.max }

  /// The mean in microseconds; 0 when empty.
  public var meanMicros: Double { count == 0 ? 0 : histogram.mean }

  /// The contract's percentile summary.
  public var summary: PercentileSummary {
    PercentileSummary(
      p50: micros(atPercentile: 50), p90: micros(atPercentile: 90), p99: micros(atPercentile: 99),
      p999: micros(atPercentile: 99.9), p9999: micros(atPercentile: 99.99), max: maxMicros)
  }

  public static func == (lhs: LatencyHistogram, rhs: LatencyHistogram) -> Bool {
    lhs.count == rhs.count && lhs.clamped == rhs.clamped && lhs.summary == rhs.summary
  }

  // MARK: Codable

  /// The dense form older metrics.json files hold.
  private enum CodingKeys: String, CodingKey { case histogram, clamped }

  /// Reads either form: the non-empty buckets, or the dense form of older files.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    guard container.contains(.histogram) else {
      self = try SparseLatency(from: decoder).histogram
      return
    }
    histogram = try container.decode(Histogram<UInt64>.self, forKey: .histogram)
    clamped = try container.decode(UInt64.self, forKey: .clamped)
  }

  /// Written as its non-empty buckets (``SparseLatency``), losing nothing. The dense form is
  /// 17 408 counters a histogram whatever it holds: a run's metrics.json was 380 KB of mostly
  /// zeros, and encoding it took about 5 % of a 10 s run's CPU.
  public func encode(to encoder: any Encoder) throws {
    try SparseLatency(self).encode(to: encoder)
  }
}

/// p50, p90, p99, p99.9 and max in microseconds: `latencyMicros` in run.json.
public struct PercentileSummary: Sendable, Codable, Equatable {
  public var p50: UInt64
  public var p90: UInt64
  public var p99: UInt64
  public var p999: UInt64
  /// p99.99 (absent from reports written before it).
  public var p9999: UInt64?
  public var max: UInt64

  public init(p50: UInt64, p90: UInt64, p99: UInt64, p999: UInt64, p9999: UInt64? = nil, max: UInt64) {
    self.p50 = p50
    self.p90 = p90
    self.p99 = p99
    self.p999 = p999
    self.p9999 = p9999
    self.max = max
  }
}
