import Measurements

extension RunReport {
  /// run.json's `fidelity` (contract: `comparable`, `sameFinalCode`, `recordedLatencyMicros`,
  /// `liveLatencyMicros`), with the same per recorded operation, the recorded → live code pairs
  /// and the first transactions whose live outcome differed from the recording.
  public struct Fidelity: Codable, Sendable, Equatable {
    public struct Operation: Codable, Sendable, Equatable {
      public var comparable: UInt64
      public var sameFinalCode: UInt64
      public var recordedLatencyMicros: PercentileSummary
      public var liveLatencyMicros: PercentileSummary
    }

    /// One replayed transaction, recorded next to live.
    public struct Transaction: Codable, Sendable, Equatable {
      /// When it was due, milliseconds after the replay's start.
      public var dueMillis: Double
      /// The live address-of-record and event package.
      public var resource: String
      public var event: String
      public var recordedOperation: String
      /// What was sent ("skipped" when nothing was).
      public var liveOperation: String
      public var recordedStatus: Int?
      /// The live final code, "none" (no response) or "skipped".
      public var live: String
      public var recordedLatencyMicros: UInt64?
      public var liveLatencyMicros: UInt64?

      public init(
        dueMillis: Double, resource: String, event: String, recordedOperation: String, liveOperation: String,
        recordedStatus: Int?, live: String, recordedLatencyMicros: UInt64?, liveLatencyMicros: UInt64?
      ) {
        self.dueMillis = dueMillis
        self.resource = resource
        self.event = event
        self.recordedOperation = recordedOperation
        self.liveOperation = liveOperation
        self.recordedStatus = recordedStatus
        self.live = live
        self.recordedLatencyMicros = recordedLatencyMicros
        self.liveLatencyMicros = liveLatencyMicros
      }

      /// Whether the live outcome differs from a known recorded one.
      public var differs: Bool { recordedStatus.map { String($0) != live } ?? false }
    }

    /// Transactions the replay meant to play (every step of every copy and loop), and those it
    /// played (sent or skipped); fewer when it was stopped early.
    public var planned: UInt64
    public var transactions: UInt64
    public var comparable: UInt64
    public var sameFinalCode: UInt64
    public var recordedLatencyMicros: PercentileSummary
    public var liveLatencyMicros: PercentileSummary
    public var skipped: UInt64
    public var reinitiated: UInt64
    public var operations: [String: Operation]
    /// "recorded → live" final codes, with counts.
    public var codes: [String: UInt64]
    /// The first transactions (in due order) whose live outcome differed.
    public var differences: [Transaction]

    public init(_ metrics: FidelityMetrics, planned: Int, differences: [Transaction]) {
      self.planned = UInt64(planned)
      transactions = metrics.transactions
      comparable = metrics.comparable
      sameFinalCode = metrics.sameFinalCode
      recordedLatencyMicros = metrics.recordedLatency.summary
      liveLatencyMicros = metrics.liveLatency.summary
      skipped = metrics.skipped
      reinitiated = metrics.reinitiated
      operations = metrics.operations.mapValues {
        Operation(
          comparable: $0.comparable, sameFinalCode: $0.sameFinalCode,
          recordedLatencyMicros: $0.recorded.summary,
          liveLatencyMicros: $0.live.summary)
      }
      codes = Dictionary(metrics.codePairs.map { ($0.key.text, $0.value) }, uniquingKeysWith: +)
      if metrics.otherCodePairs > 0 { codes["other"] = metrics.otherCodePairs }
      self.differences = differences
    }

    /// Share of comparable transactions that got the same final code, in percent (100 when none
    /// were comparable).
    public var sameFinalCodePercent: Double {
      comparable == 0 ? 100 : Double(sameFinalCode) / Double(comparable) * 100
    }
  }
}
