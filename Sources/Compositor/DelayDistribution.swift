import Publication
import SIPCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// How long the compositor waits before answering, to play a slow server: a fixed time, a uniform
/// spread, or an exponential distribution (many fast answers, a long tail).
///
/// Written on the command line as `5ms`, `uniform:1ms-10ms` or `exp:5ms`.
public enum DelayDistribution: Equatable, Sendable, CustomStringConvertible {
  case fixed(nanoseconds: UInt64)
  case uniform(lower: UInt64, upper: UInt64)
  case exponential(mean: UInt64)

  /// Reads the command-line form; nil with a reason on error.
  public static func parse(_ text: String) -> Result<DelayDistribution, FaultPlan.InvalidFault> {
    let lower = text.lowercased()
    if let spec = lower.strippingPrefix("uniform:") {
      let bounds = spec.split(separator: "-", maxSplits: 1).map { DurationText.nanoseconds(String($0)) }
      guard bounds.count == 2, let low = bounds[0], let high = bounds[1], low <= high else {
        return .failure(
          FaultPlan.InvalidFault("--delay '\(text)': expected uniform:MIN-MAX, e.g. uniform:1ms-10ms"))
      }
      return .success(.uniform(lower: low, upper: high))
    }
    if let spec = lower.strippingPrefix("exp:") ?? lower.strippingPrefix("exponential:") {
      guard let mean = DurationText.nanoseconds(spec) else {
        return .failure(FaultPlan.InvalidFault("--delay '\(text)': expected exp:MEAN, e.g. exp:5ms"))
      }
      return .success(.exponential(mean: mean))
    }
    guard let fixed = DurationText.nanoseconds(lower) else {
      return .failure(
        FaultPlan.InvalidFault(
          "--delay '\(text)': expected a duration such as 5ms, uniform:1ms-10ms or exp:5ms"))
    }
    return .success(.fixed(nanoseconds: fixed))
  }

  /// One delay drawn from the distribution, in nanoseconds.
  public func sample(using random: inout SplitMix64) -> UInt64 {
    switch self {
    case .fixed(let nanoseconds):
      return nanoseconds
    case .uniform(let lower, let upper):
      return lower + UInt64(random.nextUnit() * Double(upper - lower))
    case .exponential(let mean):
      let draw = -Double(mean) * log1p(-random.nextUnit())
      return UInt64(min(draw, Double(mean) * 50))
    }
  }

  public var description: String {
    switch self {
    case .fixed(let nanoseconds): return DurationText.describe(nanoseconds: nanoseconds)
    case .uniform(let lower, let upper):
      return
        "uniform:\(DurationText.describe(nanoseconds: lower))-\(DurationText.describe(nanoseconds: upper))"
    case .exponential(let mean): return "exp:\(DurationText.describe(nanoseconds: mean))"
    }
  }
}

extension String {
  fileprivate func strippingPrefix(_ prefix: String) -> String? {
    hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
  }
}
