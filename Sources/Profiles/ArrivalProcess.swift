/// How new publishers arrive (a profile's `arrival:`): at what rate over time, and how the
/// arrivals are spaced at that rate. The pacers that turn it into times live with the simulation.
public struct ArrivalProcess: Sendable, Equatable {
  /// The arrival rate over time, in publishers per second.
  public enum Rate: Sendable, Equatable {
    /// The same rate throughout.
    case constant(Double)
    /// From one rate to another in a straight line over `over` nanoseconds, then the final rate.
    case ramp(from: Double, to: Double, over: UInt64)
  }

  /// How arrivals are placed at the rate.
  public enum Spacing: Sendable, Equatable {
    /// Evenly: the k-th arrival when k arrivals are expected (a metronome, like SIPp's `-r`).
    case even
    /// As a Poisson process: independent, exponentially spaced arrivals, as many independent
    /// users produce; drawn from a generator seeded with `seed` (nil: the run's seed), so a run
    /// can be repeated.
    case poisson(seed: UInt64?)
  }

  public var rate: Rate
  public var spacing: Spacing

  public init(rate: Rate, spacing: Spacing = .even) {
    self.rate = rate
    self.spacing = spacing
  }

  /// Evenly spaced arrivals at a constant rate (what `--arrival-rate` asks for).
  public static func constant(_ perSecond: Double) -> ArrivalProcess {
    ArrivalProcess(rate: .constant(perSecond))
  }

  /// The rate in the end (after any ramp).
  public var finalRate: Double {
    switch rate {
    case .constant(let rate): return rate
    case .ramp(_, let to, _): return to
    }
  }
}
