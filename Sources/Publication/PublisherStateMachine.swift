/// One virtual publisher (an Event Publication Agent for one resource and event package) as a
/// state machine: events in, actions out, no I/O and no clock of its own (RFC 3903 §4).
///
/// It keeps at most one PUBLISH outstanding, uses the newest entity-tag in every conditional
/// request, refreshes before the granted lifetime ends, starts over with an initial publication
/// after 412, retries with the server's Min-Expires after 423, answers 401/407 challenges once per
/// nonce, and backs off exponentially after other failures and timeouts. The engine performs the
/// actions (send a request, wake the publisher at a time) and feeds back responses and timers.
public struct PublisherStateMachine: Sendable {
  /// A PUBLISH to send.
  public struct Request: Equatable, Sendable {
    public var operation: PublishOperation
    /// The entity-tag for SIP-If-Match (nil for an initial publication).
    public var ifMatch: String?
    public var expires: UInt32
    /// Whether the request carries an Expires header (a replayed request recorded without one
    /// leaves the lifetime to the server, as the recording did).
    public var sendsExpires = true
    /// Forget any challenge answered before (a replay starting its recording over must meet
    /// the server's challenges as the recording did).
    public var startsAuthenticationOver = false
    /// When the schedule meant this request to leave: latency is measured from here, so a late
    /// send (a slow server holding up the publisher) is not hidden (no coordinated omission).
    public var intendedAt: UInt64
    /// The WWW-Authenticate or Proxy-Authenticate value to answer, when retrying after 401/407.
    public var challenge: Challenge?
    /// A deliberate error written into this request (a profile's `faults:`); a retry sends it
    /// without.
    public var fault: InjectedFault?

    public init(
      operation: PublishOperation, ifMatch: String?, expires: UInt32, intendedAt: UInt64,
      challenge: Challenge? = nil
    ) {
      self.operation = operation
      self.ifMatch = ifMatch
      self.expires = expires
      self.intendedAt = intendedAt
      self.challenge = challenge
    }
  }

  /// A digest challenge from a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate).
  public struct Challenge: Equatable, Sendable {
    public var value: String
    public var isProxy: Bool

    public init(value: String, isProxy: Bool) {
      self.value = value
      self.isProxy = isProxy
    }

    /// Whether the challenge carries `stale=true`: the credentials were right, the nonce old.
    public var isStale: Bool {
      value.lowercased().replacingSpaces().contains("stale=true")
    }
  }

  /// What the engine must do next.
  public enum Action: Equatable, Sendable {
    /// Send this request now.
    case send(Request)
    /// Call ``timerFired(now:using:)`` at this time.
    case wakeUp(at: UInt64)
    /// The publisher has left the run.
    case leave
  }

  /// A final response as the state machine needs it.
  public struct Response: Equatable, Sendable {
    public var statusCode: Int
    public var entityTag: String?
    public var expires: UInt32?
    public var minExpires: UInt32?
    public var challenge: Challenge?
    /// Seconds the server asked to wait before trying again (Retry-After), if it said.
    public var retryAfter: UInt32?

    public init(
      statusCode: Int, entityTag: String? = nil, expires: UInt32? = nil, minExpires: UInt32? = nil,
      challenge: Challenge? = nil, retryAfter: UInt32? = nil
    ) {
      self.statusCode = statusCode
      self.entityTag = entityTag
      self.expires = expires
      self.minExpires = minExpires
      self.challenge = challenge
      self.retryAfter = retryAfter
    }
  }

  enum Phase: Equatable, Sendable {
    /// Not publishing; back at `returnAt` (nil: not yet started).
    case offline(returnAt: UInt64?)
    /// One request outstanding.
    case inFlight(KeptRequest)
    /// Live publication under ``entityTag``, waiting for the next due time.
    case published
    /// The request failed; it goes again at `until`.
    case backingOff(KeptRequest, until: UInt64)
    case left
  }

  /// A ``Request`` as the machine keeps it while it is outstanding or waits to go again: without
  /// its entity-tag, which is then always the machine's own (none for an initial), and with a
  /// challenge out of line (few requests answer one). 24 bytes where a Request takes 64: a
  /// run keeps one per publisher, millions of them (the fields go largest first, so that none
  /// pads).
  struct KeptRequest: Equatable, Sendable {
    var intendedAt: UInt64
    var challenge: KeptChallenge?
    var expires: UInt32
    var operation: PublishOperation
    var fault: InjectedFault?

    init(_ request: Request) {
      intendedAt = request.intendedAt
      challenge = request.challenge.map(KeptChallenge.init)
      expires = request.expires
      operation = request.operation
      fault = request.fault
    }
  }

