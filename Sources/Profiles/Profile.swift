import Publication

/// A load test described in YAML (`profiles/*.yaml`): who publishes, what, how often, how many,
/// against which target, and what counts as passing. See README "Profiles" for every key.
public struct Profile: Sendable, Equatable {
  /// A step of the population over time: reach `target` publishers over `duration`.
  public struct Stage: Sendable, Equatable {
    public var duration: UInt64
    public var target: Int

    public init(duration: UInt64, target: Int) {
      self.duration = duration
      self.target = target
    }
  }

  public var name: String
  /// SIP URI of the compositor; nil: the embedded compositor.
  public var target: String?
  /// `udp` or `tcp`; overrides the target URI's transport when set.
  public var transport: String?
  /// Over UDP, requests larger than this many bytes go over TCP (RFC 3261 §18.1.1); nil: never.
  public var tcpAbove: Int?
  public var duration: UInt64 = 30_000_000_000
  public var population = 1_000
  public var identities: IdentitySource = .pattern("user{n}", start: 1)
  /// Domain for identities without one (default: the target's host).
  public var domain: String?
  /// Source addresses or CIDR ranges to send from (`localIp:`, as `--local-ip`); empty: the
  /// system's choice.
  public var localAddresses: [String] = []
  public var events: [EventMix] = [EventMix(package: "presence")]
  public var behaviour = PublisherBehaviour()
  /// How publishers arrive while the population fills; nil: all at once.
  public var arrival: ArrivalProcess? = .constant(1_000)
  /// `arrival: {within: D}`: the whole population arrives within this time (nanoseconds), so
  /// the arrival rate is the population over it, whatever population the run is given.
  public var arrivalWindow: UInt64?
  public var stages: [Stage] = []
  /// Most PUBLISH requests per second; nil: no cap.
  public var rateCap: Double?
  /// UDP source sockets (or TCP connections) per shard.
  public var connections = 4
  /// Pass/fail rules such as `p99(refresh) < 20ms`, checked at the end of the run.
  public var thresholds: [String] = []
  /// `faults:`: deliberately wrong requests, by kind, as fractions.
  public var faults = FaultMix()
  /// `watchers:`: subscribers to the publishers' state, and what they measure; nil: none.
  public var watchers: WatcherProfile?
  /// `seed:`: the run's random seed (`--seed` overrides it); nil: a fresh one each run.
  public var seed: UInt64?

  public init(name: String) {
    self.name = name
  }

  /// The arrivals for a population of `count` (a window's rate follows the population).
  public func arrival(forPopulation count: Int) -> ArrivalProcess? {
    guard let window = arrivalWindow, var arrival else { return arrival }
    arrival.rate = .constant(Double(max(count, 1)) / (Double(window) / 1e9))
    return arrival
  }

  /// The population the stages reach at most (or the population).
  public var peakPopulation: Int {
    stages.isEmpty ? population : max(stages.map(\.target).max() ?? 0, 0)
  }
}
