import Publication

/// What happens to a workload, as the shard tells it.
public enum WorkloadEvent {
  /// The shard starts ticking (`now` is the run's start).
  case start
  /// The time ``Workload/nextDue(now:)`` named has come: publishers arrive or leave.
  case due
  /// A publisher's own timer (refresh, modify, session end, back-off) fired.
  case timer(publisher: Int)
  /// A final response to the publisher's request; `latency` is from its actual send.
  case response(publisher: Int, PublisherStateMachine.Response, latency: UInt64)
  /// The publisher's request timed out (`timedOut`) or could not be sent.
  case failed(publisher: Int, timedOut: Bool)
  /// The run is ending: every publisher still online stops (removing its publication with
  /// `cleanup`), and every watcher unsubscribes. Sent again while ``Workload/stopPending``.
  case stop(cleanup: Bool)
  /// A watcher's own timer (subscribe, refresh, session end, back-off) fired.
  case watcherTimer(watcher: Int)
  /// A final response to the watcher's SUBSCRIBE; `latency` is from its actual send.
  case watcherResponse(watcher: Int, WatcherStateMachine.Response, latency: UInt64)
  /// The watcher's SUBSCRIBE timed out (`timedOut`) or could not be sent.
  case watcherFailed(watcher: Int, timedOut: Bool)
}

/// A publisher's action the shard must perform. `arrived` marks a publisher coming online (first
/// or again), `departed` one going offline between sessions; `leave` as the action also takes it
/// offline. The shard counts publishers online from these (each publisher counts once).
public struct WorkloadChange {
  public var publisher: Int
  public var action: PublisherStateMachine.Action
  public var arrived: Bool
  public var departed: Bool

  public init(
    publisher: Int, action: PublisherStateMachine.Action, arrived: Bool = false, departed: Bool = false
  ) {
    self.publisher = publisher
    self.action = action
    self.arrived = arrived
    self.departed = departed
  }
}

/// A watcher's action the shard must perform (see ``Workload/takeWatcherChanges(into:)``).
public struct WatcherChange: Sendable {
  public var watcher: Int
  public var action: WatcherStateMachine.Action

  public init(watcher: Int, action: WatcherStateMachine.Action) {
    self.watcher = watcher
    self.action = action
  }
}
