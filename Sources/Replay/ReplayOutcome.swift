import Publication

/// What became of one replayed transaction (a step of one copy in one loop) live: the outcome
/// the fidelity report sets next to the recorded one. Small, because a replay keeps one per
/// transaction.
public struct ReplayOutcome: Sendable, Equatable {
  public enum Live: Sendable, Equatable {
    /// A final response with this status code.
    case status(Int)
    /// Sent, but no final response came (Timer F, or the connection failed).
    case noResponse
    /// Not sent: its chain was broken and the policy said skip (or nothing could stand in).
    case skipped
  }

  public var step: Int32
  public var copy: Int32
  public var loop: Int32
  /// What was sent live (a re-initiated conditional request is sent as `.initial`).
  public var operation: PublishOperation?
  public var live: Live
  /// From the actual send to the final response.
  public var latencyMicros: UInt32?
  /// When it was due, nanoseconds after the replay's start.
  public var dueAt: UInt64

  public init(
    step: Int32, copy: Int32, loop: Int32, operation: PublishOperation?, live: Live,
    latencyMicros: UInt32? = nil, dueAt: UInt64
  ) {
    self.step = step
    self.copy = copy
    self.loop = loop
    self.operation = operation
    self.live = live
    self.latencyMicros = latencyMicros
    self.dueAt = dueAt
  }

  /// The live final status code, if there was one.
  public var liveStatus: Int? {
    if case .status(let code) = live { return code }
    return nil
  }
}
