import NIOConcurrencyHelpers
import Publication

/// The compositor's store shared by all event loops: ``PublicationStore`` split into stripes by
/// resource and event, each behind its own lock, so that loops rarely wait for each other. Every
/// stripe has its own entity-tag generator lane, so tags stay unique.
final class StripedPublicationStore: Sendable {
  struct Stripe: Sendable {
    var store = PublicationStore()
    var tags: EntityTagGenerator
  }

  private let stripes: [NIOLockedValueBox<Stripe>]

  init(stripeCount: Int = 64) {
    let seed = UInt64.random(in: 0..<(1 << 40))
    stripes = (0..<stripeCount).map {
      NIOLockedValueBox(Stripe(tags: EntityTagGenerator(lane: $0, seed: seed)))
    }
  }

  func withStripe<Result>(resource: String, event: String, _ body: (inout Stripe) -> Result) -> Result {
    var hasher = Hasher()
    hasher.combine(resource)
    hasher.combine(event)
    let index = Int(UInt(bitPattern: hasher.finalize()) % UInt(stripes.count))
    return stripes[index].withLockedValue { body(&$0) }
  }

  /// Sweeps expired publications from every stripe; returns how many were removed.
  @discardableResult
  func removeExpired(now: UInt64) -> Int {
    stripes.reduce(0) { total, stripe in total + stripe.withLockedValue { $0.store.removeExpired(now: now) } }
  }

  var liveCount: Int {
    stripes.reduce(0) { total, stripe in total + stripe.withLockedValue { $0.store.count } }
  }
}
