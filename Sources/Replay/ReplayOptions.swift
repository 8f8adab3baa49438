/// How a trace is replayed: its timing (speed, loops, a time window), its size (copies of the
/// recorded population, spread in time), where it goes (the domain written into addresses) and
/// what to do where the live server departs from the recording.
public struct ReplayOptions: Sendable, Equatable {
  /// Recorded offsets are divided by this (2: twice as fast).
  public var speed: Double
  /// Copies of the recorded population, each with its own identities.
  public var scale: Int
  /// Times the trace is played, one after the other.
  public var loops: Int
  /// Only recorded transactions at or after `from` and before `to` (nanoseconds after the trace's
  /// first transaction) are played; offsets then count from `from`.
  public var from: UInt64
  public var to: UInt64
  /// Copy `c` of `scale` starts `c × spread / scale` later than the recording.
  public var spread: UInt64
  /// Appended to the recorded user of copy `c ≥ 1`, with `{copy}` replaced by `c`.
  public var userSuffix: String
  /// The domain of every Request-URI, From and To.
  public var domain: String
  public var onBrokenChain: BrokenChainPolicy
  /// Remove, at the end, every publication the replay left live.
  public var cleanup: Bool
  /// Send pubsim's own canonical requests rather than the recorded form (header order and
  /// spelling, the headers pubsim need not touch, absent headers left absent).
  public var normalize: Bool

  public init(
    speed: Double = 1, scale: Int = 1, loops: Int = 1, from: UInt64 = 0, to: UInt64 = .max,
    spread: UInt64 = 1_000_000_000, userSuffix: String = "-{copy}", domain: String,
    onBrokenChain: BrokenChainPolicy = .reinitiate, cleanup: Bool = false, normalize: Bool = false
  ) {
    self.normalize = normalize
    self.speed = speed
    self.scale = scale
    self.loops = loops
    self.from = from
    self.to = to
    self.spread = spread
    self.userSuffix = userSuffix
    self.domain = domain
    self.onBrokenChain = onBrokenChain
    self.cleanup = cleanup
  }

  /// The user of copy `copy` of a recorded user.
  public func user(_ recorded: String, copy: Int) -> String {
    guard copy > 0 else { return recorded }
    return recorded + userSuffix.replacingOccurrences(of: "{copy}", with: String(copy))
  }
}

/// What a replayed conditional request does when the live predecessor it depends on failed (so
/// the live server issued no entity-tag to refer to), or when the recording starts mid-chain.
public enum BrokenChainPolicy: String, Sendable, Equatable, CaseIterable {
  /// Leave the request out (counted as skipped).
  case skip
  /// Send a fresh initial publication instead, with the publication's newest recorded body.
  case reinitiate
  /// Send it anyway with the recorded entity-tag (the live server will likely answer 412).
  case asRecorded = "as-recorded"
}
