import Profiles
import Publication
import SIPCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One shard's arrivals of an ``ArrivalProcess``.
///
/// The rate r(t) fixes how many arrivals are expected by time t, Λ(t) = ∫₀ᵗ r(s) ds. Arrivals
/// are placed on that axis and mapped back to time: the arrival at position u comes at Λ⁻¹(u).
/// - Even spacing: the run's k-th arrival sits at u = k, and shard s of N takes k = s, s + N,
///   s + 2N, … so the shards interleave into one metronome at r(t).
/// - Poisson spacing: each shard runs its own process at r(t)/N; independent Poisson processes
///   add up to one at r(t). A unit-rate Poisson process has Exp(1) gaps, and stretching it by Λ
///   gives one of intensity r(t), so shard arrivals sit at u = N·(E₁ + … + Eⱼ), Eᵢ ~ Exp(1)
///   drawn by inverse transform, −ln(1 − U), from a generator seeded per shard.
public struct ArrivalPacer: Pacer {
  private let rate: ArrivalProcess.Rate
  private let step: Double
  private var random: SplitMix64?
  /// Position of the next arrival on the expected-arrivals axis, and its time (nil: none).
  private var position: Double
  private var nextAt: UInt64?
  private var arrived = 0

  public init(_ process: ArrivalProcess, shard: Int, shards: Int) {
    rate = process.rate
    step = Double(max(shards, 1))
    switch process.spacing {
    case .even:
      position = Double(shard)
    case .poisson(let seed):
      // The caller puts the run's seed in when the profile gives none (0 otherwise).
      var generator = SplitMix64(seed: (seed ?? 0) ^ (UInt64(shard + 1) &* 0x9E37_79B9_7F4A_7C15))
      position = step * Self.unitExponential(&generator)
      random = generator
    }
    nextAt = rate.time(ofExpected: position)
  }

  public mutating func count(at elapsed: UInt64) -> Int {
    while let at = nextAt, at <= elapsed {
      arrived += 1
      advance()
    }
    return arrived
  }

  public mutating func nextChange(after elapsed: UInt64) -> UInt64? {
    _ = count(at: elapsed)
    return nextAt
  }

  private mutating func advance() {
    if var generator = random {
      position += step * Self.unitExponential(&generator)
      random = generator
    } else {
      position += step
    }
    nextAt = rate.time(ofExpected: position)
  }

  private static func unitExponential(_ random: inout SplitMix64) -> Double {
    -log1p(-random.nextUnit())
  }
}

extension ArrivalProcess.Rate {
  /// Λ⁻¹(u): nanoseconds after the start by which `expected` arrivals are expected; nil if never.
  ///
  /// Constant rate r: Λ(t) = r·t, so t = u/r. A ramp from a to b over T: r(t) = a + (b − a)·t/T,
  /// Λ(t) = a·t + (b − a)·t²/(2T) up to Λ(T) = (a + b)·T/2, and the root of that quadratic,
  /// written t = 2u / (a + √(a² + 2(b − a)·u/T)) so that it holds for a ramp up, down or from 0
  /// without cancellation; after T the final rate b goes on: t = T + (u − Λ(T))/b.
  public func time(ofExpected expected: Double) -> UInt64? {
    switch self {
    case .constant(let rate):
      return rate > 0 ? Self.nanoseconds(expected / rate) : nil
    case .ramp(let from, let to, let over):
      let length = Double(over) / 1e9
      let atEnd = (from + to) / 2 * length
      if expected <= 0 { return 0 }
      if expected <= atEnd {
        let root = max(from * from + 2 * (to - from) * expected / length, 0).squareRoot()
        return Self.nanoseconds(2 * expected / (from + root))
      }
      return to > 0 ? Self.nanoseconds(length + (expected - atEnd) / to) : nil
    }
  }

  /// Seconds as nanoseconds, to the nearest (so that k/r lands on whole milliseconds when it
  /// should); nil beyond what a run could last.
  private static func nanoseconds(_ seconds: Double) -> UInt64? {
    let value = (seconds * 1e9).rounded()
    guard value.isFinite, value < 1e18 else { return nil }
    return UInt64(max(value, 0))
  }
}
