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
  /// Measured quantiles q₀ ≤ q₁ ≤ … ≤ qₙ at probabilities 0, 1/n, …, 1 (at least two): a draw
  /// picks U, finds the segment i = ⌊U·n⌋ and interpolates linearly between qᵢ and qᵢ₊₁, so
  /// draws stay inside the measured range and follow its shape piece by piece.
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
      guard quantiles.count > 1 else { return quantiles.first ?? 0 }
      let position = Double.random(in: 0..<1, using: &random) * Double(quantiles.count - 1)
      let index = min(Int(position), quantiles.count - 2)
      let low = Double(quantiles[index])
      let high = Double(quantiles[index + 1])
      return Self.nanoseconds(low + (high - low) * (position - Double(index)))
    }
  }

  /// The expected time of a draw.
  public var mean: UInt64 {
    switch self {
    case .fixed(let time): return time
    case .uniform(let low, let high): return low / 2 + high / 2
    case .exponential(let mean): return mean
    case .empirical(let quantiles):
      guard quantiles.count > 1 else { return quantiles.first ?? 0 }
      // Each segment holds an equal share of the probability, and its mean is its midpoint.
      let segments = zip(quantiles, quantiles.dropFirst()).map { Double($0) / 2 + Double($1) / 2 }
      return Self.nanoseconds(segments.reduce(0, +) / Double(segments.count))
    }
  }

  /// A double of nanoseconds as a time, clamped to what a UInt64 holds.
  private static func nanoseconds(_ value: Double) -> UInt64 {
    guard value.isFinite, value > 0 else { return 0 }
    return value >= 1.8e19 ? UInt64.max / 2 : UInt64(value)
  }
}