  /// A challenge answered by a kept request, held by reference (8 bytes, nil for most).
  final class KeptChallenge: Equatable, Sendable {
    let value: Challenge

    init(_ value: Challenge) { self.value = value }

    static func == (lhs: KeptChallenge, rhs: KeptChallenge) -> Bool { lhs.value == rhs.value }
  }

  // Stored fields in an order that leaves no padding between them (88 bytes in all).
  private let shared: SharedBehaviour
  private(set) var phase: Phase = .offline(returnAt: nil)
  private var consecutiveFailures: UInt8 = 0
  /// Requests resent at once (after 412, 423 or a challenge) since the last success: a server
  /// that answers every one of them the same way would otherwise be flooded.
  private var immediateRetries: UInt8 = 0
  private var stopping = false
  private var removeOnStop = false
  private var expiresToAsk: UInt32
  /// The newest entity-tag the server issued, while a publication is live.
  public private(set) var entityTag: String?
  @OptionalTime private var refreshAt: UInt64? = nil
  @OptionalTime private var modifyAt: UInt64? = nil
  @OptionalTime private var sessionEndsAt: UInt64? = nil

  public var behaviour: PublisherBehaviour { shared.value }

  /// The request a kept one stands for: its entity-tag is the machine's own.
  private func expanded(_ kept: KeptRequest) -> Request {
    var request = Request(
      operation: kept.operation, ifMatch: kept.operation == .initial ? nil : entityTag, expires: kept.expires,
      intendedAt: kept.intendedAt, challenge: kept.challenge?.value)
    request.fault = kept.fault
    return request
  }

  public init(behaviour: PublisherBehaviour) {
    self.init(sharing: SharedBehaviour(behaviour))
  }

  /// A publisher following a behaviour other publishers share (what the engine uses).
  public init(sharing behaviour: SharedBehaviour) {
    shared = behaviour
    expiresToAsk = behaviour.value.requestedExpires
  }

  /// Whether a request is outstanding.
  public var isInFlight: Bool {
    if case .inFlight = phase { return true }
    return false
  }

  /// Whether the publisher holds a live publication (as far as it knows).
  public var isPublished: Bool { entityTag != nil }

  public var hasLeft: Bool { phase == .left }

  /// Whether the publisher is in a session: started and neither offline between sessions nor
  /// gone.
  public var isOnline: Bool {
    switch phase {
    case .offline, .left: return false
    default: return true
    }
  }

  // MARK: Events

  /// The publisher comes online at `now` (its scheduled arrival).
  public mutating func start(now: UInt64, using random: inout some RandomNumberGenerator) -> Action {
    guard case .offline = phase, !stopping else { return .leave }
    if let length = behaviour.sessionLength {
      sessionEndsAt = behaviour.onGrid(now + length.sample(using: &random))
    }
    // A mix draws anew each session; otherwise the Expires a 423 taught is kept.
    if let mix = behaviour.expiresMix { expiresToAsk = mix.sample(using: &random) }
    modifyAt = behaviour.modifyDelay(first: true, using: &random).map { behaviour.onGrid(now + $0) }
    return send(Request(operation: .initial, ifMatch: nil, expires: expiresToAsk, intendedAt: now))
  }

  /// A timer the publisher asked for has fired.
  public mutating func timerFired(now: UInt64, using random: inout some RandomNumberGenerator) -> Action {
    switch phase {
    case .offline(let returnAt?) where returnAt <= now:
      phase = .offline(returnAt: nil)
      return start(now: returnAt, using: &random)
    case .backingOff(var kept, let until) where until <= now:
      kept.intendedAt = until
      return send(expanded(kept))
    case .published:
      return nextDueAction(now: now)
    case .offline(let returnAt?):
      return .wakeUp(at: returnAt)
    case .backingOff(_, let until):
      return .wakeUp(at: until)
    case .offline(nil), .inFlight, .left:
      return .wakeUp(at: UInt64.max)
    }
  }

