import NIOCore
import Publication
import SIPCore

/// The compositor without sockets: decides the response to each request against the shared
/// store. Safe to call from any event loop; the store locks per stripe.
public final class CompositorCore: Sendable {
  public let rules: PublishRules
  public let faults: FaultPlan
  /// When set, every PUBLISH must carry valid digest credentials.
  public let authentication: DigestVerifier?
  let store: StripedPublicationStore
  /// Monotonic time the compositor was created; fault windows (`--stall`) count from here.
  public let startedAt: UInt64

  public init(
    policy: CompositorPolicy = CompositorPolicy(), faults: FaultPlan = FaultPlan(),
    authentication: DigestVerifier? = nil
  ) {
    rules = PublishRules(policy: policy)
    self.faults = faults
    self.authentication = authentication
    store = StripedPublicationStore()
    startedAt = NIODeadline.now().uptimeNanoseconds
  }

  /// Live publications now (after sweeping expired ones).
  public func livePublications(now: UInt64) -> Int {
    store.removeExpired(now: now)
    return store.liveCount
  }

  /// Drops expired publications; call about once a second.
  public func sweepExpired(now: UInt64) {
    store.removeExpired(now: now)
  }

  /// The decision for a request, or nil when none is sent (ACK).
  public func decide(_ message: SIPMessage, now: UInt64) -> CompositorDecision? {
    guard let method = message.method else { return nil }
    if method == .ack { return nil }
    if method == .publish { return decidePublish(message, now: now) }
    do {
      try RequestChecks.requireWellFormed(message)
    } catch {
      return CompositorDecision(400, reason: error.reason)
    }
    switch method {
    case .options: return optionsDecision
    default: return CompositorDecision(405, headers: [SIPHeaderField(.allow, Self.allowedMethods)])
    }
  }

  /// A PUBLISH: well-formedness is checked while reading it (``PublishRequest``).
  private func decidePublish(_ message: SIPMessage, now: UInt64) -> CompositorDecision {
    let request: PublishRequest
    do {
      request = try PublishRequest(message)
    } catch {
      return CompositorDecision(400, reason: error.reason)
    }
    if let authentication, case .challenge(let challenge) = authentication.verify(message, now: now) {
      return CompositorDecision(401, headers: [SIPHeaderField(.wwwAuthenticate, challenge.headerValue)])
    }
    return store.withStripe(resource: request.resource, event: request.event ?? "") { stripe in
      rules.respond(to: request, store: &stripe.store, tags: &stripe.tags, now: now)
    }
  }

  private var optionsDecision: CompositorDecision {
    let accept = Set(rules.policy.events.flatMap(\.contentTypes)).sorted().joined(separator: ", ")
    return CompositorDecision(
      200,
      headers: [
        SIPHeaderField(.allow, Self.allowedMethods),
        SIPHeaderField(.allowEvents, rules.policy.allowEventsValue),
        SIPHeaderField(.accept, accept),
      ])
  }

  static let allowedMethods = "PUBLISH, OPTIONS"
}
