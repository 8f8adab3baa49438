/// A waiting time fitted to a capture, in the form a profile writes it, with a sentence saying
/// why this form: every wait the same (fixed), an exponential that the data cannot tell apart
/// from the measured curve (the textbook form, and memoryless), or the measured quantiles where
/// the exponential is off by more than a sample of that size would be (Kolmogorov–Smirnov at
/// 5 %).
public struct FittedDistribution: Sendable, Equatable {
  public enum Form: Sendable, Equatable {
    case fixed(Double)
    case exponential(mean: Double)
    case empirical([Double])
  }

  public var form: Form
  public var note: String

  /// Fewer events than this give the exponential: too few to draw a shape from.
  static let eventsForShape = 20

  /// Quantiles written for a curve of `events` events: ten events to a step, 4 to 20 steps.
  static func quantileCount(events: Int) -> Int { min(20, max(4, events / 10)) }

  /// The fit of `curve`, with values no larger than `ceiling`; nil without events. `describe`
  /// writes a value in the note's unit. `quantilesOnly`: a form with no exponential (a refresh
  /// point, drawn within the lifetime).
  init?(
    _ curve: SurvivalCurve, ceiling: Double = .infinity, quantilesOnly: Bool = false,
    describe: (Double) -> String
  ) {
    guard curve.events > 0, let mean = curve.exponentialMean else { return nil }
    let quantiles = curve.quantiles(Self.quantileCount(events: curve.events), ceiling: ceiling)
    let events = "\(curve.events) seen"
    if let first = quantiles.first, let last = quantiles.last, curve.observedShare >= 0.999,
      last - first <= first * 0.01
    {
      form = .fixed(first)
      note = "\(events), every one \(describe(first)): fixed"
    } else if quantilesOnly {
      form = .empirical(quantiles)
      note = "\(events): the measured quantiles"
    } else if curve.events < Self.eventsForShape {
      form = .exponential(mean: min(mean, ceiling))
      note = "\(events), too few to tell a shape: exponential, mean \(describe(mean))"
    } else if curve.exponentialFits {
      form = .exponential(mean: min(mean, ceiling))
      note =
        "\(events): exponential, mean \(describe(mean)), fits (Kolmogorov–Smirnov distance "
        + "\(Self.figure(curve.exponentialDistance)) ≤ \(Self.figure(curve.exponentialTolerance)) at 5 %)"
    } else {
      form = .empirical(quantiles)
      note =
        "\(events): an exponential (mean \(describe(mean))) is off by a Kolmogorov–Smirnov distance of "
        + "\(Self.figure(curve.exponentialDistance)) > \(Self.figure(curve.exponentialTolerance)): "
        + "the measured quantiles"
    }
    if curve.observedShare < 0.999 && (curve.events >= Self.eventsForShape || quantilesOnly) {
      note +=
        "; \(ProfileText.percent(1 - curve.observedShare)) waited longer than the longest seen "
        + "(an exponential tail carries them)"
    }
  }

  private static func figure(_ value: Double) -> String { ProfileText.figure(value) }
}
