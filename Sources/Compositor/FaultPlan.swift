import Publication
import SIPCore

/// Faults the compositor injects so that clients can be tested against a misbehaving server:
/// a response delay, a share of requests silently dropped (`--drop P`, loss as a UDP client sees
/// it) and shares answered with an error code (`--fail P:CODE`).
public struct FaultPlan: Sendable, Equatable {
  public var delay: DelayDistribution?
  /// Fraction of requests ignored, 0...1.
  public var dropProbability: Double
  /// Fractions of requests answered with a given code instead of being processed.
  public var failures: [Failure]
  /// A window during which every response is held until the window ends (a server that stops
  /// answering for a while, e.g. a garbage-collection pause or a failover).
  public var stall: Stall?
  /// How long each NOTIFY to a watcher is held before it is first sent (`--notify-delay`).
  public var notifyDelay: DelayDistribution?
  /// Fraction of NOTIFY transmissions (first copies and retransmissions alike) not sent
  /// (`--notify-drop`): loss on the way to watchers, which UDP retransmission makes up for.
  public var notifyDropProbability: Double = 0

  /// `--stall AT:DURATION`: from AT after the compositor started, hold responses for DURATION.
  public struct Stall: Sendable, Equatable {
    public var start: UInt64
    public var duration: UInt64

    public init(start: UInt64, duration: UInt64) {
      self.start = start
      self.duration = duration
    }

    /// Reads `3s:1s`.
    public static func parse(_ text: String) -> Result<Stall, InvalidFault> {
      let parts = text.split(separator: ":").map { DurationText.nanoseconds(String($0)) }
      guard parts.count == 2, let start = parts[0], let duration = parts[1], duration > 0 else {
        return .failure(InvalidFault("--stall '\(text)': expected AT:DURATION, e.g. 10s:1s"))
      }
      return .success(Stall(start: start, duration: duration))
    }

    /// How long a response decided at `elapsed` (since the compositor started) must wait.
    func hold(atElapsed elapsed: UInt64) -> UInt64 {
      guard elapsed >= start, elapsed < start + duration else { return 0 }
      return start + duration - elapsed
    }
  }

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

  public init(
    delay: DelayDistribution? = nil, dropProbability: Double = 0, failures: [Failure] = [],
    stall: Stall? = nil
  ) {
    self.delay = delay
    self.dropProbability = dropProbability
    self.failures = failures
    self.stall = stall
  }

  public var isEmpty: Bool {
    delay == nil && dropProbability == 0 && failures.isEmpty && stall == nil && notifyDelay == nil
      && notifyDropProbability == 0
  }

  /// Decides the fate of one request.
  public func roll(using random: inout SplitMix64) -> Roll {
    if dropProbability > 0 && random.nextUnit() < dropProbability { return .drop }
    for failure in failures where random.nextUnit() < failure.probability {
      return .fail(statusCode: failure.statusCode)
    }
    return .process
  }
}
