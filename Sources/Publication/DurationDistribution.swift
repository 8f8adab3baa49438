#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How long something lasts when each publisher draws its own time (a session online, a spell
/// offline): a profile gives a fixed time, a uniform range, an exponential mean or an empirical
/// list of quantiles. Each draw is independent, so a population that arrived together spreads
/// out instead of leaving (and coming back) in lock-step waves. Times are nanoseconds.
public enum DurationDistribution: Sendable, Equatable {
  /// Always the same time.
  case fixed(UInt64)
  /// Any time in `low...high` with equal likelihood: `low + U·(high − low)`, U uniform in [0, 1).
  case uniform(UInt64, UInt64)
  /// Memoryless around a mean m: `−m·ln(1 − U)` (inverse transform), so P(T > t) = e^(−t/m).
  /// The default for a plain duration in a profile, as sessions in the field mostly are.
  case exponential(mean: UInt64)
  /// Measured quantiles at equal steps of probability, drawn as ``Quantiles`` are.
  case empirical([UInt64])

  /// One independent draw.
  public func sample(using random: inout some RandomNumberGenerator) -> UInt64 {
    switch self {
    case .fixed(let time):
      return time
    case .uniform(let low, let high):
      return high > low ? UInt64.random(in: low...high, using: &random) : low
    case .exponential(let mean):
      let unit = Double.random(in: 0..<1, using: &random)
      return Self.nanoseconds(-Double(mean) * log1p(-unit))
    case .empirical(let quantiles):
      let unit = Double.random(in: 0..<1, using: &random)
      return Self.nanoseconds(
        Quantiles.interpolate(count: quantiles.count, at: unit) { Double(quantiles[$0]) })
    }
  }

  /// The expected time of a draw.
  public var mean: UInt64 {
    switch self {
    case .fixed(let time): return time
    case .uniform(let low, let high): return low / 2 + high / 2
    case .exponential(let mean): return mean
    case .empirical(let quantiles):
      return Self.nanoseconds(Quantiles.mean(count: quantiles.count) { Double(quantiles[$0]) })
    }
  }

  /// A double of nanoseconds as a time, clamped to what a UInt64 holds.
  private static func nanoseconds(_ value: Double) -> UInt64 {
    guard value.isFinite, value > 0 else { return 0 }
    return value >= 1.8e19 ? UInt64.max / 2 : UInt64(value)
  }
}
