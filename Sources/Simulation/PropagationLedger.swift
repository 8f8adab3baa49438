import Measurements

/// Which published changes each watcher is owed, and what the NOTIFYs brought: the bookkeeping
/// behind `notify` in run.json. Pure: the workload tells it what was sent, answered and
/// notified, with the times.
///
/// A change (an initial or modify PUBLISH carrying a marker) is owed to every watcher whose
/// subscription is in place or being made when the PUBLISH leaves: the notifier either
/// processes the SUBSCRIBE first and notifies the change, or the PUBLISH first and puts it in
/// the subscription's first NOTIFY. It is owed from the send, not the 2xx, because a notifier
/// may send the NOTIFY before it answers the PUBLISH (Kamailio does). A change whose PUBLISH
/// fails, or owed to a watcher whose SUBSCRIBE fails, is no longer owed.
struct PropagationLedger {
  /// A change owed to a watcher.
  struct Owed {
    var change: UInt32
    var intendedAt: UInt64
  }

  /// A publisher's change, with the time its PUBLISH was answered 2xx.
  struct Change {
    var number: UInt32
    var intendedAt: UInt64
    var answeredAt: UInt64?
  }

  /// Answered changes kept per publisher for the NOTIFYs still coming (a NOTIFY almost always
  /// brings the newest).
  static let recentKept = 4

  private var changesMade: [UInt32] = []
  private var inFlight: [Change?] = []
  private var recent: [[Change]] = []
  private var owed: [[Owed]] = []
  /// Each watcher's presentity.
  private var presentity: [Int] = []
  private var lastReceived: [UInt32] = []
  /// NOTIFYs still due for SUBSCRIBEs sent (each brings the current state, perhaps again): a
  /// NOTIFY that brings nothing owed takes one of them rather than counting as a duplicate.
  private var stateNotifiesDue: [UInt8] = []
  private(set) var owedCount = 0
  /// When the newest owed change was sent: NOTIFYs are awaited until `grace` after it.
  private var newestOwedAt: UInt64 = 0

  mutating func addPublisher() {
    changesMade.append(0)
    inFlight.append(nil)
    recent.append([])
  }

  /// A watcher of `publisher`.
  mutating func addWatcher(of publisher: Int) {
    presentity.append(publisher)
    owed.append([])
    lastReceived.append(0)
    stateNotifiesDue.append(0)
  }

  /// A change leaves; `owing` are the watchers it is owed to. Returns the change's number.
  mutating func changeSent(
    publisher: Int, intendedAt: UInt64, owing watchers: [Int], metrics: inout WatcherMetrics
  ) -> UInt32 {
    changesMade[publisher] &+= 1
    let number = changesMade[publisher]
    inFlight[publisher] = Change(number: number, intendedAt: intendedAt)
    for watcher in watchers { owed[watcher].append(Owed(change: number, intendedAt: intendedAt)) }
    owedCount += watchers.count
    metrics.notify.expected += UInt64(watchers.count)
    if !watchers.isEmpty { newestOwedAt = max(newestOwedAt, intendedAt) }
    return number
  }

  /// The publisher's PUBLISH was answered (or failed); `watchers` are its presentity's.
  mutating func changeAnswered(
    publisher: Int, success: Bool, at time: UInt64, watchers: [Int], metrics: inout WatcherMetrics
  ) {
    guard var change = inFlight[publisher] else { return }
    inFlight[publisher] = nil
    if success {
      change.answeredAt = time
      if recent[publisher].count >= Self.recentKept { recent[publisher].removeFirst() }
      recent[publisher].append(change)
      return
    }
    for watcher in watchers {
      let before = owed[watcher].count
      owed[watcher].removeAll { $0.change == change.number }
      withdraw(before - owed[watcher].count, metrics: &metrics)
    }
  }

  /// The watcher sent a SUBSCRIBE: its NOTIFY brings the current state again, not a duplicate.
  mutating func subscribing(_ watcher: Int) {
    stateNotifiesDue[watcher] = min(stateNotifiesDue[watcher], 7) + 1
  }

