import Publication
import Trace

/// One publication's life in a capture: from the accepted initial (or the first accepted
/// request of a publisher already publishing when the capture began) to its remove, or to
/// where the capture stops seeing it (its end, or the lifetime running out unrefreshed).
/// Requests the server refused are not part of a life: they are its answers, not the
/// publisher's behaviour.
public struct RecordedSession: Sendable {
  /// The publication's address and event package.
  public var resource: String
  public var event: String
  public var start: UInt64
  public var end: UInt64
  /// Whether it ended with an accepted remove (otherwise the capture lost sight of it).
  public var removed: Bool
  /// Whether the capture began while it was already live (its first request is no initial).
  public var startedBefore: Bool
  /// The accepted requests, in time order (positions in the records).
  public var accepted: [Int]

  public var length: UInt64 { end > start ? end - start : 0 }
}
