import Publication

/// A profile's `watchers:`: how many watchers each presentity of the watched package has, what
/// they do, and how long a change may take to reach them before it counts as missing.
public struct WatcherProfile: Sendable, Equatable {
  public var behaviour: WatcherBehaviour
  public var perPresentity: WatcherCount
  /// A change no NOTIFY carried this long after its PUBLISH was answered is missing.
  public var grace: UInt64

  public init(
    behaviour: WatcherBehaviour = WatcherBehaviour(), perPresentity: WatcherCount = .fixed(1),
    grace: UInt64 = 5_000_000_000
  ) {
    self.behaviour = behaviour
    self.perPresentity = perPresentity
    self.grace = grace
  }
}
