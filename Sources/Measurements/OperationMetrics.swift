/// Outcomes of one kind of PUBLISH (or of all of them): how many completed, by status code, and
/// their latency measured from the intended send time (``corrected``, which a stalled server
/// cannot hide) and from the actual send time (``uncorrected``).
public struct OperationMetrics: Sendable, Codable, Equatable {
  public var completed: UInt64 = 0
  public var responsesByCode: [Int: UInt64] = [:]
  public var timeouts: UInt64 = 0
  public var corrected = LatencyHistogram()
  public var uncorrected = LatencyHistogram()
  /// Latency from intended send counted in ``LiveBuckets`` (for live Prometheus histograms).
  public var liveBuckets = [UInt64](repeating: 0, count: LiveBuckets.boundsMicros.count + 1)

  public init() {}

  mutating func recordResponse(statusCode: Int, fromIntended: UInt64, fromSent: UInt64) {
    completed += 1
    responsesByCode[statusCode, default: 0] += 1
    corrected.record(nanoseconds: fromIntended)
    liveBuckets[LiveBuckets.index(micros: fromIntended / 1_000)] += 1
    uncorrected.record(nanoseconds: fromSent)
  }

  public mutating func merge(_ other: OperationMetrics) {
    completed += other.completed
    responsesByCode.merge(other.responsesByCode, uniquingKeysWith: +)
    timeouts += other.timeouts
    for index in liveBuckets.indices where index < other.liveBuckets.count {
      liveBuckets[index] += other.liveBuckets[index]
    }
    corrected.merge(other.corrected)
    uncorrected.merge(other.uncorrected)
  }
}
