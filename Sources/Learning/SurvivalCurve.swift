#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The distribution of a waiting time measured in a capture, where many waits are cut short
/// before the awaited thing happens: a session still online when the capture ends, a refresh
/// that a modification (which also refreshes) came before. Dropping those waits would bias
/// every time short, keeping them as if they ended would too; the Kaplan–Meier estimator
/// counts each as "at least this long". What it cannot see (beyond the longest wait) is
/// carried by an exponential tail with the censored maximum-likelihood mean, so that a model
/// fitted to a short capture still has somewhere to put its long waits.
public struct SurvivalCurve: Sendable {
  /// One wait: how long, and whether it ended with the event (false: cut short, censored).
  public struct Observation: Sendable, Equatable {
    public var time: Double
    public var ended: Bool

    public init(time: Double, ended: Bool) {
      self.time = time
      self.ended = ended
    }
  }

  /// The estimate's steps: at each event time, the probability of having waited no longer.
  private let steps: [(time: Double, cumulative: Double)]
  /// Events seen, and the total time waited (events and cut-short waits alike).
  public let events: Int
  public let exposure: Double
  /// The longest wait, ended or cut short: the estimate is flat from its last event to here.
  let longest: Double

  public init(_ observations: [Observation]) {
    let sorted = observations.filter { $0.time.isFinite && $0.time >= 0 }.sorted {
      // At a tie an event comes first: a wait cut short at t was still at risk at t.
      $0.time < $1.time || ($0.time == $1.time && $0.ended && !$1.ended)
    }
    var atRisk = sorted.count
    var survival = 1.0
    var steps: [(Double, Double)] = []
    var index = 0
    while index < sorted.count {
      let time = sorted[index].time
      var ended = 0
      var leaving = 0
      while index < sorted.count, sorted[index].time == time {
        if sorted[index].ended { ended += 1 }
        leaving += 1
        index += 1
      }
      if ended > 0 {
        survival *= 1 - Double(ended) / Double(atRisk)
        steps.append((time, 1 - survival))
      }
      atRisk -= leaving
    }
    self.steps = steps
    events = sorted.filter(\.ended).count
    exposure = sorted.map(\.time).reduce(0, +)
    longest = sorted.last?.time ?? 0
  }

  /// The mean of an exponential fitted by maximum likelihood to censored waits: all the time
  /// waited over the events seen (nil without events).
  public var exponentialMean: Double? { events > 0 ? exposure / Double(events) : nil }

  /// The share of waits that end within the longest one seen to end.
  public var observedShare: Double { steps.last?.cumulative ?? 0 }

  /// The estimated probability of waiting no longer than `time`.
  public func cumulative(at time: Double) -> Double {
    var low = 0
    var high = steps.count
    while low < high {
      let middle = (low + high) / 2
      if steps[middle].time <= time { low = middle + 1 } else { high = middle }
    }
    return low == 0 ? 0 : steps[low - 1].cumulative
  }

  /// How far the exponential with the fitted mean is from the estimate: the largest gap
  /// between the two cumulative curves, on either side of each step and where the estimate
  /// ends, at the longest wait (Kolmogorov–Smirnov).
  public var exponentialDistance: Double {
    guard let mean = exponentialMean, mean > 0 else { return 1 }
    var previous = 0.0
    var distance = 0.0
    for step in steps {
      let model = 1 - exp(-step.time / mean)
      distance = max(distance, abs(model - previous), abs(model - step.cumulative))
      previous = step.cumulative
    }
    return max(distance, abs(1 - exp(-longest / mean) - previous))
  }

  /// The largest distance a sample of `events` from an exponential *whose mean was estimated
  /// from it* shows 95 times in 100: Stephens' form of the Lilliefors test, D ≤ 1.094 /
  /// (√n + 0.26 + 0.5/√n) + 0.2/n, tighter than the 1.36/√n of a mean given beforehand (exact
  /// without censoring, an approximation with it).
  public var exponentialTolerance: Double {
    guard events > 0 else { return 1 }
    let root = Double(events).squareRoot()
    return 1.094 / (root + 0.26 + 0.5 / root) + 0.2 / Double(events)
  }

  /// Whether an exponential describes the waits as well as the data can tell.
  public var exponentialFits: Bool { exponentialDistance <= exponentialTolerance }

  /// `count + 1` quantiles at probabilities 0, 1/count, …, 1: the estimate's where it has
  /// events, the exponential tail beyond (the last at its 99 % point, not its unbounded end),
  /// each no larger than `ceiling`.
  public func quantiles(_ count: Int, ceiling: Double = .infinity) -> [Double] {
    guard let last = steps.last, let mean = exponentialMean else { return [] }
    let seen = last.cumulative
    return (0...max(count, 1)).map { position in
      let probability = Double(position) / Double(max(count, 1))
      let value: Double
      if probability <= seen || seen >= 1 {
        value = steps.first { $0.cumulative >= probability - 1e-12 }?.time ?? last.time
      } else {
        // Beyond the events: an exponential tail from the last one, holding what remains.
        let remaining = 1 - seen
        let tail = min(probability, 1 - remaining * 0.01)
        value = last.time + mean * log(remaining / (1 - tail))
      }
      return min(value, ceiling)
    }
  }
}
