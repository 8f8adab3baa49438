/// How closely a replay reproduced its recording: for transactions whose recorded final response
/// is known, whether the live server gave the same final code, and the recorded and live latency
/// per recorded operation. Mergeable across shards, like ``RunMetrics``.
public struct FidelityMetrics: Sendable, Codable, Equatable {
  public struct OperationFidelity: Sendable, Codable, Equatable {
    public var comparable: UInt64 = 0
    public var sameFinalCode: UInt64 = 0
    public var recorded = LatencyHistogram()
    public var live = LatencyHistogram()

    public init() {}

    mutating func merge(_ other: OperationFidelity) {
      comparable += other.comparable
      sameFinalCode += other.sameFinalCode
      recorded.merge(other.recorded)
      live.merge(other.live)
    }
  }

  /// Replayed transactions (sent or skipped).
  public var transactions: UInt64 = 0
  /// Those with a recorded final response, and of those, how many got the same code live.
  public var comparable: UInt64 = 0
  public var sameFinalCode: UInt64 = 0
  /// Conditional requests sent as a fresh initial publication because their chain was broken.
  public var reinitiated: UInt64 = 0
  public var skipped: UInt64 = 0
  /// Comparable transactions by recorded operation ("unclassified" for none of the four).
  public var operations: [String: OperationFidelity] = [:]
  /// "recorded → live" final codes over comparable transactions ("none" for no response,
  /// "skipped" for not sent).
  public var codePairs: [String: UInt64] = [:]

  public init() {}

  /// One replayed transaction. `live` is the live final code, nil when none came (or, with
  /// `skipped`, when it was not sent).
  public mutating func record(
    operation: String, recordedStatus: Int?, recordedLatencyMicros: UInt64?, live: Int?,
    liveLatencyMicros: UInt32?, skipped: Bool, reinitiated: Bool
  ) {
    transactions += 1
    if skipped { self.skipped += 1 }
    if reinitiated { self.reinitiated += 1 }
    guard let recordedStatus else { return }
    comparable += 1
    var entry = operations[operation] ?? OperationFidelity()
    entry.comparable += 1
    if live == recordedStatus {
      sameFinalCode += 1
      entry.sameFinalCode += 1
    }
    if let recordedLatencyMicros { entry.recorded.record(nanoseconds: recordedLatencyMicros * 1_000) }
    if let liveLatencyMicros { entry.live.record(nanoseconds: UInt64(liveLatencyMicros) * 1_000) }
    operations[operation] = entry
    let liveText = skipped ? "skipped" : live.map(String.init) ?? "none"
    codePairs["\(recordedStatus) → \(liveText)", default: 0] += 1
  }

  public mutating func merge(_ other: FidelityMetrics) {
    transactions += other.transactions
    comparable += other.comparable
    sameFinalCode += other.sameFinalCode
    reinitiated += other.reinitiated
    skipped += other.skipped
    for (operation, entry) in other.operations {
      operations[operation, default: OperationFidelity()].merge(entry)
    }
    for (pair, count) in other.codePairs { codePairs[pair, default: 0] += count }
  }

  /// Recorded and live latency over every comparable transaction.
  public var recordedLatency: LatencyHistogram { merged(\.recorded) }
  public var liveLatency: LatencyHistogram { merged(\.live) }

  private func merged(_ path: KeyPath<OperationFidelity, LatencyHistogram>) -> LatencyHistogram {
    operations.values.reduce(into: LatencyHistogram()) { $0.merge($1[keyPath: path]) }
  }
}
