import NIOConcurrencyHelpers
import NIOCore
import Publication
import SIPCore

/// Sends the compositor's NOTIFYs as a UAC (RFC 3261 §17.1.2): over UDP retransmitted at
/// T1 = 500 ms doubling to T2 = 4 s until a final response or Timer F (64·T1); over TCP and TLS
/// once. A response is matched by its branch, on whichever loop it arrives. A NOTIFY refused
/// (481 above all: the watcher forgot the dialog) or never answered ends its subscription
/// (RFC 6665 §4.2.2). Shared by every loop; its table is locked.
public final class NotifySender: Sendable {
  struct Entry {
    var dialog: Subscription.Dialog
    var key: PublishStoreKey
    var retransmission: Scheduled<Void>?
  }

  typealias PublishStoreKey = PublicationStore.ResourceKey

  struct Table {
    var entries: [String: Entry] = [:]
    var next: UInt64 = 0
    var counts = Counts()
    var random = SplitMix64(seed: UInt64.random(in: 0...UInt64.max))
  }

  /// What happened to the NOTIFYs, for the compositor's statistics.
  public struct Counts: Sendable, Equatable {
    public var sent = 0
    public var retransmitted = 0
    public var answered = 0
    public var refused = 0
    public var timedOut = 0
    /// Transmissions not sent (`--notify-drop`).
    public var dropped = 0
  }

  static let t1: UInt64 = 500_000_000
  static let t2: UInt64 = 4_000_000_000
  static let timerF: UInt64 = 64 * t1

  private let state = NIOLockedValueBox(Table())
  private let prefix: String
  private let delay: DelayDistribution?
  private let dropProbability: Double
  /// Ends a subscription whose NOTIFY was refused or never answered.
  private let endSubscription: @Sendable (Subscription.Dialog, PublishStoreKey) -> Void

  /// `faults` gives the NOTIFY delay and loss (`--notify-delay`, `--notify-drop`).
  init(faults: FaultPlan, endSubscription: @escaping @Sendable (Subscription.Dialog, PublishStoreKey) -> Void)
  {
    prefix = "z9hG4bK-pn" + String(UInt32.random(in: 0...UInt32.max), radix: 36) + "-"
    delay = faults.notifyDelay
    dropProbability = faults.notifyDropProbability
    self.endSubscription = endSubscription
  }

  public var counts: Counts { state.withLockedValue { $0.counts } }

  /// Sends a NOTIFY, and over UDP keeps sending it until it is answered or Timer F fires.
  public func send(_ notify: PendingNotify) {
    let route = notify.subscription.route
    let (branch, hold) = state.withLockedValue { (table: inout Table) -> (String, UInt64) in
      table.next += 1
      table.counts.sent += 1
      let branch = prefix + String(table.next, radix: 36)
      table.entries[branch] = Entry(dialog: notify.subscription.dialog, key: notify.subscription.key)
      return (branch, delay?.sample(using: &table.random) ?? 0)
    }
    let bytes = NotifyWriter.write(
      notify.subscription, state: notify.state, document: notify.document, cseq: notify.cseq, branch: branch)
    let start = { @Sendable [self] in
      transmit(bytes, route: route)
      let deadline = NIODeadline.now().uptimeNanoseconds + Self.timerF
      schedule(
        branch, bytes: bytes, route: route, interval: route.transport == "udp" ? Self.t1 : nil,
        deadline: deadline)
    }
    if hold == 0 {
      start()
    } else {
      route.eventLoop.scheduleTask(in: .nanoseconds(Int64(hold))) { start() }
    }
  }

  /// One transmission, unless `--notify-drop` loses it.
  private func transmit(_ bytes: [UInt8], route: any NotifyRoute) {
    if dropProbability > 0 {
      let lost = state.withLockedValue { table in
        let lost = table.random.nextUnit() < dropProbability
        if lost { table.counts.dropped += 1 }
        return lost
      }
      if lost { return }
    }
    route.send(bytes)
  }

  /// The next retransmission (UDP) or, reliable or past T2's steps, the wait for Timer F.
  private func schedule(
    _ branch: String, bytes: [UInt8], route: any NotifyRoute, interval: UInt64?, deadline: UInt64
  ) {
    let now = NIODeadline.now().uptimeNanoseconds
    let fireAt = interval.map { min(now + $0, deadline) } ?? deadline
    let task = route.eventLoop.scheduleTask(deadline: .uptimeNanoseconds(fireAt)) { [self] in
      let alive = state.withLockedValue { $0.entries[branch] != nil }
      guard alive else { return }
      if fireAt >= deadline {
        timedOut(branch)
        return
      }
      state.withLockedValue { $0.counts.retransmitted += 1 }
      transmit(bytes, route: route)
      schedule(
        branch, bytes: bytes, route: route, interval: interval.map { min($0 * 2, Self.t2) },
        deadline: deadline)
    }
    state.withLockedValue { table in
      if table.entries[branch] != nil { table.entries[branch]?.retransmission = task } else { task.cancel() }
    }
  }

  private func timedOut(_ branch: String) {
    guard
      let entry = state.withLockedValue({ (table: inout Table) -> Entry? in
        let entry = table.entries.removeValue(forKey: branch)
        if entry != nil { table.counts.timedOut += 1 }
        return entry
      })
    else { return }
    endSubscription(entry.dialog, entry.key)
  }

  /// A response that may answer a NOTIFY: true when it did (it is then not a stray).
  public func responseReceived(_ message: SIPMessage) -> Bool {
    guard let status = message.statusCode, let branch = message.topVia?.branch, branch.hasPrefix(prefix)
    else {
      return false
    }
    guard status >= 200 else { return true }
    let entry = state.withLockedValue { (table: inout Table) -> Entry? in
      guard let entry = table.entries.removeValue(forKey: branch) else { return nil }
      if status < 300 { table.counts.answered += 1 } else { table.counts.refused += 1 }
      return entry
    }
    guard let entry else { return true }
    entry.retransmission?.cancel()
    if status >= 300 { endSubscription(entry.dialog, entry.key) }
    return true
  }
}
