import Foundation
import Measurements
import Publication

/// run.json: the contract fields of docs/contract.md plus everything else measured, with a schema
/// version so that later readers (`pubsim report`, comparisons, CI scripts) know what they read.
public struct RunReport: Codable, Sendable, Equatable {
  public struct Transactions: Codable, Sendable, Equatable {
    public var sent: UInt64
    public var completed: UInt64
    public var timeouts: UInt64
    public var transportErrors: UInt64
    public var retransmissions: UInt64
    public var lateResponses: UInt64
    public var strayResponses: UInt64
    /// With `tcpAbove`: requests sent over TCP because they were too large for UDP.
    public var switchedToTcp: UInt64?
  }

  public struct Operation: Codable, Sendable, Equatable {
    public var count: UInt64
    public var timeouts: UInt64
    public var responses: [String: UInt64]
    public var latencyMicros: PercentileSummary
    public var latencyMicrosUncorrected: PercentileSummary
  }

  public struct Rate: Codable, Sendable, Equatable {
    /// Transactions per second the schedule asked for.
    public var offered: Double
    /// Final responses per second.
    public var achieved: Double
  }

  public struct Publishers: Codable, Sendable, Equatable {
    /// Most publishers online at once.
    public var peak: Int
    /// Publications left live on the server at the end, as far as the publishers know.
    public var active: Int
  }

  public struct Recovery: Codable, Sendable, Equatable {
    public var conditionalFailed412: UInt64
    public var intervalTooBrief423: UInt64
    public var authChallenges: UInt64
  }

  /// Answers that break the protocol in ways the status code does not show; each is an error.
  public struct ProtocolErrors: Codable, Sendable, Equatable {
    /// 2xx to a publication without SIP-ETag (RFC 3903 §6 requires it).
    public var successWithoutEntityTag: UInt64
    /// 401/407 without a usable challenge, or refusing the credentials just sent.
    public var unanswerableChallenges: UInt64
  }

  public static let currentSchemaVersion = 1

  public var schemaVersion = RunReport.currentSchemaVersion
  /// The pubsim that wrote the report (absent from reports of earlier versions).
  public var pubsimVersion: String? = PubSimVersion.current
  public var kind: String
  public var profile: String
  public var target: String
  public var startedAt: String
  /// The start to the millisecond (Unix time); merging aligns instances' seconds by it. Absent
  /// from earlier reports.
  public var startedAtUnixMillis: Int64?
  /// Which part of a split test this run was (`--instance I/N`); absent for a whole test.
  public var instance: Instance?

