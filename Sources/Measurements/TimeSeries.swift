import Histogram

/// Per-second figures of a run: offered (requests whose intended time fell in the second), sent,
/// completed, errors, latency percentiles (from intended time), in flight and active publishers
/// at the end of the second. Seconds count from the run's start.
public struct TimeSeries: Sendable, Codable, Equatable {
  public struct Second: Sendable, Codable, Equatable {
    public var offered: UInt64 = 0
    public var sent: UInt64 = 0
    public var completed: UInt64 = 0
    public var errors: UInt64 = 0
    public var inFlight: UInt64 = 0
    public var activePublishers: UInt64 = 0
    /// Latency while the second is being recorded (two significant digits are plenty for a
    /// one-second picture); once the run has moved on, only its non-empty buckets are kept, so
    /// a long run's memory does not grow by a whole histogram a second.
    private var open: LatencyHistogram?
    private var finished = SparseLatency()

    public init() {}

    /// The second's latencies (from intended send) as a histogram.
    public var latency: LatencyHistogram { open ?? finished.histogram }

    mutating func recordLatency(nanoseconds: UInt64) {
      if open == nil {
        open = finished.isEmpty ? LatencyHistogram(significantDigits: .two) : finished.histogram
        finished = SparseLatency()
      }
      open?.record(nanoseconds: nanoseconds)
    }

    /// Keeps only the non-empty buckets from now on.
    mutating func finish() {
      guard let open else { return }
      finished = SparseLatency(open)
      self.open = nil
    }

    public mutating func merge(_ other: Second) {
      offered += other.offered
      sent += other.sent
      completed += other.completed
      errors += other.errors
      inFlight += other.inFlight
      activePublishers += other.activePublishers
      // Each side's histogram is rebuilt from its buckets at most once.
      guard other.open.map({ $0.count > 0 }) ?? !other.finished.isEmpty else { return }
      var merged = latency
      merged.merge(other.latency)
      open = nil
      finished = SparseLatency(merged)
    }

    private enum CodingKeys: String, CodingKey {
      case offered, sent, completed, errors, inFlight, activePublishers, latencyBuckets, latency
    }

    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      offered = try container.decode(UInt64.self, forKey: .offered)
      sent = try container.decode(UInt64.self, forKey: .sent)
      completed = try container.decode(UInt64.self, forKey: .completed)
      errors = try container.decode(UInt64.self, forKey: .errors)
      inFlight = try container.decode(UInt64.self, forKey: .inFlight)
      activePublishers = try container.decode(UInt64.self, forKey: .activePublishers)
      if let buckets = try container.decodeIfPresent(SparseLatency.self, forKey: .latencyBuckets) {
        finished = buckets
      } else if let dense = try container.decodeIfPresent(LatencyHistogram.self, forKey: .latency) {
        // metrics.json written before seconds were kept sparse.
        finished = SparseLatency(dense)
      }
    }

    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(offered, forKey: .offered)
      try container.encode(sent, forKey: .sent)
      try container.encode(completed, forKey: .completed)
      try container.encode(errors, forKey: .errors)
      try container.encode(inFlight, forKey: .inFlight)
      try container.encode(activePublishers, forKey: .activePublishers)
      try container.encode(open.map(SparseLatency.init) ?? finished, forKey: .latencyBuckets)
    }

    public static func == (lhs: Second, rhs: Second) -> Bool {
      lhs.offered == rhs.offered && lhs.sent == rhs.sent && lhs.completed == rhs.completed
        && lhs.errors == rhs.errors && lhs.inFlight == rhs.inFlight
        && lhs.activePublishers == rhs.activePublishers && lhs.latency == rhs.latency
    }
  }

  public private(set) var seconds: [Second] = []
  /// The second whose latency histogram is still dense (being recorded).
  private var recording: Int?
  /// Seconds before this one were handed out by ``takeFinished(before:)``.
  private var takenUpTo = 0
  /// Seconds kept at most (a day); later ones fold into the last.
  static let limit = 86_400

  public init() {}

  /// The bucket for a time `elapsed` nanoseconds after the run's start.
  public subscript(elapsed elapsed: UInt64) -> Second {
    get {
      let index = Self.index(elapsed)
      return index < seconds.count ? seconds[index] : Second()
    }
    set {
      let index = Self.index(elapsed)
      if index >= seconds.count {
        seconds.append(contentsOf: repeatElement(Second(), count: index - seconds.count + 1))
      }
      seconds[index] = newValue
    }
    // In place: a get-then-set would copy the second's histogram for every recorded response.
    _modify {
      let index = Self.index(elapsed)
      if index >= seconds.count {
        seconds.append(contentsOf: repeatElement(Second(), count: index - seconds.count + 1))
      }
      yield &seconds[index]
    }
  }

  /// Records a response's latency in the second it was received; the previous such second is
  /// finished (responses are received in time order, so it gets no more).
  public mutating func recordLatency(nanoseconds: UInt64, atElapsed elapsed: UInt64) {
    let index = Self.index(elapsed)
    if let recording, recording != index, recording < seconds.count { seconds[recording].finish() }
    recording = index
    self[elapsed: elapsed].recordLatency(nanoseconds: nanoseconds)
  }

  private static func index(_ elapsed: UInt64) -> Int { min(Int(elapsed / 1_000_000_000), limit - 1) }

  /// Adds another series second by second, its second 0 landing on this one's `shift` (at most
  /// ``limit``: a later second goes into the last, as when recording).
  public mutating func merge(_ other: TimeSeries, shiftedBy shift: Int = 0) {
    let shift = min(max(shift, 0), Self.limit - 1)
    let length = min(other.seconds.count + shift, Self.limit)
    if length > seconds.count {
      seconds.append(contentsOf: repeatElement(Second(), count: length - seconds.count))
    }
    for (index, second) in other.seconds.enumerated() {
      seconds[min(index + shift, Self.limit - 1)].merge(second)
    }
    recording = nil
  }

  /// Hands out the seconds before `index` (finished: no latency is recorded in them any more)
  /// and keeps empty ones in their place, which late counts (a request sent behind its
  /// schedule is counted as offered in the second it was due) may still add to.
  public mutating func takeFinished(before index: Int) -> [(index: Int, second: Second)] {
    var taken: [(index: Int, second: Second)] = []
    while takenUpTo < min(index, seconds.count) {
      seconds[takenUpTo].finish()
      taken.append((takenUpTo, seconds[takenUpTo]))
      seconds[takenUpTo] = Second()
      takenUpTo += 1
    }
    return taken
  }

  /// Puts seconds handed out by ``takeFinished(before:)`` back, adding what came in since.
  public mutating func restore(_ taken: [(index: Int, second: Second)]) {
    for (index, second) in taken {
      if index >= seconds.count {
        seconds.append(contentsOf: repeatElement(Second(), count: index - seconds.count + 1))
      }
      var restored = second
      restored.merge(seconds[index])
      seconds[index] = restored
    }
  }

  private enum CodingKeys: String, CodingKey {
    case seconds
  }

  public static func == (lhs: TimeSeries, rhs: TimeSeries) -> Bool { lhs.seconds == rhs.seconds }
}
