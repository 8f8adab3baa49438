import Publication

/// One live publisher of a replay: copy `copy` of a recorded (resource, event package), playing
/// its recorded steps in order as a state machine (events in, actions out, no I/O, no clock).
///
/// It keeps one PUBLISH outstanding (a step that falls due while its predecessor is in flight
/// waits, and is measured from when it was due), maps the entity-tags the recording used to the
/// ones the live server issues, keeps a tag the recording saw rejected with 412 stale, raises
/// Expires to a live 423's Min-Expires (except where the recording was refused with 423 too, so
/// the live server gets the same test), answers live digest challenges with the identity's
/// credentials, and applies the ``BrokenChainPolicy`` where a conditional request has no live
/// predecessor to refer to.
public struct ReplayPublisher: Sendable {
  public typealias Action = PublisherStateMachine.Action
  public typealias Request = PublisherStateMachine.Request

  struct InFlight: Sendable {
    var position: Int32
    var request: Request
    var answeredChallenge = false
    /// A remove sent by `cleanup` after the recording's steps: no step, no outcome.
    var isCleanup = false
  }

  /// Most recorded → live entity-tag pairs remembered per publisher.
  static let tagMemory = 16

  public let recorded: Int32
  public let copy: Int32
  public private(set) var loop: Int32 = 0
  /// The next step, as a position in the recorded publisher's steps.
  private var position: Int32 = 0
  private var inFlight: InFlight?
  private var tags: [(recorded: String, live: String)] = []
  /// The newest entity-tag the live server issued this publisher.
  private var newestLiveTag: String?
  /// Entity-tags of the publications live as far as the replay knows (for `cleanup`).
  private var liveTags: [String] = []
  /// How many publications this publisher holds live, as far as the replay knows.
  public var livePublications: Int { liveTags.count }
  private var cleanupOnStop = false
  private var minExpires: UInt32 = 0
  /// A recorded challenge the next request answers (the recording's retry after 401/407).
  private var challenge: PublisherStateMachine.Challenge?
  private var stopping = false
  public private(set) var hasLeft = false
  /// The step whose recorded body the request in flight carries: nil for none, -1 for the
  /// package's default body (re-initiating a publication the recording holds no body for).
  public private(set) var bodyStep: Int32?
  /// The step being played (in flight, or next).
  public private(set) var currentStep: Int32 = -1
  /// The step whose recorded form the request in flight is sent in: nil for a request the
  /// recording does not hold (a re-initiated publication, a cleanup remove).
  public private(set) var formStep: Int32?

  public init(recorded: Int32, copy: Int32) {
    self.recorded = recorded
    self.copy = copy
  }

  // MARK: Events

  /// Starts playing: the first step, now or when due. `origin` is the replay's start.
  public mutating func start(
    now: UInt64, origin: UInt64, script: ReplayScript, outcomes: inout [ReplayOutcome]
  ) -> Action {
    next(now: now, origin: origin, script: script, outcomes: &outcomes)
  }

  public mutating func timerFired(
    now: UInt64, origin: UInt64, script: ReplayScript, outcomes: inout [ReplayOutcome]
  ) -> Action {
    guard inFlight == nil else { return .wakeUp(at: .max) }
    return next(now: now, origin: origin, script: script, outcomes: &outcomes)
  }

  /// A final response to the step in flight. `canAuthenticate`: the publisher has credentials
  /// to answer a challenge with.
  public mutating func responseReceived(
    _ response: PublisherStateMachine.Response, latency: UInt64, now: UInt64, origin: UInt64,
    script: ReplayScript, canAuthenticate: Bool = true, outcomes: inout [ReplayOutcome]
  ) -> Action {
    guard var flight = inFlight else { return .wakeUp(at: .max) }
    let code = response.statusCode
    track(flight.request, code: code, liveTag: response.entityTag)
    if flight.isCleanup {
      inFlight = nil
      return cleanUpOrLeave(now: now)
    }
    let step = script.steps[Int(currentStep)]
    let latencyMicros = UInt32(min(latency / 1_000, UInt64(UInt32.max)))
    if code == 401 || code == 407, let live = response.challenge {
      if step.wasChallenged {
        challenge = live
      } else if !flight.answeredChallenge && !stopping && canAuthenticate {
        // The recording was not challenged here: answer as a real client would, once.
        flight.answeredChallenge = true
        flight.request.challenge = live
        inFlight = flight
        return .send(flight.request)
      }
    }
    if code == 423, let least = response.minExpires { minExpires = max(minExpires, least) }
    if (200..<300).contains(code) { learn(liveTag: response.entityTag, for: step, request: flight.request) }
    finish(.status(code), latencyMicros: latencyMicros, origin: origin, script: script, outcomes: &outcomes)
    if (200..<300).contains(code) && step.wasChallenged {
      absorbRecordedRetry(
        of: step, liveTag: response.entityTag, code: code, latencyMicros: latencyMicros,
        request: flight.request,
        origin: origin, script: script, outcomes: &outcomes)
    }
    return next(now: now, origin: origin, script: script, outcomes: &outcomes)
  }

