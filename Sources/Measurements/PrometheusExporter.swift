import NIOConcurrencyHelpers
import Prometheus
import Publication

/// Live metrics in Prometheus text format while a run goes on: PUBLISH responses by operation and
/// code, timeouts, retransmissions, requests sent, in flight, publishers online, and latency (from
/// intended send) histograms by operation. Fed once a second from the shards' cumulative
/// counts, so the per-message path pays nothing for it.
public final class PrometheusExporter: Sendable {
  /// Cumulative figures of the whole run at one moment.
  public struct Snapshot: Sendable {
    public var sent: UInt64 = 0
    public var retransmissions: UInt64 = 0
    public var inFlight = 0
    public var activePublishers = 0
    public var operations: [PublishOperation: OperationCounts] = [:]
    /// With watchers: owed changes (expected, received, missing), NOTIFYs, subscriptions and the
    /// propagation latency in live buckets.
    public var notify: [String: UInt64] = [:]
    public var subscriptions: [String: UInt64] = [:]
    public var propagation = [UInt64](repeating: 0, count: LiveBuckets.boundsMicros.count + 1)

    public init() {}

    /// `pubsim_NAME_UNIT`, with its help text.
    private static func name(_ metric: String, _ unit: String?, _ help: String) -> MetricNameDescriptor {
      MetricNameDescriptor(namespace: "pubsim", metricName: metric, unitName: unit ?? "", helpText: help)
    }

    public mutating func merge(_ other: Snapshot) {
      sent += other.sent
      retransmissions += other.retransmissions
      inFlight += other.inFlight
      activePublishers += other.activePublishers
      for (operation, counts) in other.operations {
        operations[operation, default: OperationCounts()].merge(counts)
      }
      notify.merge(other.notify, uniquingKeysWith: +)
      subscriptions.merge(other.subscriptions, uniquingKeysWith: +)
      for index in propagation.indices { propagation[index] += other.propagation[index] }
    }

    /// A shard's watchers so far.
    public mutating func add(_ watchers: WatcherMetrics) {
      let counts = watchers.notify
      notify.merge(
        [
          "expected": counts.expected, "received": counts.received, "missing": counts.missing,
          "notifies": counts.notifies, "duplicates": counts.duplicates, "stale": counts.stale,
        ], uniquingKeysWith: +)
      let made = watchers.subscriptions
      subscriptions.merge(
        [
          "established": made.established, "refreshed": made.refreshed, "terminated": made.terminated,
          "failed": made.failed, "ended": made.ended,
        ], uniquingKeysWith: +)
      for bucket in watchers.latency.recordedBuckets {
        propagation[LiveBuckets.index(micros: bucket.micros)] += bucket.count
      }
    }

    public mutating func add(_ metrics: RunMetrics, inFlight: Int, activePublishers: Int) {
      sent += metrics.sent
      retransmissions += metrics.retransmissions
      self.inFlight += inFlight
      self.activePublishers += activePublishers
      for (operation, measured) in metrics.operations {
        operations[operation, default: OperationCounts()].add(measured)
      }
    }
  }

  public struct OperationCounts: Sendable {
    public var responsesByCode: [Int: UInt64] = [:]
    public var timeouts: UInt64 = 0
    public var buckets = [UInt64](repeating: 0, count: LiveBuckets.boundsMicros.count + 1)

    mutating func merge(_ other: OperationCounts) {
      responsesByCode.merge(other.responsesByCode, uniquingKeysWith: +)
      timeouts += other.timeouts
      for index in buckets.indices where index < other.buckets.count {
        buckets[index] += other.buckets[index]
      }
    }

    mutating func add(_ metrics: OperationMetrics) {
      responsesByCode.merge(metrics.responsesByCode, uniquingKeysWith: +)
      timeouts += metrics.timeouts
      for index in buckets.indices where index < metrics.liveBuckets.count {
        buckets[index] += metrics.liveBuckets[index]
      }
    }
  }

  public let registry = PrometheusCollectorRegistry()
  private let state = NIOLockedValueBox(Snapshot())

  public init() {}

  /// `pubsim_NAME_UNIT`, with its help text.
  private static func name(_ metric: String, _ unit: String?, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(namespace: "pubsim", metricName: metric, unitName: unit ?? "", helpText: help)
  }

