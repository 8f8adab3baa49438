/// How closely a replay reproduced its recording: for transactions whose recorded final response
/// is known, whether the live server gave the same final code, and the recorded and live latency
/// per recorded operation. Mergeable across shards and runs, like ``RunMetrics``. Recording is
/// in place and builds no strings: it runs once per replayed transaction on a shard's loop.
public struct FidelityMetrics: Sendable, Codable, Equatable {
  public struct OperationFidelity: Sendable, Codable, Equatable {
    public var comparable: UInt64 = 0
    public var sameFinalCode: UInt64 = 0
    public var recorded = LatencyHistogram()
    public var live = LatencyHistogram()

    public init() {}

    mutating func add(same: Bool, recordedMicros: UInt64?, liveMicros: UInt32?) {
      comparable += 1
      if same { sameFinalCode += 1 }
      if let recordedMicros { recorded.record(nanoseconds: min(recordedMicros, UInt64.max / 1_000) * 1_000) }
      if let liveMicros { live.record(nanoseconds: UInt64(liveMicros) * 1_000) }
    }

    mutating func merge(_ other: OperationFidelity) {
      comparable += other.comparable
      sameFinalCode += other.sameFinalCode
      recorded.merge(other.recorded)
      live.merge(other.live)
    }
  }

  /// A recorded final code and what became of it live.
  public struct CodePair: Sendable, Codable, Hashable {
    /// The live outcome when there was no final code.
    public static let noResponse = -1
    public static let skipped = -2

    public var recorded: Int
    /// The live final code, or ``noResponse`` or ``skipped``.
    public var live: Int

    public init(recorded: Int, live: Int) {
      self.recorded = recorded
      self.live = live
    }

    /// `200 → 412`, `200 → none`, `200 → skipped`.
    public var text: String {
      let outcome =
        switch live {
        case Self.noResponse: "none"
        case Self.skipped: "skipped"
        default: String(live)
        }
      return "\(recorded) → \(outcome)"
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
  /// Recorded → live final codes over comparable transactions, at most ``codePairLimit``
  /// distinct pairs: the codes come from a trace and a server, and a hostile pair of them could
  /// otherwise make hundreds of thousands.
  public private(set) var codePairs: [CodePair: UInt64] = [:]
  /// Transactions whose pair came after the limit was reached (counted, not listed).
  public private(set) var otherCodePairs: UInt64 = 0
  public static let codePairLimit = 1_000

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
    let same = live == recordedStatus
    if same { sameFinalCode += 1 }
    // One lookup, in place: a copy of the entry would copy both histograms' counts.
    operations[operation, default: OperationFidelity()].add(
      same: same, recordedMicros: recordedLatencyMicros, liveMicros: liveLatencyMicros)
    let outcome = skipped ? CodePair.skipped : live ?? CodePair.noResponse
    count(CodePair(recorded: recordedStatus, live: outcome), times: 1)
  }

  private mutating func count(_ pair: CodePair, times: UInt64) {
    if codePairs[pair] == nil && codePairs.count >= Self.codePairLimit {
      otherCodePairs += times
    } else {
      codePairs[pair, default: 0] += times
    }
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
    otherCodePairs += other.otherCodePairs
    for (pair, times) in other.codePairs { count(pair, times: times) }
  }

  /// Recorded and live latency over every comparable transaction.
  public var recordedLatency: LatencyHistogram { merged(\.recorded) }
  public var liveLatency: LatencyHistogram { merged(\.live) }

  private func merged(_ path: KeyPath<OperationFidelity, LatencyHistogram>) -> LatencyHistogram {
    operations.values.reduce(into: LatencyHistogram()) { $0.merge($1[keyPath: path]) }
  }
}