  /// The live server accepted at once what the recording had challenged: the recorded retry
  /// that answered the challenge has happened already, live. Sending it again would publish a
  /// second time; it takes this step's outcome, and its recorded entity-tag leads to the live one.
  private mutating func absorbRecordedRetry(
    of step: ReplayStep, liveTag: String?, code: Int, latencyMicros: UInt32, request: Request, origin: UInt64,
    script: ReplayScript, outcomes: inout [ReplayOutcome]
  ) {
    let positions = script.publishers[Int(recorded)].steps
    guard Int(position) < positions.count else { return }
    let retryIndex = positions[Int(position)]
    let retry = script.steps[Int(retryIndex)]
    guard retry.operation == step.operation, retry.ifMatch == step.ifMatch, !retry.wasChallenged else {
      return
    }
    if let liveTag, let recordedTag = retry.recordedTag { remember(recordedTag, as: liveTag) }
    outcomes.append(
      ReplayOutcome(
        step: retryIndex, copy: copy, loop: loop, operation: request.operation, live: .status(code),
        latencyMicros: latencyMicros, dueAt: request.intendedAt - origin))
    position += 1
  }

  /// The step in flight got no final response: Timer F (`timedOut`), or it could not be sent
  /// (a connection down), in which case the publisher waits a second before its next step
  /// rather than failing every step already due at once.
  public mutating func requestFailed(
    now: UInt64, timedOut: Bool = true, origin: UInt64, script: ReplayScript, outcomes: inout [ReplayOutcome]
  ) -> Action {
    guard let flight = inFlight else { return .wakeUp(at: .max) }
    if flight.isCleanup {
      inFlight = nil
      liveTags.removeAll { $0 == flight.request.ifMatch }
      return cleanUpOrLeave(now: now)
    }
    finish(.noResponse, latencyMicros: nil, origin: origin, script: script, outcomes: &outcomes)
    guard timedOut || stopping else { return .wakeUp(at: now + Self.sendRetryDelay) }
    return next(now: now, origin: origin, script: script, outcomes: &outcomes)
  }

  /// How long a publisher whose request could not be sent waits before its next step.
  static let sendRetryDelay: UInt64 = 1_000_000_000

  /// The replay is ending: no more steps; leave now (after removing what is live, with
  /// `cleanup`), or when the step in flight ends.
  public mutating func stop(now: UInt64 = 0, cleanup: Bool = false) -> Action {
    stopping = true
    cleanupOnStop = cleanup
    guard inFlight == nil else { return .wakeUp(at: .max) }
    return cleanUpOrLeave(now: now)
  }

  /// With cleanup, removes the next live publication; leaves when none is left.
  private mutating func cleanUpOrLeave(now: UInt64) -> Action {
    guard cleanupOnStop, let tag = liveTags.last else { return leave() }
    formStep = nil
    // A remove carries no body (nor the last step's Content-Type).
    bodyStep = nil
    let remove = Request(operation: .remove, ifMatch: tag, expires: 0, intendedAt: now)
    inFlight = InFlight(position: position, request: remove, isCleanup: true)
    return .send(remove)
  }

  /// Keeps ``liveTags`` as the live server sees them: the tag a request named is gone after a
  /// 2xx (superseded or removed) or a 412 (unknown), and a 2xx that publishes issues a new one.
  private mutating func track(_ request: Request, code: Int, liveTag: String?) {
    let accepted = (200..<300).contains(code)
    if let used = request.ifMatch, accepted || code == 412 { liveTags.removeAll { $0 == used } }
    guard accepted, request.expires > 0, let liveTag else { return }
    if liveTags.count == Self.tagMemory { liveTags.removeFirst() }
    liveTags.append(liveTag)
  }

  // MARK: Steps

