import Measurements
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
  /// (the shard writes and sends the response on the same transport). `receivedAt` is when it
  /// arrived (the kernel's time over UDP), `now` when it is handled.
  func incoming(_ request: SIPMessage, receivedAt: UInt64, now: UInt64) -> Int

  /// How many watchers this shard will hold at most (0: none).
  var watcherCapacity: Int { get }

  /// The SUBSCRIBE a watcher sends: its addresses, dialog and package.
  func subscription(_ request: WatcherStateMachine.Request, watcher: Int) -> SubscribeOutgoing

  /// Moves the watchers' actions decided since the last call (by an event or an incoming
  /// request) into `changes`.
  func takeWatcherChanges(into changes: inout [WatcherChange])

  /// Whether requests from the server may come now (watchers hold subscriptions): UDP sockets are
  /// then read every millisecond, so that a NOTIFY is answered before the notifier retransmits.
  var expectsIncoming: Bool { get }

  /// Whether a stopping shard must wait (up to its drain deadline): NOTIFYs of changes already
  /// published are owed, or watchers have yet to unsubscribe.
  func awaitsIncoming(now: UInt64) -> Bool

  /// What the watchers measured (nil without watchers): so far for live metrics, or `final`ly at
  /// the end (what is still owed then is missing).
  func watcherMetrics(final: Bool) -> WatcherMetrics?

  /// Whether every publisher has come and gone, so the shard can finish before its duration.
  var isFinished: Bool { get }

  /// Whether a ``WorkloadEvent/stop(cleanup:)`` left publishers to stop: the shard then sends
  /// it again until none are left, so that stopping millions of publishers never holds a change
  /// for each of them at once.
  var stopPending: Bool { get }

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

/// The SUBSCRIBE a watcher sends, as its workload describes it; the shard adds Via, Contact,
/// Max-Forwards and Content-Length.
public struct SubscribeOutgoing: Sendable {
  /// The presentity (`sip:user@domain`), or the dialog's remote target for in-dialog requests.
  public var requestURI: String
  /// The watcher's and the presentity's addresses (`sip:user@domain`).
  public var watcher: String
  public var presentity: String
  public var fromTag: String
  public var callID: String
  public var event: String
  public var accept: String

  public init(
    requestURI: String, watcher: String, presentity: String, fromTag: String, callID: String, event: String,
    accept: String
  ) {
    self.requestURI = requestURI
    self.watcher = watcher
    self.presentity = presentity
    self.fromTag = fromTag
    self.callID = callID
    self.event = event
    self.accept = accept
  }
}

extension Workload {
  /// No requests are expected: whatever comes is refused as outside any dialog pubsim knows.
  public func incoming(_ request: SIPMessage, receivedAt: UInt64, now: UInt64) -> Int { 481 }

  public var watcherCapacity: Int { 0 }

  public func subscription(_ request: WatcherStateMachine.Request, watcher: Int) -> SubscribeOutgoing {
    preconditionFailure("a workload without watchers was asked for a SUBSCRIBE")
  }

  public func takeWatcherChanges(into changes: inout [WatcherChange]) {}

  public var expectsIncoming: Bool { false }

  public func awaitsIncoming(now: UInt64) -> Bool { false }

  public func watcherMetrics(final: Bool) -> WatcherMetrics? { nil }

  public var stopPending: Bool { false }
}

extension Workload where Report == Void {
  public var report: Void { () }
  public static func merge(_ reports: [Void]) {}
}
