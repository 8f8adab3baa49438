import NIOConcurrencyHelpers
import Publication

/// The compositor's store shared by all event loops: ``PublicationStore`` split into stripes by
/// resource and event, each behind its own lock, so that loops rarely wait for each other. Every
/// stripe has its own entity-tag generator lane, so tags stay unique.
final class StripedPublicationStore: Sendable {
  struct Stripe: Sendable {
    var store = PublicationStore()
    var tags: EntityTagGenerator
    var subscriptions = SubscriptionBook()
    /// NOTIFYs composed so far (their order, see ``PendingNotify/sequence``).
    var notifySequence: UInt64 = 0

    /// A NOTIFY for each watcher of `key`, with the state composed now.
    mutating func notifications(for key: PublicationStore.ResourceKey, now: UInt64) -> [PendingNotify] {
      let watchers = subscriptions.watchers(of: key, now: now)
      guard !watchers.isEmpty else { return [] }
      let document = PresenceComposer.compose(
        store.live(key, now: now), resource: key.resource, event: key.event)
      return watchers.compactMap { watcher in
        notification(
          watcher, state: .active(expires: Self.secondsLeft(watcher, now: now)), document: document)
      }
    }

    /// A NOTIFY in the subscription's dialog; nil when the subscription is gone (a last,
    /// terminating NOTIFY goes all the same).
    mutating func notification(
      _ subscription: Subscription, state: NotifyWriter.State, document: PresenceComposer.Document?
    ) -> PendingNotify? {
      guard state == .terminated || subscriptions.subscription(subscription.dialog) != nil else { return nil }
      notifySequence += 1
      return PendingNotify(
        subscription: subscription, state: state, document: document, sequence: notifySequence)
    }

    static func secondsLeft(_ subscription: Subscription, now: UInt64) -> UInt32 {
      UInt32(
        min((subscription.expiresAt - min(now, subscription.expiresAt)) / 1_000_000_000, UInt64(UInt32.max)))
    }
  }

  private let stripes: [NIOLockedValueBox<Stripe>]

  init(stripeCount: Int = 64, seed: UInt64 = UInt64.random(in: 0..<(1 << 40))) {
    stripes = (0..<stripeCount).map {
      NIOLockedValueBox(Stripe(tags: EntityTagGenerator(lane: $0, seed: seed)))
    }
  }

  func withStripe<Result>(resource: String, event: String, _ body: (inout Stripe) -> Result) -> Result {
    withStripe(index: stripeIndex(resource: resource, event: event), body)
  }

  /// The stripe of a resource and event package.
  func stripeIndex(resource: String, event: String) -> Int {
    var hasher = Hasher()
    hasher.combine(resource)
    hasher.combine(event)
    return Int(UInt(bitPattern: hasher.finalize()) % UInt(stripes.count))
  }

  /// Stripe `index` (below ``stripeCount``).
  func withStripe<Result>(index: Int, _ body: (inout Stripe) -> Result) -> Result {
    stripes[index].withLockedValue { body(&$0) }
  }

  var stripeCount: Int { stripes.count }

  /// Sweeps expired publications from every stripe; returns how many were removed.
  @discardableResult
  func removeExpired(now: UInt64) -> Int {
    stripes.reduce(0) { total, stripe in total + stripe.withLockedValue { $0.store.removeExpired(now: now) } }
  }

  /// Sweeps expired publications and subscriptions: the NOTIFYs that tells watchers (the new
  /// state of resources a publication expired from, and the end of subscriptions that ran out).
  func sweep(now: UInt64) -> [PendingNotify] {
    stripes.flatMap { box in
      box.withLockedValue { stripe in
        var changed: Set<PublicationStore.ResourceKey> = []
        stripe.store.removeExpired(now: now, changed: &changed)
        var pending = changed.flatMap { stripe.notifications(for: $0, now: now) }
        for ended in stripe.subscriptions.removeExpired(now: now) {
          let document = PresenceComposer.compose(
            stripe.store.live(ended.key, now: now), resource: ended.key.resource, event: ended.key.event)
          pending += [stripe.notification(ended, state: .terminated, document: document)].compactMap { $0 }
        }
        return pending
      }
    }
  }

  var subscriptionCount: Int { total { $0.subscriptions.count } }

  /// Bytes of the live publications' bodies.
  var bodyBytes: Int { total { $0.store.bodyBytes } }

  var liveCount: Int { total { $0.store.count } }

  /// A figure summed over the stripes, each read under its lock.
  private func total(_ figure: (Stripe) -> Int) -> Int {
    stripes.reduce(0) { total, stripe in total + stripe.withLockedValue { figure($0) } }
  }
}