  /// Brings the exported metrics up to `snapshot` (counts only grow).
  public func update(_ snapshot: Snapshot) {
    let previous = state.withLockedValue { current in
      defer { current = snapshot }
      return current
    }
    registry.makeCounter(
      descriptor: Self.name("requests_sent", "total", "PUBLISH requests sent, retransmissions apart")
    ).increment(
      by: Int64(snapshot.sent - min(previous.sent, snapshot.sent)))
    registry.makeCounter(descriptor: Self.name("retransmissions", "total", "UDP retransmissions (Timer E)"))
      .increment(
        by: Int64(snapshot.retransmissions - min(previous.retransmissions, snapshot.retransmissions)))
    registry.makeGauge(descriptor: Self.name("in_flight", nil, "transactions awaiting a final response"))
      .record(Int64(snapshot.inFlight))
    registry.makeGauge(descriptor: Self.name("publishers_active", nil, "publishers online")).record(
      Int64(snapshot.activePublishers))
    for (operation, counts) in snapshot.operations {
      let before = previous.operations[operation] ?? OperationCounts()
      let labels = [("operation", operation.rawValue)]
      for (code, count) in counts.responsesByCode {
        let delta = count - min(before.responsesByCode[code] ?? 0, count)
        registry.makeCounter(
          descriptor: Self.name("responses", "total", "final responses by operation and status code"),
          labels: labels + [("code", String(code))]
        )
        .increment(by: Int64(delta))
      }
      registry.makeCounter(
        descriptor: Self.name("timeouts", "total", "transactions that timed out (Timer F)"), labels: labels
      )
      .increment(by: Int64(counts.timeouts - min(before.timeouts, counts.timeouts)))
      let histogram = registry.makeValueHistogram(
        descriptor: Self.name("latency", "seconds", "latency from the intended send time"), labels: labels,
        buckets: LiveBuckets.boundsMicros.map { Double($0) / 1e6 })
      for (index, count) in counts.buckets.enumerated() {
        let delta = count - min(before.buckets[index], count)
        let value =
          index < LiveBuckets.boundsMicros.count
          ? Double(LiveBuckets.boundsMicros[index]) / 1e6
          : Double(LiveBuckets.boundsMicros.last ?? 0) / 1e6 * 2
        for _ in 0..<delta { histogram.record(value) }
      }
    }
    updateWatchers(snapshot, previous: previous)
  }

  /// Owed changes, NOTIFYs, subscriptions and propagation latency (with watchers only).
  private func updateWatchers(_ snapshot: Snapshot, previous: Snapshot) {
    for (kind, count) in snapshot.notify {
      registry.makeCounter(
        descriptor: Self.name(
          "notify_changes", "total", "published changes owed to watchers, by what became of them"),
        labels: [("kind", kind)]
      ).increment(by: Int64(count - min(previous.notify[kind] ?? 0, count)))
    }
    for (outcome, count) in snapshot.subscriptions {
      registry.makeCounter(
        descriptor: Self.name("subscriptions", "total", "watchers' subscriptions by outcome"),
        labels: [("outcome", outcome)]
      ).increment(by: Int64(count - min(previous.subscriptions[outcome] ?? 0, count)))
    }
    guard snapshot.propagation.contains(where: { $0 > 0 }) else { return }
    let histogram = registry.makeValueHistogram(
      descriptor: Self.name(
        "notify_latency", "seconds", "propagation: from the changing PUBLISH's intended send to the NOTIFY"),
      buckets: LiveBuckets.boundsMicros.map { Double($0) / 1e6 })
    for (index, count) in snapshot.propagation.enumerated() {
      let delta = count - min(previous.propagation[index], count)
      let value =
        index < LiveBuckets.boundsMicros.count
        ? Double(LiveBuckets.boundsMicros[index]) / 1e6 : Double(LiveBuckets.boundsMicros.last ?? 0) / 1e6 * 2
      for _ in 0..<delta { histogram.record(value) }
    }
  }

  /// The metrics in Prometheus text exposition format.
  public func text() -> [UInt8] {
    registry.emitToBuffer()
  }
}
