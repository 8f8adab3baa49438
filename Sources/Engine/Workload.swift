import Publication
import SIPCore

/// What a shard's publishers do: the one protocol the engine knows. The shard owns the sockets,
/// client transactions, timers, the rate cap and the metrics; a workload decides which
/// publishers start when, what each one sends, what it does with the answers, how it answers
/// requests the server sends (a NOTIFY to a watcher), and what it adds to the report. Events go
/// in, the publishers' actions come out (as in async-http-client's state machines).
///
/// ``SimulatedWorkload`` (Simulation) plays a profile's population, ``ReplayWorkload`` (Replay)
/// a recorded trace. Every call happens on the shard's event loop; publishers are numbered from
/// 0 within the shard.
public protocol Workload: AnyObject, SendableMetatype {
  /// What the workload adds to the run's result (replay's fidelity); `Void` when nothing.
  associatedtype Report: Sendable = Void

  /// How many publishers this shard will hold at most (room is made for them at the start).
  var publisherCapacity: Int { get }

  /// One event; the publishers' actions are appended to `changes`.
  func handle(
    _ event: WorkloadEvent, now: UInt64, random: inout SplitMix64, into changes: inout [WorkloadChange])

  /// When the workload next has something to do unasked (an arrival, a stage's step), for a
  /// ``WorkloadEvent/due`` event then; `.max` when never.
  func nextDue(now: UInt64) -> UInt64

  /// Who sends the publisher's request (addresses, Call-ID, Event, credentials) and its body.
  func outgoing(_ request: PublisherStateMachine.Request, publisher: Int) -> Outgoing

  /// A request the server sent to one of the shard's sockets: the status code to answer it with
  /// (the shard writes and sends the response on the same transport).
  func incoming(_ request: SIPMessage, now: UInt64) -> Int

  /// Whether every publisher has come and gone, so the shard can finish before its duration.
  var isFinished: Bool { get }

  /// Publications the publishers still hold live, as far as they know: what the run leaves on
  /// the server (none after a cleanup that went through). Read once, at the end.
  var livePublications: Int { get }

  /// This shard's share of the report (read once, at the end).
  var report: Report { get }

  /// The shards' reports as one.
  static func merge(_ reports: [Report]) -> Report
}

/// The request a publisher sends, as its workload describes it.
public struct Outgoing {
  public var identity: PublisherIdentity
  public var body: [UInt8]
  /// Written in this recorded form, with the workload's CSeq; nil: pubsim's own request.
  public var recorded: RecordedRequest?

  public init(identity: PublisherIdentity, body: [UInt8], recorded: RecordedRequest? = nil) {
    self.identity = identity
    self.body = body
    self.recorded = recorded
  }
}

extension Workload {
  /// No requests are expected: whatever comes is refused as outside any dialog pubsim knows.
  public func incoming(_ request: SIPMessage, now: UInt64) -> Int { 481 }
}

extension Workload where Report == Void {
  public var report: Void { () }
  public static func merge(_ reports: [Void]) {}
}
