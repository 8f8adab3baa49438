import Publication
import SIPCore

/// The notifier's decision for a SUBSCRIBE (RFC 6665 §4.2.1, RFC 3856), a pure function of the
/// request, the stripe's subscriptions and the time, checked in this order:
///
/// 1. unknown event package: 489 with Allow-Events;
/// 2. a refresh (To tag) for a dialog the compositor does not hold: 481;
/// 3. non-zero Expires below the minimum: 423 with Min-Expires;
/// 4. a new subscription without Contact: 400;
/// 5. Expires 0: the subscription ends: 200, and a last NOTIFY (`terminated;reason=timeout`);
/// 6. otherwise it is made or refreshed: 200 with the granted Expires (clamped to the maximum)
///    and a Contact, and a NOTIFY with the current state (`active;expires=N`). A refresh moves
///    the subscription's NOTIFYs to where it came from.
public struct SubscribeRules: Sendable {
  public var policy: CompositorPolicy

  public init(policy: CompositorPolicy) {
    self.policy = policy
  }

  /// The decision, and the subscription to notify now (nil when the request was refused).
  public func respond(
    to message: SIPMessage, book: inout SubscriptionBook, notifierTag: String, route: any NotifyRoute,
    now: UInt64
  ) -> (decision: CompositorDecision, notify: Subscription?) {
    let event = message.headers[.event].map(PublishRequest.token)
    guard let event, policy.package(named: event) != nil else {
      return (CompositorDecision(489, headers: [SIPHeaderField(.allowEvents, policy.allowEventsValue)]), nil)
    }
    guard let from = message.headers[.from], let to = message.headers[.to],
      let callID = message.headers[.callID], let watcherTag = NameAddress(from)?.tag,
      let resource = message.requestURI.flatMap(SIPURI.init)?.addressOfRecord
    else {
      return (CompositorDecision(400, reason: "Missing From Tag, To or Call-ID"), nil)
    }
    let existingTag = NameAddress(to)?.tag
    let dialog = Subscription.Dialog(
      callID: callID, watcherTag: watcherTag, notifierTag: existingTag ?? notifierTag)
    let existing = book.subscription(dialog)
    if existingTag != nil && existing == nil { return (CompositorDecision(481), nil) }
    let requested = message.headers[.expires].flatMap(PublishRequest.deltaSeconds) ?? policy.defaultExpires
    if requested > 0 && requested < policy.minExpires {
      return (CompositorDecision(423, headers: [SIPHeaderField(.minExpires, String(policy.minExpires))]), nil)
    }
    let contact = message.headers[.contact].flatMap(NameAddress.init)?.uri
    guard let remoteTarget = contact ?? existing?.remoteTarget else {
      return (CompositorDecision(400, reason: "Missing Contact"), nil)
    }
    let granted = min(requested, policy.maxExpires)
    var subscription =
      existing
      ?? Subscription(
        key: PublicationStore.ResourceKey(resource: resource, event: event), dialog: dialog, watcher: from,
        resourceAddress: to, remoteTarget: remoteTarget, expiresAt: 0, route: route)
    subscription.remoteTarget = remoteTarget
    // A refresh may come on a new connection or from a new address: NOTIFYs follow it.
    subscription.route = route
    subscription.expiresAt = now + UInt64(granted) * 1_000_000_000
    if granted == 0 {
      book.remove(dialog)
    } else {
      book.store(subscription)
    }
    // The Contact a 2xx setting up a dialog must carry (RFC 3261 §12.1.1): where the watcher
    // sends refreshes.
    let ownContact = "<sip:\(route.sentBy);transport=\(route.transport)>"
    var decision = CompositorDecision(
      200, headers: [SIPHeaderField(.expires, String(granted)), SIPHeaderField(.contact, ownContact)])
    decision.toTag = dialog.notifierTag
    return (decision, subscription)
  }
}
