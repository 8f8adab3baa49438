import Publication

/// Faults the compositor injects so that clients can be tested against a misbehaving server:
/// a response delay, a share of requests silently dropped (`--drop P`, loss as a UDP client sees
/// it) and shares answered with an error code (`--fail P:CODE`).
public struct FaultPlan: Sendable, Equatable {
  public var delay: DelayDistribution?
  /// Fraction of requests ignored, 0...1.
  public var dropProbability: Double
  /// Fractions of requests answered with a given code instead of being processed.
  public var failures: [Failure]

  public struct Failure: Sendable, Equatable {
    public var probability: Double
    public var statusCode: Int

    /// Reads `P:CODE`, e.g. `0.01:503`.
    public static func parse(_ text: String) -> Result<Failure, InvalidFault> {
      let parts = text.split(separator: ":")
      guard parts.count == 2, let probability = Double(parts[0]), (0...1).contains(probability),
        let code = Int(parts[1]), (300...699).contains(code)
      else {
        return .failure(
          InvalidFault("--fail '\(text)': expected P:CODE with P in 0...1 and CODE 300-699, e.g. 0.01:503"))
      }
      return .success(Failure(probability: probability, statusCode: code))
    }
  }

  /// A fault description that cannot be used; the description is the one line to show.
  public struct InvalidFault: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
  }

  /// What happens to one request.
  public enum Roll: Equatable {
    case process
    case drop
    case fail(statusCode: Int)
  }

  public init(delay: DelayDistribution? = nil, dropProbability: Double = 0, failures: [Failure] = []) {
    self.delay = delay
    self.dropProbability = dropProbability
    self.failures = failures
  }

  public var isEmpty: Bool { delay == nil && dropProbability == 0 && failures.isEmpty }

  /// Decides the fate of one request.
  public func roll(using random: inout SplitMix64) -> Roll {
    if dropProbability > 0 && random.nextUnit() < dropProbability { return .drop }
    for failure in failures where random.nextUnit() < failure.probability {
      return .fail(statusCode: failure.statusCode)
    }
    return .process
  }
}