  /// A SUBSCRIBE was refused: no NOTIFY follows it.
  mutating func subscribeRefused(_ watcher: Int) {
    takeStateNotify(watcher)
  }

  /// The watcher's subscription failed or ended: nothing more is owed to it. Unless the watcher
  /// ended it itself (its final NOTIFY is still due), no NOTIFY follows its SUBSCRIBEs.
  mutating func subscriptionLost(_ watcher: Int, finalNotifyDue: Bool = false, metrics: inout WatcherMetrics)
  {
    withdraw(owed[watcher].count, metrics: &metrics)
    owed[watcher].removeAll()
    if !finalNotifyDue { stateNotifiesDue[watcher] = 0 }
  }

  /// A NOTIFY reached the watcher at `receivedAt`, carrying `change` of its presentity
  /// `publisher` (nil: no marker of it, such as the state before any publication).
  mutating func notified(
    watcher: Int, publisher: Int, change: UInt32?, receivedAt: UInt64, metrics: inout WatcherMetrics
  ) {
    guard let change else {
      takeStateNotify(watcher)
      return
    }
    if let position = owed[watcher].firstIndex(where: { $0.change == change }) {
      let entry = owed[watcher][position]
      metrics.recordPropagation(
        intendedAt: entry.intendedAt, answeredAt: answeredAt(publisher, change), receivedAt: receivedAt)
      // Owed changes older than this one were replaced by it.
      let skipped = owed[watcher][..<position].count
      metrics.notify.superseded += UInt64(skipped)
      owed[watcher].removeFirst(position + 1)
      owedCount -= position + 1
      lastReceived[watcher] = max(lastReceived[watcher], change)
    } else if change == lastReceived[watcher] {
      if !takeStateNotify(watcher) { metrics.notify.duplicates += 1 }
    } else if change < lastReceived[watcher] {
      metrics.notify.stale += 1
    } else {
      // A change made before the watcher subscribed, in its first NOTIFY.
      lastReceived[watcher] = change
      takeStateNotify(watcher)
    }
  }

  /// Takes one of the NOTIFYs due for SUBSCRIBEs; false when none was due.
  @discardableResult
  private mutating func takeStateNotify(_ watcher: Int) -> Bool {
    guard stateNotifiesDue[watcher] > 0 else { return false }
    stateNotifiesDue[watcher] -= 1
    return true
  }

  /// Owed changes answered more than `grace` ago are missing (one whose PUBLISH is still
  /// outstanding is not known to have happened yet; one answered before the changes kept in
  /// ``recentKept`` counts from its intended send).
  mutating func sweep(now: UInt64, grace: UInt64, metrics: inout WatcherMetrics) {
    guard owedCount > 0 else { return }
    for watcher in owed.indices where !owed[watcher].isEmpty {
      let publisher = presentity[watcher]
      let late = owed[watcher].prefix { entry in
        guard inFlight[publisher]?.number != entry.change else { return false }
        let since = answeredAt(publisher, entry.change) ?? entry.intendedAt
        return now > since && now - since > grace
      }.count
      guard late > 0 else { continue }
      owed[watcher].removeFirst(late)
      owedCount -= late
      metrics.notify.missing += UInt64(late)
    }
  }

  /// Whether NOTIFYs are still owed and may yet come.
  func awaits(now: UInt64, grace: UInt64) -> Bool {
    owedCount > 0 && now - min(now, newestOwedAt) < grace
  }

  /// The run's end: whatever is still owed is missing.
  mutating func finish(metrics: inout WatcherMetrics) {
    metrics.notify.missing += UInt64(owedCount)
    for watcher in owed.indices { owed[watcher].removeAll() }
    owedCount = 0
  }

  private func answeredAt(_ publisher: Int, _ change: UInt32) -> UInt64? {
    recent[publisher].last { $0.number == change }?.answeredAt
  }

  private mutating func withdraw(_ count: Int, metrics: inout WatcherMetrics) {
    owedCount -= count
    metrics.notify.expected -= UInt64(count)
  }
}