  /// The final response to the outstanding request arrived at `now`.
  public mutating func responseReceived(
    _ response: Response, now: UInt64, using random: inout some RandomNumberGenerator
  ) -> Action {
    guard case .inFlight(let kept) = phase else { return currentWait() }
    let request = expanded(kept)
    switch response.statusCode {
    case 200..<300:
      immediateRetries = 0
      return succeeded(request, response: response, now: now, using: &random)
    case 412:
      entityTag = nil
      if request.operation == .remove { return sessionEnded(removeDueAt: request.intendedAt, using: &random) }
      if stopping { return leave() }
      // A 412 to an initial publication (no entity-tag to be wrong) is a failure, not a reason
      // to start over.
      guard request.operation != .initial else { return failed(request, now: now) }
      return retryAtOnce(
        Request(operation: .initial, ifMatch: nil, expires: expiresToAsk, intendedAt: now), failing: request,
        now: now)
    case 423 where response.minExpires != nil:
      expiresToAsk = max(response.minExpires ?? expiresToAsk, expiresToAsk)
      var retry = request
      retry.fault = nil
      retry.expires = request.operation == .remove ? 0 : expiresToAsk
      retry.intendedAt = now
      return retryAtOnce(retry, failing: request, now: now)
    case 401, 407:
      // Answer a challenge once; a second one means the credentials were refused, unless the
      // server only says the nonce went stale (RFC 2617 §3.2.1).
      guard let challenge = response.challenge, request.challenge == nil || challenge.isStale else {
        return failed(request, now: now)
      }
      var retry = request
      retry.fault = nil
      retry.challenge = challenge
      retry.intendedAt = now
      return retryAtOnce(retry, failing: request, now: now)
    default:
      if let fault = request.fault, response.statusCode == fault.prescribedStatus {
        // The server refused the injected fault as it should: send the request as meant, now
        // (measured from now: the detour was the run's doing, not the server's).
        var retry = request
        retry.fault = nil
        retry.intendedAt = now
        return retryAtOnce(retry, failing: request, now: now)
      }
      return failed(request, now: now, retryAfter: response.retryAfter)
    }
  }

  /// Resends at once, up to three times in a row without a success; then the answer counts as
  /// a failure and the publisher backs off. So against a server that answers everything with
  /// 412, 423 or a challenge, a publisher sends at most four requests per back-off step.
  /// A refusal of an injected fault is not the server refusing everything: it does not count.
  private mutating func retryAtOnce(_ retry: Request, failing request: Request, now: UInt64) -> Action {
    if request.fault != nil { return send(retry) }
    guard immediateRetries < Self.immediateRetryLimit else {
      immediateRetries = 0
      return failed(request, now: now)
    }
    immediateRetries += 1
    return send(retry)
  }

  static let immediateRetryLimit: UInt8 = 3

  /// Writes a fault into the request just sent (the workload draws it): the machine must know,
  /// to recover from the refusal without counting it against the server. Nil when nothing is
  /// outstanding.
  public mutating func injectFault(_ fault: InjectedFault) -> Request? {
    guard case .inFlight(var kept) = phase else { return nil }
    kept.fault = fault
    phase = .inFlight(kept)
    return expanded(kept)
  }

  /// The outstanding request got no final response in time (Timer F) or could not be sent.
  public mutating func requestFailed(now: UInt64) -> Action {
    guard case .inFlight(let kept) = phase else { return currentWait() }
    return failed(expanded(kept), now: now)
  }

  /// The run is ending. With `cleanup`, a live publication is removed first (now, or when the
  /// outstanding request is answered); otherwise the publisher leaves at once.
  public mutating func stop(now: UInt64, cleanup: Bool) -> Action {
    stopping = true
    removeOnStop = cleanup
    switch phase {
    case .inFlight:
      return currentWait()
    case .published where cleanup:
      return sendRemove(intendedAt: now)
    case .left:
      return .wakeUp(at: UInt64.max)
    default:
      return leave()
    }
  }

  // MARK: Transitions

  private mutating func succeeded(
    _ request: Request, response: Response, now: UInt64, using random: inout some RandomNumberGenerator
  ) -> Action {
    consecutiveFailures = 0
    if request.operation == .remove {
      entityTag = nil
      return sessionEnded(removeDueAt: request.intendedAt, using: &random)
    }
    guard let tag = response.entityTag else {
      entityTag = nil
      return failed(request, now: now)
    }
    entityTag = tag
    let granted = response.expires ?? request.expires
    phase = .published
    // A cycle under way runs to its remove, as a SIPp call in progress does when the rate stops.
    if stopping && behaviour.shape == .steady { return removeOnStop ? sendRemove(intendedAt: now) : leave() }
    if behaviour.shape == .cycle {
      switch request.operation {
      case .initial: return sendConditional(.refresh, intendedAt: now)
      case .refresh: return sendConditional(.modify, intendedAt: now)
      default: return sendRemove(intendedAt: now)
      }
    }
    let afterInitial = request.operation == .initial
    refreshAt = behaviour.onGrid(
      now + behaviour.refreshDelay(granted: granted, afterInitial: afterInitial, using: &random))
    if afterInitial && modifyAt == nil {
      // Starting over after a 412 (the modify that met it was consumed): modifications go on
      // from the new publication, as a client that lost its entity-tag carries on.
      modifyAt = behaviour.modifyDelay(first: true, using: &random).map {
        behaviour.onGrid(request.intendedAt + $0)
      }
    }
    if request.operation == .modify {
      // The modification schedule is open loop: the next one is due a random interval after the
      // previous one was *meant* to go, not after it was answered. A slow server therefore
      // builds a backlog that is sent (and measured from its due times) when it recovers,
      // instead of silently thinning the load (coordinated omission).
      modifyAt = behaviour.modifyDelay(first: false, using: &random).map {
        behaviour.onGrid(request.intendedAt + $0)
      }
    }
    return nextDueAction(now: now)
  }