  /// Sends every step that is due (skipping those the policy leaves out), or waits for the next.
  private mutating func next(
    now: UInt64, origin: UInt64, script: ReplayScript, outcomes: inout [ReplayOutcome]
  ) -> Action {
    let positions = script.publishers[Int(recorded)].steps
    while !stopping {
      if Int(position) == positions.count {
        guard Int(loop) + 1 < max(script.options.loops, 1) else { break }
        startNextLoop()
      }
      currentStep = positions[Int(position)]
      let due = origin + script.time(ofStep: Int(currentStep), copy: Int(copy), loop: Int(loop))
      guard due <= now else { return .wakeUp(at: due) }
      if let request = request(due: due, script: script) {
        inFlight = InFlight(position: position, request: request)
        return .send(request)
      }
      outcomes.append(
        ReplayOutcome(
          step: currentStep, copy: copy, loop: loop, operation: nil, live: .skipped, dueAt: due - origin))
      position += 1
    }
    if !stopping { cleanupOnStop = script.options.cleanup }
    return cleanUpOrLeave(now: now)
  }

  private mutating func startNextLoop() {
    loop += 1
    position = 0
    tags.removeAll()
    newestLiveTag = nil
    challenge = nil
    minExpires = 0
    // Publications of the loop before stay live on the server (the recording left them so);
    // cleanup removes them at the end all the same.
  }

  /// The live request for the current step, or nil when it is skipped.
  private mutating func request(due: UInt64, script: ReplayScript) -> Request? {
    let step = script.steps[Int(currentStep)]
    var operation = step.operation ?? .initial
    var ifMatch = step.ifMatch
    bodyStep = step.body.isEmpty ? nil : currentStep
    formStep = currentStep
    if let recordedTag = step.ifMatch, step.recordedStatus != 412 {
      // A tag the recording saw rejected stays stale: the live server gets the same test.
      if let live = liveTag(for: recordedTag) {
        ifMatch = live
      } else if !step.ifMatchIssuedEarlier, let newest = newestLiveTag {
        // The recording does not show who issued this tag: it continues the newest publication.
        ifMatch = newest
      } else {
        switch script.options.onBrokenChain {
        case .skip: return nil
        case .asRecorded: break
        case .reinitiate:
          guard step.expires > 0, let body = reinitiationBody(script: script) else { return nil }
          operation = .initial
          ifMatch = nil
          bodyStep = body
          formStep = nil
        }
      }
    }
    // A step the recording saw refused with 423 asks for the same too-brief interval again.
    let expires =
      step.expires == 0 || step.recordedStatus == 423 ? step.expires : max(step.expires, minExpires)
    defer { challenge = nil }
    var request = Request(
      operation: operation, ifMatch: ifMatch, expires: expires, intendedAt: due, challenge: challenge)
    request.startsAuthenticationOver = loop > 0 && position == 0
    // Without a recorded Expires the server picks the lifetime, unless a live 423 asked for more.
    request.sendsExpires = step.hasExpires || expires != step.expires
    return request
  }

  /// The step whose body a re-initiated publication sends; -1 for the package's default body.
  private func reinitiationBody(script: ReplayScript) -> Int32? {
    if let recorded = script.bodyStep(forReinitiating: Int(recorded), before: Int(position)) {
      return recorded
    }
    return Self.hasDefaultBody(script.publishers[Int(recorded)].event) ? -1 : nil
  }

  /// Packages for which pubsim can write a body of its own.
  public static func hasDefaultBody(_ event: String) -> Bool {
    ["presence", "dialog", "message-summary"].contains(event)
  }

  private mutating func learn(liveTag: String?, for step: ReplayStep, request: Request) {
    if request.expires == 0 {
      newestLiveTag = nil
      return
    }
    guard let liveTag else { return }
    newestLiveTag = liveTag
    guard let recordedTag = step.recordedTag else { return }
    remember(recordedTag, as: liveTag)
  }

  private mutating func remember(_ recordedTag: String, as liveTag: String) {
    tags.removeAll { $0.recorded == recordedTag }
    if tags.count == Self.tagMemory { tags.removeFirst() }
    tags.append((recordedTag, liveTag))
  }

  private func liveTag(for recordedTag: String) -> String? {
    tags.last { $0.recorded == recordedTag }?.live
  }

  private mutating func finish(
    _ live: ReplayOutcome.Live, latencyMicros: UInt32?, origin: UInt64, script: ReplayScript,
    outcomes: inout [ReplayOutcome]
  ) {
    guard let flight = inFlight else { return }
    outcomes.append(
      ReplayOutcome(
        step: currentStep, copy: copy, loop: loop, operation: flight.request.operation, live: live,
        latencyMicros: latencyMicros, dueAt: flight.request.intendedAt - origin))
    inFlight = nil
    position = flight.position + 1
  }

  private mutating func leave() -> Action {
    hasLeft = true
    return .leave
  }
}
