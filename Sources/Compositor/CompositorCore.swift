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
  public let subscribeRules: SubscribeRules
  let store: StripedPublicationStore
  /// Sends NOTIFYs to watchers and matches their answers.
  public let notifier: NotifySender
  /// Monotonic time the compositor was created; fault windows (`--stall`) count from here.
  public let startedAt: UInt64

  /// `entityTagSeed` fixes the random part of the entity-tags (tests that compare two
  /// compositors' answers); by default it is drawn at start.
  public init(
    policy: CompositorPolicy = CompositorPolicy(), faults: FaultPlan = FaultPlan(),
    authentication: DigestVerifier? = nil, entityTagSeed: UInt64? = nil
  ) {
    rules = PublishRules(policy: policy)
    subscribeRules = SubscribeRules(policy: policy)
    self.faults = faults
    self.authentication = authentication
    let store = StripedPublicationStore(seed: entityTagSeed ?? UInt64.random(in: 0..<(1 << 40)))
    self.store = store
    notifier = NotifySender(faults: faults) { dialog, key in
      store.withStripe(resource: key.resource, event: key.event) { _ = $0.subscriptions.remove(dialog) }
    }
    startedAt = NIODeadline.now().uptimeNanoseconds
  }

  /// Live publications now (after sweeping expired ones).
  public func livePublications(now: UInt64) -> Int {
    store.removeExpired(now: now)
    return store.liveCount
  }

  /// Drops expired publications and subscriptions, and tells their watchers; call about once a
  /// second.
  public func sweepExpired(now: UInt64) {
    for notify in store.sweep(now: now) { notifier.send(notify) }
  }

  /// Bytes of the live publications' bodies (each kept once), as of the last sweep.
  public var storedBodyBytes: Int { store.bodyBytes }

  /// Live subscriptions now.
  public var liveSubscriptions: Int { store.subscriptionCount }

  /// The decision for a request, or nil when none is sent (ACK).
  public func decide(_ message: SIPMessage, now: UInt64) -> CompositorDecision? {
    decide(message, now: now, route: { nil }).decision
  }

  /// The decision for a request (nil when none is sent: ACK), and the NOTIFYs it causes: to a
  /// new or refreshed subscription, or to every watcher of a resource whose state a PUBLISH
  /// changed. `route` makes where a SUBSCRIBE's NOTIFYs go (asked for only by a SUBSCRIBE, or to say so in a 405); where it makes none, SUBSCRIBE is not allowed.
  public func decide(_ message: SIPMessage, now: UInt64, route: () -> (any NotifyRoute)?) -> (
    decision: CompositorDecision?, notifications: [PendingNotify]
  ) {
    guard let method = message.method else { return (nil, []) }
    if method == .ack { return (nil, []) }
    if method == .publish { return decidePublish(message, now: now) }
    do {
      try RequestChecks.requireWellFormed(message)
    } catch {
      return (CompositorDecision(400, reason: error.reason), [])
    }
    switch method {
    case .options: return (optionsDecision, [])
    case .subscribe:
      guard let route = route() else { fallthrough }
      return decideSubscribe(message, now: now, route: route)
    default:
      return (CompositorDecision(405, headers: [SIPHeaderField(.allow, allowedMethods(route() != nil))]), [])
    }
  }

  /// A PUBLISH: well-formedness is checked while reading it (``PublishRequest``). A change of
  /// state (not a refresh) is told to the resource's watchers.
  private func decidePublish(_ message: SIPMessage, now: UInt64) -> (CompositorDecision, [PendingNotify]) {
    let request: PublishRequest
    do {
      request = try PublishRequest(message)
    } catch {
      return (CompositorDecision(400, reason: error.reason), [])
    }
    if let authentication, case .challenge(let challenge) = authentication.verify(message, now: now) {
      return (CompositorDecision(401, headers: [SIPHeaderField(.wwwAuthenticate, challenge.headerValue)]), [])
    }
    return decidePublish(request, now: now)
  }

  /// A PUBLISH already read and found well formed (and authenticated, where the compositor asks
  /// for credentials).
  func decidePublish(_ request: PublishRequest, now: UInt64) -> (CompositorDecision, [PendingNotify]) {
    store.withStripe(resource: request.resource, event: request.event ?? "") { stripe in
      let decision = rules.respond(to: request, store: &stripe.store, tags: &stripe.tags, now: now)
      guard (200..<300).contains(decision.statusCode), let operation = decision.operation,
        operation != .refresh,
        let event = request.event
      else { return (decision, []) }
      let key = PublicationStore.ResourceKey(resource: request.resource, event: event)
      return (decision, stripe.notifications(for: key, now: now))
    }
  }

  /// A SUBSCRIBE: made, refreshed or ended, and a NOTIFY with the state now.
  private func decideSubscribe(_ message: SIPMessage, now: UInt64, route: any NotifyRoute) -> (
    CompositorDecision, [PendingNotify]
  ) {
    // A request in a dialog finds its stripe in the tag the compositor gave (its Request-URI
    // is the NOTIFYs' Contact, not the resource); a new one by its resource.
    let stripeIndex: Int
    if let tag = message.headers[.to].flatMap(NameAddress.init)?.tag {
      guard let index = Self.stripe(inNotifierTag: tag), index < store.stripeCount else {
        return (CompositorDecision(481), [])
      }
      stripeIndex = index
    } else {
      let resource = message.requestURI.flatMap(SIPURI.init)?.addressOfRecord ?? ""
      stripeIndex = store.stripeIndex(
        resource: resource, event: message.headers[.event].map(PublishRequest.token) ?? "")
    }
    return store.withStripe(index: stripeIndex) { stripe in
      let (decision, subscription) = subscribeRules.respond(
        to: message, book: &stripe.subscriptions, notifierTag: Self.notifierTag(stripe: stripeIndex),
        route: route, now: now)
      guard let subscription else { return (decision, []) }
      let ended = stripe.subscriptions.subscription(subscription.dialog) == nil
      let document = PresenceComposer.compose(
        stripe.store.live(subscription.key, now: now), resource: subscription.key.resource,
        event: subscription.key.event)
      let state: NotifyWriter.State =
        ended
        ? .terminated : .active(expires: StripedPublicationStore.Stripe.secondsLeft(subscription, now: now))
      return (
        decision, [stripe.notification(subscription, state: state, document: document)].compactMap { $0 }
      )
    }
  }

  /// The compositor's tag of a new subscription's dialog: `pn<stripe>-<random>`.
  private static func notifierTag(stripe: Int) -> String {
    "pn\(stripe)-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
  }

  static func stripe(inNotifierTag tag: String) -> Int? {
    guard tag.hasPrefix("pn"), let dash = tag.firstIndex(of: "-") else { return nil }
    return Int(tag[tag.index(tag.startIndex, offsetBy: 2)..<dash])
  }

  private var optionsDecision: CompositorDecision {
    let accept = Set(rules.policy.events.flatMap(\.contentTypes)).sorted().joined(separator: ", ")
    return CompositorDecision(
      200,
      headers: [
        SIPHeaderField(.allow, allowedMethods(true)),
        SIPHeaderField(.allowEvents, rules.policy.allowEventsValue),
        SIPHeaderField(.accept, accept),
      ])
  }

  /// The methods served: SUBSCRIBE where NOTIFYs can be sent back (every listener).
  private func allowedMethods(_ subscribing: Bool) -> String {
    subscribing ? "PUBLISH, SUBSCRIBE, OPTIONS" : "PUBLISH, OPTIONS"
  }
}
