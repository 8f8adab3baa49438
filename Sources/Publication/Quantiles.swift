/// A distribution given by measured quantiles q₀ ≤ q₁ ≤ … ≤ qₙ at probabilities 0, 1/n, …, 1
/// (at least two): a draw picks U uniform in [0, 1), finds the segment i = ⌊U·n⌋ and
/// interpolates linearly between qᵢ and qᵢ₊₁. Draws stay inside the measured range and follow
/// its shape piece by piece, which is what a profile learned from a capture needs where no
/// textbook distribution fits (`empirical:` in a profile).
public struct Quantiles: Sendable, Equatable {
  public let values: [Double]

  /// nil unless there are at least two values, finite and rising.
  public init?(_ values: [Double]) {
    guard values.count >= 2, values.allSatisfy(\.isFinite),
      zip(values, values.dropFirst()).allSatisfy({ $0 <= $1 })
    else { return nil }
    self.values = values
  }

  /// One independent draw.
  public func sample(using random: inout some RandomNumberGenerator) -> Double {
    let unit = Double.random(in: 0..<1, using: &random)
    return Self.interpolate(count: values.count, at: unit) { values[$0] }
  }

  /// The expected value: each segment holds an equal share of the probability, and its mean is
  /// its midpoint.
  public var mean: Double { Self.mean(count: values.count) { values[$0] } }

  /// The value at probability `unit` (in [0, 1)) of `count` quantiles read by `value` (a
  /// closure, so that integer quantiles are read in place: no array per draw).
  static func interpolate(count: Int, at unit: Double, _ value: (Int) -> Double) -> Double {
    guard count > 1 else { return count == 1 ? value(0) : 0 }
    let position = unit * Double(count - 1)
    let index = min(Int(position), count - 2)
    let low = value(index)
    return low + (value(index + 1) - low) * (position - Double(index))
  }

  static func mean(count: Int, _ value: (Int) -> Double) -> Double {
    guard count > 1 else { return count == 1 ? value(0) : 0 }
    let midpoints = (0..<count - 1).map { value($0) / 2 + value($0 + 1) / 2 }
    return midpoints.reduce(0, +) / Double(midpoints.count)
  }
}
