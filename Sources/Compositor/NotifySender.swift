import NIOConcurrencyHelpers
import NIOCore
import Publication
import SIPCore

/// Sends the compositor's NOTIFYs as a UAC (RFC 3261 §17.1.2): over UDP retransmitted at
/// T1 = 500 ms doubling to T2 = 4 s until a final response or Timer F (64·T1); over TCP and TLS
/// once. One NOTIFY is outstanding per dialog (RFC 6665 §4.2.2: the next waits for the final
/// response to the one before, or its timeout), and each takes its CSeq when it is sent, so
/// watchers see them in order; a dialog holds at most ``queueLimit`` waiting, beyond which the
/// newest replaces the last (its state is the current one). A response is matched by its
/// branch, on whichever loop it arrives. A NOTIFY refused (481 above all: the watcher forgot the
/// dialog) or never answered ends its subscription. Shared by every loop; its table is locked.
///
/// Retransmissions and Timer F are served by one sweep every ``tick`` while NOTIFYs are in
/// flight, not a timer each: cancelling a SwiftNIO scheduled task searches the loop's whole
/// heap, which made thousands of NOTIFYs a second cost quadratic time.
public final class NotifySender: Sendable {
  typealias ResourceKey = PublicationStore.ResourceKey

  /// A NOTIFY in flight, by branch.
  struct Entry {
    var dialog: Subscription.Dialog
    var key: ResourceKey
    /// The subscription's last NOTIFY (terminated): its dialog is forgotten after it.
    var isLast: Bool
    /// Set once it is sent: what to send again, where, when, and until when.
    var bytes: [UInt8] = []
    var route: (any NotifyRoute)?
    /// The next retransmission (UDP), or the deadline over a reliable transport.
    var nextAt: UInt64 = .max
    var interval: UInt64?
    var deadline: UInt64 = .max
  }

  /// A dialog's NOTIFYs: the last CSeq used, whether one is in flight, and those waiting.
  struct DialogQueue {
    var cseq: UInt32 = 0
    var inFlight = false
    /// The newest composition taken for the dialog (an older one arriving after it is dropped).
    var newest: UInt64 = 0
    var waiting: [PendingNotify] = []
  }

  struct Table {
    var entries: [String: Entry] = [:]
    var dialogs: [Subscription.Dialog: DialogQueue] = [:]
    var next: UInt64 = 0
    var counts = Counts()
    var random = SplitMix64(seed: UInt64.random(in: 0...UInt64.max))
    /// Whether a sweep is scheduled.
    var ticking = false
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
    /// NOTIFYs replaced in a full queue by a newer state, or composed before one already taken.
    public var coalesced = 0
  }

  static let t1: UInt64 = 500_000_000
  static let t2: UInt64 = 4_000_000_000
  static let timerF: UInt64 = 64 * t1
  /// Most NOTIFYs waiting in one dialog.
  static let queueLimit = 16
  /// How often NOTIFYs in flight are looked at (retransmissions are due to within this).
  static let tick: UInt64 = 20_000_000

  private let state = NIOLockedValueBox(Table())
  private let prefix: String
  private let delay: DelayDistribution?
  private let dropProbability: Double
  /// Ends a subscription whose NOTIFY was refused or never answered.
  private let endSubscription: @Sendable (Subscription.Dialog, ResourceKey) -> Void

  /// `faults` gives the NOTIFY delay and loss (`--notify-delay`, `--notify-drop`).
  init(faults: FaultPlan, endSubscription: @escaping @Sendable (Subscription.Dialog, ResourceKey) -> Void) {
    prefix = "z9hG4bK-pn" + String(UInt32.random(in: 0...UInt32.max), radix: 36) + "-"
    delay = faults.notifyDelay
    dropProbability = faults.notifyDropProbability
    self.endSubscription = endSubscription
  }

  public var counts: Counts { state.withLockedValue { $0.counts } }

  /// Sends a NOTIFY now, or after the one in flight in its dialog.
  public func send(_ notify: PendingNotify) {
    let started = state.withLockedValue { table -> (branch: String, cseq: UInt32, hold: UInt64)? in
      let dialog = notify.subscription.dialog
      var queue = table.dialogs[dialog] ?? DialogQueue()
      defer { table.dialogs[dialog] = queue }
      guard notify.sequence == 0 || notify.sequence > queue.newest else {
        table.counts.coalesced += 1
        return nil
      }
      queue.newest = max(queue.newest, notify.sequence)
      guard !queue.inFlight else {
        if queue.waiting.count == Self.queueLimit {
          queue.waiting[queue.waiting.count - 1] = notify
          table.counts.coalesced += 1
        } else {
          queue.waiting.append(notify)
        }
        return nil
      }
      queue.inFlight = true
      queue.cseq &+= 1
      return (open(notify, in: &table), queue.cseq, delay?.sample(using: &table.random) ?? 0)
    }
    if let started { start(notify, branch: started.branch, cseq: started.cseq, hold: started.hold) }
  }

