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
    /// Two significant digits are plenty for a one-second picture and keep an hour-long run small.
    public var latency = LatencyHistogram(significantDigits: .two)

    public init() {}

    public mutating func merge(_ other: Second) {
      offered += other.offered
      sent += other.sent
      completed += other.completed
      errors += other.errors
      inFlight += other.inFlight
      activePublishers += other.activePublishers
      latency.merge(other.latency)
    }
  }

  public private(set) var seconds: [Second] = []
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

  private static func index(_ elapsed: UInt64) -> Int { min(Int(elapsed / 1_000_000_000), limit - 1) }

  public mutating func merge(_ other: TimeSeries) {
    if other.seconds.count > seconds.count {
      seconds.append(contentsOf: repeatElement(Second(), count: other.seconds.count - seconds.count))
    }
    for (index, second) in other.seconds.enumerated() { seconds[index].merge(second) }
  }
}
