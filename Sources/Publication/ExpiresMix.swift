/// The lifetimes a population asks for when its publishers do not all ask the same (a profile's
/// `expires: {choice: {3600: 0.8, 600: 0.2}}`, as a profile learned from a capture writes it):
/// each session draws one value by weight. Clients ask for a few fixed values, not a continuum,
/// so this is a weighted choice rather than quantiles that would interpolate between them.
public struct ExpiresMix: Sendable, Equatable {
  public let values: [UInt32]
  /// Running sums of the weights, normalised so that the last is 1.
  private let cumulative: [Double]

  /// nil unless there is at least one value and the weights are positive.
  public init?(_ weighted: [(value: UInt32, weight: Double)]) {
    let total = weighted.map(\.weight).reduce(0, +)
    guard !weighted.isEmpty, total > 0, total.isFinite, weighted.allSatisfy({ $0.weight >= 0 }) else {
      return nil
    }
    values = weighted.map(\.value)
    var sum = 0.0
    cumulative = weighted.map {
      sum += $0.weight
      return sum / total
    }
  }

  /// Each value with its share of the draws.
  public var shares: [(value: UInt32, share: Double)] {
    zip(values, zip(cumulative, [0] + cumulative.dropLast()).map { $0 - $1 }).map { ($0, $1) }
  }

  /// One draw.
  public func sample(using random: inout some RandomNumberGenerator) -> UInt32 {
    let unit = Double.random(in: 0..<1, using: &random)
    return values[cumulative.firstIndex { unit < $0 } ?? values.count - 1]
  }
}