  /// What is due, earliest first between a modification and the session's end (so that whether
  /// a modification due before the end gets sent does not hang on how fast the request before it
  /// was answered); a modification also refreshes, so it goes before a refresh due with it.
  private mutating func nextDueAction(now: UInt64) -> Action {
    let end = sessionEndsAt.flatMap { $0 <= now ? $0 : nil }
    if let modify = modifyAt, modify <= now, end.map({ modify < $0 }) ?? true {
      modifyAt = nil
      return sendConditional(.modify, intendedAt: modify)
    }
    if let end { return sendRemove(intendedAt: end) }
    if let refresh = refreshAt, refresh <= now {
      refreshAt = nil
      return sendConditional(.refresh, intendedAt: refresh)
    }
    let next = [sessionEndsAt, modifyAt, refreshAt].compactMap { $0 }.min() ?? UInt64.max
    return .wakeUp(at: next)
  }

  /// The time offline counts from when the remove was due, not from its answer (open loop, like
  /// modifications): a slow server does not stretch the schedule, and the same seed gives the
  /// same return times.
  private mutating func sessionEnded(
    removeDueAt now: UInt64, using random: inout some RandomNumberGenerator
  ) -> Action {
    refreshAt = nil
    modifyAt = nil
    sessionEndsAt = nil
    guard !stopping, behaviour.shape == .steady, let offline = behaviour.offlineLength else { return leave() }
    let returnAt = behaviour.onGrid(now + offline.sample(using: &random))
    phase = .offline(returnAt: returnAt)
    return .wakeUp(at: returnAt)
  }

  /// Backs off: 1 s, doubling per failure in a row up to the maximum (32 s), or longer when the
  /// server said so (Retry-After, at most a day).
  private mutating func failed(_ request: Request, now: UInt64, retryAfter: UInt32? = nil) -> Action {
    if stopping { return leave() }
    consecutiveFailures = min(consecutiveFailures, 100) + 1
    let shift = UInt64(min(consecutiveFailures - 1, 16))
    let asked = UInt64(min(retryAfter ?? 0, 86_400)) * 1_000_000_000
    let delay = max(min(behaviour.initialBackoff << shift, behaviour.maximumBackoff), asked)
    var retry = request
    retry.challenge = nil
    retry.fault = nil
    if retry.operation != .initial && entityTag == nil {
      retry = Request(operation: .initial, ifMatch: nil, expires: expiresToAsk, intendedAt: now)
    }
    let until = behaviour.onGrid(now + delay)
    phase = .backingOff(KeptRequest(retry), until: until)
    return .wakeUp(at: until)
  }

  private mutating func sendConditional(_ operation: PublishOperation, intendedAt: UInt64) -> Action {
    send(Request(operation: operation, ifMatch: entityTag, expires: expiresToAsk, intendedAt: intendedAt))
  }

  private mutating func sendRemove(intendedAt: UInt64) -> Action {
    send(Request(operation: .remove, ifMatch: entityTag, expires: 0, intendedAt: intendedAt))
  }

  private mutating func send(_ request: Request) -> Action {
    phase = .inFlight(KeptRequest(request))
    return .send(request)
  }

  private mutating func leave() -> Action {
    phase = .left
    return .leave
  }

  /// The wait the publisher is in; `.leave` is reported once, when it happens, never again.
  private func currentWait() -> Action {
    switch phase {
    case .backingOff(_, let until): return .wakeUp(at: until)
    case .offline(let returnAt?): return .wakeUp(at: returnAt)
    default: return .wakeUp(at: UInt64.max)
    }
  }
}

extension String {
  fileprivate func replacingSpaces() -> String { String(unicodeScalars.filter { $0 != " " && $0 != "\"" }) }
}

/// A time that may be unset, in 8 bytes rather than an optional's 9 (16 with the padding after
/// it): unset is UInt64.max, which is never a time the machine schedules.
@propertyWrapper
struct OptionalTime: Equatable, Sendable {
  private var stored: UInt64

  init(wrappedValue: UInt64?) { stored = wrappedValue ?? .max }

  var wrappedValue: UInt64? {
    get { stored == .max ? nil : stored }
    set { stored = newValue ?? .max }
  }
}
