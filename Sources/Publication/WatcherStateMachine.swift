/// One virtual watcher (a subscriber to one presentity's event package, RFC 6665 and RFC 3856)
/// as a state machine: events in, actions out, no I/O and no clock of its own.
///
/// It subscribes, refreshes in its dialog before the granted lifetime ends, retries with the
/// server's Min-Expires after 423, starts a new dialog after 481 or a `terminated` NOTIFY that
/// invites it (RFC 6665 §4.1.3), gives up on 489 and on `rejected` or `noresource`, backs off
/// exponentially after other failures, and unsubscribes (Expires 0) when its session or the run
/// ends. The engine sends its requests; the workload feeds back responses, NOTIFYs and timers.
public struct WatcherStateMachine: Sendable {
  /// A SUBSCRIBE to send.
  public struct Request: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
      /// A new subscription, in a new dialog.
      case subscribe
      /// A refresh in the dialog.
      case refresh
      /// Expires 0 in the dialog: the end of the subscription.
      case unsubscribe
    }

    public var kind: Kind
    public var expires: UInt32
    public var cseq: UInt32
    /// Which of the watcher's dialogs (a new one for each new subscription).
    public var dialog: UInt32
    /// The dialog's remote tag and target, once the notifier gave them.
    public var toTag: String?
    public var remoteTarget: String?
    public var intendedAt: UInt64
  }

  /// A final response to a SUBSCRIBE, as the state machine needs it.
  public struct Response: Equatable, Sendable {
    public var statusCode: Int
    public var expires: UInt32?
    public var minExpires: UInt32?
    public var toTag: String?
    /// The Contact URI of a 2xx: where in-dialog requests go.
    public var contact: String?
    public var retryAfter: UInt32?

    public init(
      statusCode: Int, expires: UInt32? = nil, minExpires: UInt32? = nil, toTag: String? = nil,
      contact: String? = nil, retryAfter: UInt32? = nil
    ) {
      self.statusCode = statusCode
      self.expires = expires
      self.minExpires = minExpires
      self.toTag = toTag
      self.contact = contact
      self.retryAfter = retryAfter
    }
  }

  /// What a NOTIFY's Subscription-State says (RFC 6665 §8.2.3).
  public enum NotifiedState: Equatable, Sendable {
    case active(expires: UInt32?)
    case pending(expires: UInt32?)
    case terminated(reason: String?, retryAfter: UInt32?)
  }

  /// What the engine must do next.
  public enum Action: Equatable, Sendable {
    case send(Request)
    /// Call ``timerFired(now:using:)`` at this time.
    case wakeUp(at: UInt64)
    /// Nothing changes.
    case none
    /// The watcher has left the run.
    case leave
  }

  /// What an event did to the subscription, for the run's counts.
  public enum Outcome: Equatable, Sendable {
    case none
    case established
    case refreshed
    /// A SUBSCRIBE was refused or timed out (the watcher tries again or gives up).
    case failed
    /// The notifier ended the subscription (a `terminated` NOTIFY or a 481 to a refresh).
    case terminated
    /// The watcher's own unsubscribe went through.
    case ended
  }

  enum Phase: Equatable, Sendable {
    /// Not subscribed; subscribing at `at` (nil: never, or not yet started).
    case idle(at: UInt64?)
    case inFlight(Request)
    case active
    case backingOff(until: UInt64)
    /// Unsubscribed at the run's end: waiting for the final NOTIFY until `until`.
    case closing(until: UInt64)
    case left
  }

  public let behaviour: WatcherBehaviour
  private(set) var phase: Phase = .idle(at: nil)
  private var cseq: UInt32 = 0
  private(set) var dialog: UInt32 = 0
  private var toTag: String?
  private var remoteTarget: String?
  private var expiresToAsk: UInt32
  private var refreshAt: UInt64 = .max
  private var sessionEndsAt: UInt64 = .max
  private var consecutiveFailures: UInt8 = 0
  private var stopping = false
  /// The final NOTIFY came before the answer to the unsubscribe.
  private var finallyNotified = false
  /// How long a watcher that unsubscribed at the end waits for the notifier's final NOTIFY
  /// (RFC 6665 §4.2.1.4), so that it is answered rather than left to be retransmitted.
  static let finalNotifyWait: UInt64 = 5_000_000_000

  public init(behaviour: WatcherBehaviour) {
    self.behaviour = behaviour
    expiresToAsk = behaviour.requestedExpires
  }

  /// Whether a subscription is in place or being made: a change published now is owed to it.
  public var isSubscribed: Bool {
    switch phase {
    case .active: return true
    case .inFlight(let request): return request.kind != .unsubscribe
    default: return false
    }
  }

  public var hasLeft: Bool { phase == .left }

  /// Whether a NOTIFY in the current dialog is taken (answered 200): not once the watcher gave
  /// the subscription up (backing off, or gone), so that the notifier ends it (RFC 6665 481).
  public var acceptsNotify: Bool {
    switch phase {
    case .backingOff, .left: return false
    default: return true
    }
  }

  /// `now` plus `delay`, at most the end of time (a profile may give huge durations).
  public static func later(_ now: UInt64, _ delay: UInt64) -> UInt64 {
    let (sum, overflow) = now.addingReportingOverflow(delay)
    return overflow ? .max : sum
  }

  /// Whether a SUBSCRIBE is outstanding.
  public var isInFlight: Bool {
    if case .inFlight = phase { return true }
    return false
  }

  /// The dialog a NOTIFY must belong to.
  public var currentDialog: UInt32 { dialog }

  /// Starts the watcher: its first SUBSCRIBE at `at`.
  public mutating func start(at: UInt64) -> Action {
    phase = .idle(at: at)
    return .wakeUp(at: at)
  }

  public mutating func timerFired(now: UInt64, using random: inout some RandomNumberGenerator) -> Action {
    switch phase {
    case .idle(let at?) where at <= now:
      return subscribe(now: now, using: &random)
    case .backingOff(let until) where until <= now:
      return subscribe(now: now, using: &random)
    case .active where sessionEndsAt <= now:
      return unsubscribe(now: now)
    case .active where refreshAt <= now:
      return send(kind: .refresh, expires: expiresToAsk, now: now)
    case .active:
      return .wakeUp(at: min(refreshAt, sessionEndsAt))
    case .idle(let at?): return .wakeUp(at: at)
    case .backingOff(let until): return .wakeUp(at: until)
    case .closing(let until) where until <= now:
      phase = .left
      return .leave
    case .closing(let until): return .wakeUp(at: until)
    default: return .none
    }
  }

  public mutating func responseReceived(
    _ response: Response, now: UInt64, using random: inout some RandomNumberGenerator
  ) -> (Action, Outcome) {
    guard case .inFlight(let request) = phase else { return (.none, .none) }
    if request.kind == .unsubscribe { return (afterSession(now: now, using: &random), .ended) }
    switch response.statusCode {
    case 200..<300:
      consecutiveFailures = 0
      if let tag = response.toTag { toTag = tag }
      if let contact = response.contact { remoteTarget = contact }
      // A lifetime of 0 in a 2xx would have the watcher refresh at once, again and again.
      let granted = UInt64(max(response.expires ?? request.expires, 1))
      phase = .active
      refreshAt = Self.later(now, UInt64(Double(granted * 1_000_000_000) * behaviour.refreshFraction))
      if stopping { return (unsubscribe(now: now), .none) }
      let outcome: Outcome = request.kind == .subscribe ? .established : .refreshed
      return (.wakeUp(at: min(refreshAt, sessionEndsAt)), outcome)
    case 423 where response.minExpires.map({ $0 > expiresToAsk }) ?? false && consecutiveFailures < 3:
      consecutiveFailures += 1
      expiresToAsk = response.minExpires ?? expiresToAsk
      return (send(kind: request.kind, expires: expiresToAsk, now: now), .failed)
    case 481 where request.kind == .refresh:
      // The notifier no longer knows the dialog: a new subscription (RFC 6665 §4.1.2.2).
      return (subscribe(now: now, using: &random), .terminated)
    case 489:
      phase = .left
      return (.leave, .failed)
    default:
      return (failed(now: now, retryAfter: response.retryAfter), .failed)
    }
  }

  /// The SUBSCRIBE timed out or could not be sent.
  public mutating func requestFailed(
    now: UInt64, using random: inout some RandomNumberGenerator
  ) -> (Action, Outcome) {
    guard case .inFlight(let request) = phase else { return (.none, .none) }
    if request.kind == .unsubscribe {
      // The notifier's subscription runs out by itself; the watcher goes on as after any end.
      finallyNotified = true
      return (afterSession(now: now, using: &random), .ended)
    }
    return (failed(now: now, retryAfter: nil), .failed)
  }

  /// A NOTIFY in the current dialog. Its From tag names the dialog when no 2xx has yet.
  public mutating func notified(
    _ state: NotifiedState, fromTag: String?, now: UInt64, using random: inout some RandomNumberGenerator
  ) -> (Action, Outcome) {
    if toTag == nil { toTag = fromTag }
    switch (phase, state) {
    case (.active, .active(let expires?)), (.active, .pending(let expires?)):
      // The notifier may shorten the subscription (RFC 6665 §4.1.2.1): refresh before its end.
      let end = Self.later(now, UInt64(expires) * 1_000_000_000)
      let due = Self.later(now, UInt64(Double(UInt64(expires) * 1_000_000_000) * behaviour.refreshFraction))
      guard due < refreshAt, end > now else { return (.none, .none) }
      refreshAt = due
      return (.wakeUp(at: min(refreshAt, sessionEndsAt)), .none)
    case (.active, .terminated(let reason, let retryAfter)):
      return (terminated(reason: reason, retryAfter: retryAfter, now: now, using: &random), .terminated)
    case (.closing, .terminated):
      phase = .left
      return (.leave, .none)
    case (.inFlight(let request), .terminated) where request.kind == .unsubscribe:
      finallyNotified = true
      return (.none, .none)
    default:
      return (.none, .none)
    }
  }

  /// The run ends: an active subscription is ended (Expires 0); one being made or refreshed is
  /// ended when it is answered; otherwise the watcher leaves.
  public mutating func stop(now: UInt64) -> Action {
    stopping = true
    switch phase {
    case .active: return unsubscribe(now: now)
    case .inFlight: return .none
    case .left: return .none
    default:
      phase = .left
      return .leave
    }
  }

  // MARK: Steps

  private mutating func subscribe(now: UInt64, using random: inout some RandomNumberGenerator) -> Action {
    dialog &+= 1
    toTag = nil
    remoteTarget = nil
    expiresToAsk = behaviour.requestedExpires
    if case .idle = phase, let session = behaviour.sessionLength {
      sessionEndsAt = Self.later(now, session.sample(using: &random))
    }
    return send(kind: .subscribe, expires: expiresToAsk, now: now)
  }

  private mutating func unsubscribe(now: UInt64) -> Action {
    finallyNotified = false
    return send(kind: .unsubscribe, expires: 0, now: now)
  }

  private mutating func send(kind: Request.Kind, expires: UInt32, now: UInt64) -> Action {
    cseq &+= 1
    let request = Request(
      kind: kind, expires: expires, cseq: cseq, dialog: dialog, toTag: kind == .subscribe ? nil : toTag,
      remoteTarget: kind == .subscribe ? nil : remoteTarget, intendedAt: now)
    phase = .inFlight(request)
    return .send(request)
  }

  /// After an unsubscribe: away for a while when sessions are drawn, gone at the run's end.
  private mutating func afterSession(now: UInt64, using random: inout some RandomNumberGenerator) -> Action {
    if stopping && finallyNotified {
      phase = .left
      return .leave
    }
    if stopping {
      let until = now + Self.finalNotifyWait
      phase = .closing(until: until)
      return .wakeUp(at: until)
    }
    guard behaviour.sessionLength != nil else {
      phase = .left
      return .leave
    }
    sessionEndsAt = .max
    let at = Self.later(now, behaviour.offlineLength.sample(using: &random))
    phase = .idle(at: at)
    return .wakeUp(at: at)
  }

  private mutating func terminated(
    reason: String?, retryAfter: UInt32?, now: UInt64, using random: inout some RandomNumberGenerator
  ) -> Action {
    switch reason?.lowercased() {
    case "rejected", "noresource", "invariant":
      phase = .left
      return .leave
    case "probation", "giveup":
      return failed(now: now, retryAfter: retryAfter)
    default:
      // deactivated, timeout or none given: subscribe again at once.
      if stopping {
        phase = .left
        return .leave
      }
      return subscribe(now: now, using: &random)
    }
  }

  /// Backs off: doubling per failure in a row, or longer when the server said so.
  private mutating func failed(now: UInt64, retryAfter: UInt32?) -> Action {
    if stopping {
      phase = .left
      return .leave
    }
    consecutiveFailures = min(consecutiveFailures, 100) + 1
    let shift = UInt64(min(consecutiveFailures - 1, 16))
    let asked = UInt64(min(retryAfter ?? 0, 86_400)) * 1_000_000_000
    let until = Self.later(now, max(min(behaviour.initialBackoff << shift, behaviour.maximumBackoff), asked))
    phase = .backingOff(until: until)
    return .wakeUp(at: until)
  }
}
