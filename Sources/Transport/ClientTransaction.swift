/// An RFC 3261 §17.1.2 non-INVITE client transaction, as a pure state machine: when to
/// retransmit (Timer E: T1, doubling up to T2 on an unreliable transport), when to give up
/// (Timer F: 64 × T1), and what a response means for it. Times are nanoseconds.
///
/// On a reliable transport (TCP, TLS) nothing is retransmitted; only Timer F applies.
public struct ClientTransaction: Sendable, Equatable {
  /// RFC 3261 timer values.
  public struct Timers: Sendable, Equatable {
    public var t1: UInt64
    public var t2: UInt64
    public var timeout: UInt64

    public init(t1: UInt64 = 500_000_000, t2: UInt64 = 4_000_000_000, timeout: UInt64? = nil) {
      self.t1 = t1
      self.t2 = t2
      self.timeout = timeout ?? 64 * t1
    }

    public static let standard = Timers()
  }

  /// What the owner must do.
  public enum Action: Equatable, Sendable {
    case none
    /// Send the request again (same bytes, same branch).
    case retransmit
    /// Timer F fired: the transaction failed without a final response.
    case timeout
    /// A final response ended the transaction.
    case completed(statusCode: Int)
  }

  enum State: Equatable, Sendable {
    case trying
    case proceeding
    case terminated
  }

  public let timers: Timers
  public let reliable: Bool
  public let startedAt: UInt64
  private(set) var state: State = .trying
  private var interval: UInt64
  /// When Timer E next fires (UInt64.max when it does not).
  public private(set) var retransmitAt: UInt64
  /// How many times the request was sent again.
  public private(set) var retransmissions = 0

  public init(startedAt: UInt64, reliable: Bool, timers: Timers = .standard) {
    self.timers = timers
    self.reliable = reliable
    self.startedAt = startedAt
    interval = timers.t1
    retransmitAt = reliable ? UInt64.max : startedAt + timers.t1
  }

  /// When Timer F fires.
  public var timeoutAt: UInt64 { startedAt + timers.timeout }

  /// The earliest time the owner must call ``timerFired(now:)``.
  public var nextDeadline: UInt64 { state == .terminated ? UInt64.max : min(retransmitAt, timeoutAt) }

  public var isTerminated: Bool { state == .terminated }

  /// A timer may be due: returns `.timeout`, `.retransmit` or `.none`.
  public mutating func timerFired(now: UInt64) -> Action {
    guard state != .terminated else { return .none }
    if now >= timeoutAt {
      state = .terminated
      return .timeout
    }
    guard now >= retransmitAt else { return .none }
    interval = state == .proceeding ? timers.t2 : min(interval * 2, timers.t2)
    retransmitAt = now + interval
    retransmissions += 1
    return .retransmit
  }

  /// A response for this transaction arrived.
  public mutating func responseReceived(statusCode: Int) -> Action {
    guard state != .terminated else { return .none }
    if statusCode < 200 {
      if state == .trying && !reliable {
        state = .proceeding
        interval = timers.t2
      }
      return .none
    }
    state = .terminated
    return .completed(statusCode: statusCode)
  }
}