  /// A NOTIFY's branch, in the table (under the lock).
  private func open(_ notify: PendingNotify, in table: inout Table) -> String {
    table.next += 1
    table.counts.sent += 1
    let branch = prefix + String(table.next, radix: 36)
    table.entries[branch] = Entry(
      dialog: notify.subscription.dialog, key: notify.subscription.key, isLast: notify.state == .terminated)
    return branch
  }

  /// Writes and sends a NOTIFY (after `hold`, `--notify-delay`), then keeps it going until it is
  /// answered or Timer F fires.
  private func start(_ notify: PendingNotify, branch: String, cseq: UInt32, hold: UInt64) {
    let route = notify.subscription.route
    let bytes = NotifyWriter.write(
      notify.subscription, state: notify.state, document: notify.document, cseq: cseq, branch: branch)
    let begin = { @Sendable [self] in
      transmit(bytes, route: route)
      let now = NIODeadline.now().uptimeNanoseconds
      let interval = route.transport == "udp" ? Self.t1 : nil
      let sweep = state.withLockedValue { table -> Bool in
        guard table.entries[branch] != nil else { return false }
        table.entries[branch]?.bytes = bytes
        table.entries[branch]?.route = route
        table.entries[branch]?.interval = interval
        table.entries[branch]?.deadline = now + Self.timerF
        table.entries[branch]?.nextAt = interval.map { now + $0 } ?? now + Self.timerF
        defer { table.ticking = true }
        return !table.ticking
      }
      if sweep { scheduleSweep(on: route.eventLoop) }
    }
    if hold == 0 {
      begin()
    } else {
      route.eventLoop.scheduleTask(in: .nanoseconds(Int64(hold))) { begin() }
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

  private func scheduleSweep(on loop: any EventLoop) {
    loop.scheduleTask(in: .nanoseconds(Int64(Self.tick))) { [self] in sweep(on: loop) }
  }

  /// Retransmits what is due (T1 doubling to T2, UDP) and ends what reached Timer F; goes on
  /// while anything is in flight.
  private func sweep(on loop: any EventLoop) {
    let now = NIODeadline.now().uptimeNanoseconds
    let (due, expired, more) = state.withLockedValue {
      table -> (due: [([UInt8], any NotifyRoute)], expired: [String], more: Bool) in
      var due: [([UInt8], any NotifyRoute)] = []
      var expired: [String] = []
      for (branch, entry) in table.entries where entry.nextAt <= now {
        guard let route = entry.route else { continue }
        if now >= entry.deadline {
          expired.append(branch)
          continue
        }
        let interval = entry.interval.map { min($0 * 2, Self.t2) }
        table.entries[branch]?.interval = interval
        table.entries[branch]?.nextAt = min(now + (interval ?? Self.timerF), entry.deadline)
        table.counts.retransmitted += 1
        due.append((entry.bytes, route))
      }
      table.ticking = !table.entries.isEmpty
      return (due, expired, table.ticking)
    }
    for (bytes, route) in due { transmit(bytes, route: route) }
    for branch in expired { finish(branch, status: nil) }
    if more { scheduleSweep(on: loop) }
  }

  /// A response that may answer a NOTIFY: true when it did (it is then not a stray).
  public func responseReceived(_ message: SIPMessage) -> Bool {
    guard let status = message.statusCode, let branch = message.topVia?.branch, branch.hasPrefix(prefix)
    else {
      return false
    }
    if status >= 200 { finish(branch, status: status) }
    return true
  }

  /// A NOTIFY's end: its final response (`status`) or Timer F (nil). A failure ends the
  /// subscription and drops what waits in its dialog; otherwise the next waiting one goes.
  private func finish(_ branch: String, status: Int?) {
    let outcome = state.withLockedValue {
      table -> (entry: Entry, next: (PendingNotify, String, UInt32, UInt64)?)? in
      guard let entry = table.entries.removeValue(forKey: branch) else { return nil }
      let failed = status.map { $0 >= 300 } ?? true
      switch status {
      case .none: table.counts.timedOut += 1
      case .some(let code) where code < 300: table.counts.answered += 1
      case .some: table.counts.refused += 1
      }
      guard var queue = table.dialogs[entry.dialog] else { return (entry, nil) }
      guard !failed, !queue.waiting.isEmpty else {
        // Nothing more to send now: the dialog is over (failed, or its last NOTIFY went), or
        // its state is kept for the next CSeq.
        if failed || entry.isLast {
          table.dialogs[entry.dialog] = nil
        } else {
          queue.inFlight = false
          table.dialogs[entry.dialog] = queue
        }
        return (entry, nil)
      }
      let next = queue.waiting.removeFirst()
      queue.cseq &+= 1
      table.dialogs[entry.dialog] = queue
      return (entry, (next, open(next, in: &table), queue.cseq, delay?.sample(using: &table.random) ?? 0))
    }
    guard let outcome else { return }
    if let (next, nextBranch, cseq, hold) = outcome.next {
      start(next, branch: nextBranch, cseq: cseq, hold: hold)
    } else if status.map({ $0 >= 300 }) ?? true {
      endSubscription(outcome.entry.dialog, outcome.entry.key)
    }
  }
}
