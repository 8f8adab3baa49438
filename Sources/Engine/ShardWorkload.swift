import Publication

/// What a shard's publishers do. The shard owns the sockets, client transactions, timers, the
/// rate cap and the metrics; a workload decides which publishers start when, what each one sends
/// and what it does with the answers. Two exist: ``SimulatedWorkload`` (a profile's population)
/// and ``ReplayWorkload`` (a recorded trace).
///
/// Every call happens on the shard's event loop. Publishers are numbered from 0 within the shard.
protocol ShardWorkload: AnyObject {
  typealias Action = PublisherStateMachine.Action

  /// A publisher's action the shard must perform; `arrived` marks a publisher coming online.
  typealias Change = (publisher: Int, action: Action, arrived: Bool)

  /// How many publishers this shard will hold at most (room is made for them at the start).
  var publisherCapacity: Int { get }

  /// Publications the publishers still hold live, as far as they know: what the run leaves on
  /// the server (none after a cleanup that went through).
  var livePublications: Int { get }

  /// The shard starts ticking at `startedAt` (uptime nanoseconds).
  func start(at startedAt: UInt64)

  /// Publishers that start (or stop, following stages) by `now`.
  func arrivals(now: UInt64, random: inout SplitMix64, into changes: inout [Change])

  /// When ``arrivals(now:random:into:)`` next has something to do; `.max` when never.
  func nextArrival(now: UInt64) -> UInt64

  /// Whether every publisher has come and gone, so the shard can finish before its duration.
  var isFinished: Bool { get }

  func timerFired(publisher: Int, now: UInt64, random: inout SplitMix64) -> Action

  /// A final response to the publisher's request; `latency` is from its actual send.
  func responseReceived(
    publisher: Int, response: PublisherStateMachine.Response, latency: UInt64, now: UInt64,
    random: inout SplitMix64
  ) -> Action

  /// The publisher's request timed out (`timedOut`) or could not be sent.
  func requestFailed(publisher: Int, timedOut: Bool, now: UInt64) -> Action

  /// The run is ending: every publisher still online stops (removing its publication with
  /// `cleanup`).
  func stop(now: UInt64, cleanup: Bool, into changes: inout [Change])

  /// Who the publisher is, for the request's addresses, Call-ID, Event and credentials.
  func identity(of publisher: Int) -> RequestWriter.Publisher

  /// The body of the publisher's request (empty for refresh and remove).
  func body(
    for request: PublisherStateMachine.Request, publisher: Int, identity: RequestWriter.Publisher
  ) -> [UInt8]
}