  public struct Instance: Codable, Sendable, Equatable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
      self.index = index
      self.count = count
    }
  }

  /// Unix time in milliseconds, as `startedAtUnixMillis` holds it.
  public static func unixMillis(_ date: Date) -> Int64 {
    Int64((date.timeIntervalSince1970 * 1000).rounded())
  }
  public var durationSeconds: Double
  public var stoppedEarly: Bool
  public var transactions: Transactions
  public var operations: [String: Operation]
  public var responses: [String: UInt64]
  public var latencyMicros: PercentileSummary
  public var latencyMicrosUncorrected: PercentileSummary
  public var rate: Rate
  public var publishers: Publishers
  public var recovery: Recovery
  /// Absent from reports of earlier versions (read as none).
  public var protocolErrors: ProtocolErrors?
  /// What became of one kind of injected fault, next to the answer RFC 3903 prescribes.
  public struct Fault: Codable, Sendable, Equatable {
    public var injected: UInt64
    public var responses: [String: UInt64]
    public var timeouts: UInt64
    /// The status RFC 3903 §6 prescribes, and how many answers had it.
    public var prescribed: Int
    public var asPrescribed: UInt64
  }

  /// Injected faults by kind (a profile's `faults:`); absent when none was injected.
  public var faults: [String: Fault]?
  /// The seed of the run's random decisions (`--seed` repeats it); absent from earlier reports.
  public var seed: UInt64?
  /// `--pcap`: the files of the run's own traffic and what they hold; absent without it.
  public var pcap: Pcap?

  public struct Pcap: Codable, Sendable, Equatable {
    /// Oldest first (several with `--pcap-max`'s ring).
    public var files: [String]
    public var packets: Int
    /// Packets the kernel dropped before they were recorded.
    public var dropped: Int

    public init(files: [String], packets: Int, dropped: Int) {
      self.files = files
      self.packets = packets
      self.dropped = dropped
    }
  }
  /// Watchers (a profile's `watchers:`): what the NOTIFYs brought of the published changes,
  /// and how fast; absent without watchers.
  public var notify: Notify?
  /// The watchers' subscriptions; absent without watchers.
  public var subscriptions: Subscriptions?

  public struct Notify: Codable, Sendable, Equatable {
    /// NOTIFYs received in the watchers' dialogs (a retransmission counted once).
    public var notifies: UInt64
    /// Published changes owed to watchers: one per change and watcher subscribed when it left.
    public var expected: UInt64
    /// Owed changes a NOTIFY carried.
    public var received: UInt64
    /// Owed changes that never came (nor anything newer) within the grace period.
    public var missing: UInt64
    /// Owed changes replaced by a newer state before they were notified.
    public var superseded: UInt64
    public var duplicates: UInt64
    /// NOTIFYs carrying an older state than one already received.
    public var stale: UInt64
    /// Owed changes notified before the publisher had its PUBLISH's 2xx.
    public var beforeAnswer: UInt64
    public var retransmitted: UInt64
    public var unknownDialog: UInt64
    /// Propagation: from the PUBLISH's intended send time to the NOTIFY's arrival.
    public var latencyMicros: PercentileSummary
    /// From the PUBLISH's 2xx to the NOTIFY's arrival (NOTIFYs after the 2xx).
    public var latencyMicrosFromAnswer: PercentileSummary
  }

  public struct Subscriptions: Codable, Sendable, Equatable {
    public var watchers: UInt64
    public var established: UInt64
    public var refreshed: UInt64
    public var terminated: UInt64
    public var failed: UInt64
    /// Ended by the watchers themselves (Expires 0).
    public var ended: UInt64
    public var timeouts: UInt64
    public var retransmissions: UInt64
    public var responses: [String: UInt64]
    /// SUBSCRIBE latency, from its send to the final response.
    public var latencyMicros: PercentileSummary
  }

  /// The thresholds checked at the end of the run, if any.
  public var thresholds: [ThresholdResult]?
  /// How the run was set up (profile values and flags), for the report.
  public var parameters: [String: String]?
  /// A replay's fidelity: recorded outcomes and latency next to the live ones.
  public var fidelity: Fidelity?

  public init(
    kind: String, profile: String, target: String, startedAt: String, durationSeconds: Double,
    stoppedEarly: Bool,
    metrics: RunMetrics, peakPublishers: Int, activePublishers: Int
  ) {
    self.kind = kind
    self.profile = profile
    self.target = target
    self.startedAt = startedAt
    self.durationSeconds = durationSeconds
    self.stoppedEarly = stoppedEarly
    transactions = Transactions(
      sent: metrics.sent, completed: metrics.completed, timeouts: metrics.timeouts,
      transportErrors: metrics.transportErrors, retransmissions: metrics.retransmissions,
      lateResponses: metrics.lateResponses, strayResponses: metrics.strayResponses,
      switchedToTcp: metrics.switchedToTCP)
    var operations: [String: Operation] = [:]
    for operation in PublishOperation.allCases {
      let measured = metrics.operations[operation] ?? OperationMetrics()
      operations[operation.rawValue] = Operation(
        count: measured.completed, timeouts: measured.timeouts,
        responses: Self.byCode(measured.responsesByCode),
        latencyMicros: measured.corrected.summary, latencyMicrosUncorrected: measured.uncorrected.summary)
    }
    self.operations = operations
    responses = Self.byCode(metrics.responsesByCode)
    latencyMicros = metrics.all.corrected.summary
    latencyMicrosUncorrected = metrics.all.uncorrected.summary
    let seconds = max(durationSeconds, 0.001)
    let offered = metrics.timeSeries.seconds.reduce(0) { $0 + $1.offered }
    rate = Rate(
      offered: (Double(offered) / seconds * 10).rounded() / 10,
      achieved: (Double(metrics.completed) / seconds * 10).rounded() / 10)
    publishers = Publishers(peak: peakPublishers, active: activePublishers)
    recovery = Recovery(
      conditionalFailed412: metrics.recoveries412, intervalTooBrief423: metrics.retries423,
      authChallenges: metrics.authChallenges)
    faults = metrics.faults.map { all in
      all.reduce(into: [String: Fault]()) { result, entry in
        let prescribed = InjectedFault(rawValue: entry.key)?.prescribedStatus ?? 0
        result[entry.key] = Fault(
          injected: entry.value.injected, responses: Self.byCode(entry.value.responses),
          timeouts: entry.value.timeouts,
          prescribed: prescribed, asPrescribed: entry.value.responses[prescribed] ?? 0)
      }
    }
    if let watchers = metrics.watchers {
      let counts = watchers.notify
      notify = Notify(
        notifies: counts.notifies, expected: counts.expected, received: counts.received,
        missing: counts.missing,
        superseded: counts.superseded, duplicates: counts.duplicates, stale: counts.stale,
        beforeAnswer: counts.beforeAnswer, retransmitted: counts.retransmitted,
        unknownDialog: counts.unknownDialog,
        latencyMicros: watchers.latency.summary, latencyMicrosFromAnswer: watchers.latencyFromAnswer.summary)
      let made = watchers.subscriptions
      subscriptions = Subscriptions(
        watchers: watchers.watchers, established: made.established, refreshed: made.refreshed,
        terminated: made.terminated, failed: made.failed, ended: made.ended, timeouts: made.timeouts,
        retransmissions: made.retransmissions, responses: Self.byCode(made.responsesByCode),
        latencyMicros: watchers.subscribeLatency.summary)
    }
    protocolErrors = ProtocolErrors(
      successWithoutEntityTag: metrics.successWithoutEntityTag,
      unanswerableChallenges: metrics.unanswerableChallenges)
  }

  private static func byCode(_ counts: [Int: UInt64]) -> [String: UInt64] {
    Dictionary(uniqueKeysWithValues: counts.map { (String($0.key), $0.value) })
  }
}
