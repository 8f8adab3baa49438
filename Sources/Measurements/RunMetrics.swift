import Publication

/// Everything one shard measures during a run; shards merge exactly (histograms add bucket by
/// bucket) when the run is reported. Times are monotonic nanoseconds; `startedAt` anchors the
/// time series.
public struct RunMetrics: Sendable, Codable, Equatable {
  public var startedAt: UInt64
  public private(set) var operations: [PublishOperation: OperationMetrics] = [:]
  public private(set) var all = OperationMetrics()
  /// Transactions started (each counted once, however often retransmitted).
  public private(set) var sent: UInt64 = 0
  public private(set) var timeouts: UInt64 = 0
  public private(set) var transportErrors: UInt64 = 0
  /// UDP retransmissions sent (Timer E).
  public private(set) var retransmissions: UInt64 = 0
  /// 412 answers after which the publisher started over with an initial publication.
  public var recoveries412: UInt64 = 0
  /// 423 answers retried with Min-Expires.
  public var retries423: UInt64 = 0
  /// 401/407 challenges answered.
  public var authChallenges: UInt64 = 0
  /// 2xx answers to a publication (not a remove) without the SIP-ETag the server must send
  /// (RFC 3903 §6): the publisher cannot go on, so each counts as an error.
  public var successWithoutEntityTag: UInt64 = 0
  /// 401/407 answers a publisher could not answer: no usable challenge, or a second one to a
  /// request that already carried credentials (refused, not a stale nonce). Errors.
  public var unanswerableChallenges: UInt64 = 0
  /// Responses for transactions already finished (after a timeout, or duplicates).
  public var lateResponses: UInt64 = 0
  /// Responses matching no transaction of this run, or unparseable.
  public var strayResponses: UInt64 = 0
  /// Requests sent over TCP rather than UDP because they were too large (RFC 3261 §18.1.1,
  /// `tcpAbove`); nil when the switch was off (and in metrics.json written before it).
  public var switchedToTCP: UInt64?
  /// Requests the server sent to pubsim's sockets (NOTIFYs to watchers), each answered.
  public var incomingRequests: UInt64 = 0
  /// Injected faults by kind (a profile's `faults:`); nil when none was (and in metrics.json
  /// written before them).
  public private(set) var faults: [String: FaultCounts]?
  public private(set) var timeSeries = TimeSeries()
  /// A replay's recorded-versus-live figures (nil for a profile's run).
  public var fidelity: FidelityMetrics?
  /// The watchers' subscriptions and NOTIFYs (nil for a run without watchers).
  public var watchers: WatcherMetrics?

  public init(startedAt: UInt64) {
    self.startedAt = startedAt
  }

  private func elapsed(_ time: UInt64) -> UInt64 { time > startedAt ? time - startedAt : 0 }

  public mutating func recordSend(intendedAt: UInt64, sentAt: UInt64) {
    sent += 1
    timeSeries[elapsed: elapsed(intendedAt)].offered += 1
    timeSeries[elapsed: elapsed(sentAt)].sent += 1
  }

  /// A request with an injected fault left (not a transaction of the run's operations).
  public mutating func recordFaultSent(_ kind: String) {
    var all = faults ?? [:]
    all[kind, default: FaultCounts()].injected += 1
    faults = all
  }

  /// The final answer to an injected fault; nil for none in time.
  public mutating func recordFaultAnswer(_ kind: String, statusCode: Int?) {
    var all = faults ?? [:]
    if let statusCode {
      all[kind, default: FaultCounts()].responses[statusCode, default: 0] += 1
    } else {
      all[kind, default: FaultCounts()].timeouts += 1
    }
    faults = all
  }

  public mutating func recordRetransmission() {
    retransmissions += 1
  }

