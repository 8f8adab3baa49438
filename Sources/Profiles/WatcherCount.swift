import Foundation

/// How many watchers a presentity has (`watchers: perPresentity:`): the same for every one, any
/// count in a range, or Zipf's law over 1…max (P(k) ∝ k^−s: most presentities have a few
/// watchers, some have hundreds, as buddy lists do). Each presentity draws its own.
public enum WatcherCount: Sendable, Equatable {
  case fixed(Int)
  case uniform(Int, Int)
  case zipf(max: Int, exponent: Double)

  /// One draw.
  public func sample(using random: inout some RandomNumberGenerator) -> Int {
    switch self {
    case .fixed(let count): return count
    case .uniform(let low, let high): return Int.random(in: low...high, using: &random)
    case .zipf(let max, let exponent):
      // Inverse transform over the cumulative weights (max is at most 10 000: a short walk).
      let total = (1...max).reduce(0.0) { $0 + Self.weight($1, exponent) }
      var left = Double.random(in: 0..<1, using: &random) * total
      for count in 1...max {
        left -= Self.weight(count, exponent)
        if left < 0 { return count }
      }
      return max
    }
  }

  /// The expected count of a draw.
  public var mean: Double {
    switch self {
    case .fixed(let count): return Double(count)
    case .uniform(let low, let high): return Double(low + high) / 2
    case .zipf(let max, let exponent):
      let weights = (1...max).map { Self.weight($0, exponent) }
      let total = weights.reduce(0, +)
      return zip(1...max, weights).reduce(0.0) { $0 + Double($1.0) * $1.1 } / total
    }
  }

  private static func weight(_ count: Int, _ exponent: Double) -> Double {
    1 / pow(Double(count), exponent)
  }
}
