/// What every watcher of a profile does (`watchers:`): which package it subscribes to, what it
/// accepts, the lifetime it asks for, when it refreshes, how long it stays and how long it is
/// away. Times are nanoseconds.
public struct WatcherBehaviour: Sendable, Equatable {
  public var package: String
  /// The Accept header's value.
  public var accept: String
  /// Subscription lifetime asked for, in seconds.
  public var requestedExpires: UInt32
  /// Fraction of the granted lifetime after which the subscription is refreshed.
  public var refreshFraction: Double
  /// Delay from the presentity's arrival to the watcher's first SUBSCRIBE.
  public var arrival: DurationDistribution
  /// How long a watcher stays subscribed before it unsubscribes; nil: until the run ends.
  public var sessionLength: DurationDistribution?
  /// How long it stays away before it subscribes again.
  public var offlineLength: DurationDistribution
  public var initialBackoff: UInt64
  public var maximumBackoff: UInt64

  public init(
    package: String = "presence", accept: String = "application/pidf+xml", requestedExpires: UInt32 = 600,
    refreshFraction: Double = 0.8, arrival: DurationDistribution = .fixed(0),
    sessionLength: DurationDistribution? = nil,
    offlineLength: DurationDistribution = .exponential(mean: 30_000_000_000),
    initialBackoff: UInt64 = 1_000_000_000, maximumBackoff: UInt64 = 32_000_000_000
  ) {
    self.package = package
    self.accept = accept
    self.requestedExpires = requestedExpires
    self.refreshFraction = refreshFraction
    self.arrival = arrival
    self.sessionLength = sessionLength
    self.offlineLength = offlineLength
    self.initialBackoff = initialBackoff
    self.maximumBackoff = maximumBackoff
  }
}