  /// A final response: latency from the intended time and from the (first) send.
  public mutating func recordResponse(
    _ operation: PublishOperation, statusCode: Int, intendedAt: UInt64, sentAt: UInt64, receivedAt: UInt64
  ) {
    let fromIntended = receivedAt > intendedAt ? receivedAt - intendedAt : 0
    let fromSent = receivedAt > sentAt ? receivedAt - sentAt : 0
    operations[operation, default: OperationMetrics()]
      .recordResponse(statusCode: statusCode, fromIntended: fromIntended, fromSent: fromSent)
    all.recordResponse(statusCode: statusCode, fromIntended: fromIntended, fromSent: fromSent)
    let second = elapsed(receivedAt)
    timeSeries[elapsed: second].completed += 1
    timeSeries.recordLatency(nanoseconds: fromIntended, atElapsed: second)
    if Self.isError(statusCode) { timeSeries[elapsed: second].errors += 1 }
  }

  public mutating func recordTimeout(_ operation: PublishOperation, at time: UInt64) {
    timeouts += 1
    operations[operation, default: OperationMetrics()].timeouts += 1
    all.timeouts += 1
    timeSeries[elapsed: elapsed(time)].errors += 1
  }

  public mutating func recordTransportError(at time: UInt64) {
    transportErrors += 1
    timeSeries[elapsed: elapsed(time)].errors += 1
  }

  /// The state at the end of a second: requests in flight and publishers online.
  public mutating func sample(inFlight: Int, activePublishers: Int, at time: UInt64) {
    timeSeries[elapsed: elapsed(time)].inFlight = UInt64(inFlight)
    timeSeries[elapsed: elapsed(time)].activePublishers = UInt64(activePublishers)
  }

  /// The time series' finished seconds before `second`, taken out (see
  /// ``TimeSeries/takeFinished(before:)``) to be kept elsewhere until ``restoreSeconds(_:)``.
  public mutating func takeFinishedSeconds(before second: Int) -> [(index: Int, second: TimeSeries.Second)] {
    timeSeries.takeFinished(before: second)
  }

  public mutating func restoreSeconds(_ taken: [(index: Int, second: TimeSeries.Second)]) {
    timeSeries.restore(taken)
  }

  /// Whether a final response counts as an error: 3xx-6xx except the digest challenges 401 and
  /// 407, which are part of a normal authenticated exchange.
  public static func isError(_ statusCode: Int) -> Bool {
    statusCode >= 300 && statusCode != 401 && statusCode != 407
  }

  /// Final responses of every operation, by code.
  public var responsesByCode: [Int: UInt64] { all.responsesByCode }

  /// Transactions that ended with a final response.
  public var completed: UInt64 { all.completed }

  /// Adds another run's measurements. `shiftedBy`: how many seconds after this run's start the
  /// other run started (instances of a split test on several machines), so that their seconds
  /// line up by wall clock.
  public mutating func merge(_ other: RunMetrics, shiftedBy shift: Int = 0) {
    for (operation, metrics) in other.operations {
      operations[operation, default: OperationMetrics()].merge(metrics)
    }
    all.merge(other.all)
    sent += other.sent
    timeouts += other.timeouts
    transportErrors += other.transportErrors
    retransmissions += other.retransmissions
    recoveries412 += other.recoveries412
    retries423 += other.retries423
    authChallenges += other.authChallenges
    successWithoutEntityTag += other.successWithoutEntityTag
    unanswerableChallenges += other.unanswerableChallenges
    lateResponses += other.lateResponses
    strayResponses += other.strayResponses
    if let switched = other.switchedToTCP { switchedToTCP = (switchedToTCP ?? 0) + switched }
    incomingRequests += other.incomingRequests
    if let theirs = other.faults {
      var mine = faults ?? [:]
      for (kind, counts) in theirs { mine[kind, default: FaultCounts()].merge(counts) }
      faults = mine
    }
    timeSeries.merge(other.timeSeries, shiftedBy: shift)
    if let theirs = other.fidelity {
      var mine = fidelity ?? FidelityMetrics()
      mine.merge(theirs)
      fidelity = mine
    }
    if let theirs = other.watchers {
      var mine = watchers ?? WatcherMetrics(startedAt: theirs.startedAt)
      mine.merge(theirs, shiftedBy: shift)
      watchers = mine
    }
  }
}
