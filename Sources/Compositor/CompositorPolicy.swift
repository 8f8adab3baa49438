import Publication

/// What a compositor accepts: event packages, lifetimes. The `--events`, `--min-expires` and
/// `--max-expires` flags of `pubsim compositor` fill it in.
public struct CompositorPolicy: Sendable {
  /// Accepted event packages; anything else gets 489 Bad Event.
  public var events: [EventPackage]
  /// Shortest lifetime accepted; a shorter non-zero Expires gets 423 with Min-Expires.
  public var minExpires: UInt32
  /// Longest lifetime granted; longer requests are shortened to it.
  public var maxExpires: UInt32
  /// Lifetime when the request has no Expires header (before the max clamp).
  public var defaultExpires: UInt32

  public init(
    events: [EventPackage] = EventPackage.known, minExpires: UInt32 = 60, maxExpires: UInt32 = 3600,
    defaultExpires: UInt32 = 3600
  ) {
    self.events = events
    self.minExpires = minExpires
    self.maxExpires = maxExpires
    self.defaultExpires = defaultExpires
  }

  func package(named name: String?) -> EventPackage? {
    guard let name else { return nil }
    return events.first { $0.name == name }
  }

  var allowEventsValue: String { events.map(\.name).joined(separator: ", ") }
}
