/// How a virtual publisher lives, from the profile: the lifetime it asks for, when it refreshes,
/// how often it changes its state, how long it stays online, and how it backs off after errors.
///
/// Times are nanoseconds. A `cycle` publisher (the `--arrival-rate` shape, like a SIPp PUBLISH
/// scenario) sends initial, refresh, modify and remove back to back and leaves.
public struct PublisherBehaviour: Sendable, Equatable {
  public enum Shape: Sendable, Equatable {
    /// initial → refresh → modify → remove, each as soon as the previous one is answered.
    case cycle
    /// initial, then refresh before the granted lifetime ends and modify as a Poisson process,
    /// until the session ends (remove) or the run stops.
    case steady
  }

  public var shape: Shape
  /// The Expires asked for.
  public var requestedExpires: UInt32
  /// When set, each session draws the Expires it asks for from this mix instead.
  public var expiresMix: ExpiresMix?
  /// Refresh at this fraction of the *granted* lifetime (RFC 3903 asks for a refresh before it
  /// ends), plus or minus `refreshJitter` of it.
  public var refreshFraction: Double
  public var refreshJitter: Double
  /// When set, the refresh point is drawn from these quantiles of the granted lifetime instead
  /// (a profile learned from a capture), each time a lifetime is granted.
  public var refreshPoints: Quantiles?
  /// The refresh point after an initial, when it differs from the later ones (a learned
  /// profile's `refresh: {first: …}`); nil: as the others.
  public var firstRefreshPoints: Quantiles?
  /// Time between modifications, drawn afresh after each one; nil for none.
  public var modifyInterval: DurationDistribution?
  /// Time from coming online to the first modification, when it differs from the time between
  /// them (a learned profile's `modify: {first: …}`); with it and no ``modifyInterval`` a
  /// session changes its state once. nil: as the others.
  public var firstModifyInterval: DurationDistribution?
  /// How long a session stays online before removing, drawn per session; nil for the whole run.
  public var sessionLength: DurationDistribution?
  /// How long a publisher stays offline between sessions, drawn per spell; nil to leave after
  /// one session.
  public var offlineLength: DurationDistribution?
  /// First back-off after a failure; doubles per consecutive failure up to `maximumBackoff`.
  public var initialBackoff: UInt64
  public var maximumBackoff: UInt64
  /// Due times (refresh, modify, session end, back-off) are rounded up to this grid, the
  /// engine's timer resolution, so that a publisher's intended send time is a time the engine
  /// really wakes at. 0 keeps exact times.
  public var schedulingGrid: UInt64 = 1_000_000

  public init(
    shape: Shape = .steady, requestedExpires: UInt32 = 3600, refreshFraction: Double = 0.8,
    refreshJitter: Double = 0.05, modifyMeanInterval: UInt64? = nil,
    sessionLength: DurationDistribution? = nil, offlineLength: DurationDistribution? = nil,
    initialBackoff: UInt64 = 1_000_000_000,
    maximumBackoff: UInt64 = 32_000_000_000
  ) {
    self.shape = shape
    self.requestedExpires = requestedExpires
    self.refreshFraction = refreshFraction
    self.refreshJitter = refreshJitter
    self.modifyInterval = modifyMeanInterval.map { .exponential(mean: $0) }
    self.sessionLength = sessionLength
    self.offlineLength = offlineLength
    self.initialBackoff = initialBackoff
    self.maximumBackoff = maximumBackoff
  }

  /// A time rounded up to the scheduling grid.
  public func onGrid(_ time: UInt64) -> UInt64 {
    guard schedulingGrid > 1 else { return time }
    return (time + schedulingGrid - 1) / schedulingGrid * schedulingGrid
  }

  /// The SIPp-shaped cycle used by `--arrival-rate`.
  public static let cycle = PublisherBehaviour(shape: .cycle)

  /// Mean time between modifications as an exponential mean (the usual profile's
  /// `meanInterval:`); nil for none.
  public var modifyMeanInterval: UInt64? {
    get { modifyInterval?.mean }
    set { modifyInterval = newValue.map { .exponential(mean: $0) } }
  }

  /// When to refresh, given the lifetime the server granted.
  func refreshDelay(
    granted: UInt32, afterInitial: Bool = false, using random: inout some RandomNumberGenerator
  ) -> UInt64 {
    let lifetime = Double(granted) * 1e9
    if let points = afterInitial ? firstRefreshPoints ?? refreshPoints : refreshPoints {
      // Learned points may sit anywhere in the lifetime, however early; never past its end.
      return UInt64(lifetime * min(max(points.sample(using: &random), 0), 0.99))
    }
    let jitter = refreshJitter > 0 ? Double.random(in: -refreshJitter...refreshJitter, using: &random) : 0
    let fraction = min(max(refreshFraction + jitter, 0.05), 0.95)
    return UInt64(lifetime * fraction)
  }

  /// Time to the next modification (the first of a session, or one after another).
  func modifyDelay(first: Bool, using random: inout some RandomNumberGenerator) -> UInt64? {
    (first ? firstModifyInterval ?? modifyInterval : modifyInterval)?.sample(using: &random)
  }
}
