import Publication

/// What a run's watchers measured: their subscriptions, the NOTIFYs they were sent, and how long
/// each published change took to reach them (propagation). Kept apart from the PUBLISH figures:
/// a SUBSCRIBE is not a publication, and its answers and latency are not the compositor's
/// PUBLISH service. Shards merge exactly, as ``RunMetrics`` does.
public struct WatcherMetrics: Sendable, Codable, Equatable {
  /// What became of the watchers' SUBSCRIBE requests.
  public struct Subscriptions: Sendable, Codable, Equatable {
    /// New subscriptions the notifier accepted (2xx).
    public var established: UInt64 = 0
    /// Refreshes in a dialog it accepted.
    public var refreshed: UInt64 = 0
    /// Subscriptions the notifier ended: a `terminated` NOTIFY the watcher did not ask for, or 481
    /// to a refresh.
    public var terminated: UInt64 = 0
    /// SUBSCRIBE requests refused (non-2xx) or timed out.
    public var failed: UInt64 = 0
    /// Subscriptions the watchers ended themselves (Expires 0), at the end of a session or the run.
    public var ended: UInt64 = 0
    public var timeouts: UInt64 = 0
    /// UDP retransmissions of SUBSCRIBE (Timer E).
    public var retransmissions: UInt64 = 0
    public var responsesByCode: [Int: UInt64] = [:]

    mutating func merge(_ other: Subscriptions) {
      established += other.established
      refreshed += other.refreshed
      terminated += other.terminated
      failed += other.failed
      ended += other.ended
      timeouts += other.timeouts
      retransmissions += other.retransmissions
      responsesByCode.merge(other.responsesByCode, uniquingKeysWith: +)
    }
  }

  /// The NOTIFYs, judged against the changes the publishers made.
  public struct Notifies: Sendable, Codable, Equatable {
    /// NOTIFY requests received in a known dialog (a UDP retransmission counts once).
    public var notifies: UInt64 = 0
    /// Retransmissions of a NOTIFY already answered (answered again, counted once above).
    public var retransmitted: UInt64 = 0
    /// NOTIFYs for no dialog a watcher holds (answered 481).
    public var unknownDialog: UInt64 = 0
    /// Changes published while the watcher's subscription was in place or being made, one per
    /// change and watcher: what the watchers are owed.
    public var expected: UInt64 = 0
    /// Owed changes a NOTIFY carried.
    public var received: UInt64 = 0
    /// Owed changes no NOTIFY carried within the grace period, nor a later state that replaced
    /// them.
    public var missing: UInt64 = 0
    /// Owed changes skipped because a NOTIFY already carried a newer state of the presentity (a
    /// notifier may rate-limit NOTIFYs and send only the latest state, RFC 6665 §4.1.2.4).
    public var superseded: UInt64 = 0
    /// NOTIFYs carrying a change the watcher already had, other than the one that follows each
    /// SUBSCRIBE.
    public var duplicates: UInt64 = 0
    /// NOTIFYs carrying an older change than one already received (out of order).
    public var stale: UInt64 = 0
    /// Owed changes that reached the watcher before the publisher had the PUBLISH's 2xx (no
    /// latency from the answer for these).
    public var beforeAnswer: UInt64 = 0

    mutating func merge(_ other: Notifies) {
      notifies += other.notifies
      retransmitted += other.retransmitted
      unknownDialog += other.unknownDialog
      expected += other.expected
      received += other.received
      missing += other.missing
      superseded += other.superseded
      duplicates += other.duplicates
      stale += other.stale
      beforeAnswer += other.beforeAnswer
    }
  }

  public var startedAt: UInt64
  /// Watchers in the run.
  public var watchers: UInt64 = 0
  public var subscriptions = Subscriptions()
  public var notify = Notifies()
  /// SUBSCRIBE latency, from the send to the final response.
  public private(set) var subscribeLatency = LatencyHistogram()
  /// Propagation: from the changing PUBLISH's intended send time to the NOTIFY's arrival.
  public private(set) var latency = LatencyHistogram()
  /// From the PUBLISH's 2xx to the NOTIFY's arrival (NOTIFYs after the 2xx only).
  public private(set) var latencyFromAnswer = LatencyHistogram()
  /// Per second: `completed` counts owed changes received, with their propagation latency.
  public private(set) var timeSeries = TimeSeries()

  public init(startedAt: UInt64) {
    self.startedAt = startedAt
  }

  /// The watchers' NOTIFY loss: owed changes that never arrived, as a fraction of those owed.
  public var lossFraction: Double {
    notify.expected == 0 ? 0 : Double(notify.missing) / Double(notify.expected)
  }

  public mutating func recordSubscribeResponse(statusCode: Int, latency: UInt64) {
    subscriptions.responsesByCode[statusCode, default: 0] += 1
    subscribeLatency.record(nanoseconds: latency)
  }

  public mutating func recordSubscribeTimeout() {
    subscriptions.timeouts += 1
  }

  public mutating func record(_ outcome: WatcherStateMachine.Outcome) {
    switch outcome {
    case .none: break
    case .established: subscriptions.established += 1
    case .refreshed: subscriptions.refreshed += 1
    case .failed: subscriptions.failed += 1
    case .terminated: subscriptions.terminated += 1
    case .ended: subscriptions.ended += 1
    }
  }

  /// An owed change arrived at `receivedAt`; `answeredAt` is when its PUBLISH's 2xx came (nil:
  /// not yet).
  public mutating func recordPropagation(intendedAt: UInt64, answeredAt: UInt64?, receivedAt: UInt64) {
    notify.received += 1
    let fromIntended = receivedAt > intendedAt ? receivedAt - intendedAt : 0
    latency.record(nanoseconds: fromIntended)
    if let answeredAt, answeredAt <= receivedAt {
      latencyFromAnswer.record(nanoseconds: receivedAt - answeredAt)
    } else {
      notify.beforeAnswer += 1
    }
    let elapsed = receivedAt > startedAt ? receivedAt - startedAt : 0
    timeSeries[elapsed: elapsed].completed += 1
    timeSeries.recordLatency(nanoseconds: fromIntended, atElapsed: elapsed)
  }

  /// Adds another run's watchers; `shiftedBy` as ``RunMetrics/merge(_:shiftedBy:)``.
  public mutating func merge(_ other: WatcherMetrics, shiftedBy shift: Int = 0) {
    watchers += other.watchers
    subscriptions.merge(other.subscriptions)
    notify.merge(other.notify)
    subscribeLatency.merge(other.subscribeLatency)
    latency.merge(other.latency)
    latencyFromAnswer.merge(other.latencyFromAnswer)
    timeSeries.merge(other.timeSeries, shiftedBy: shift)
  }
}
