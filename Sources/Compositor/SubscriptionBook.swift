import Publication

/// The subscriptions of one store stripe, by resource and event package and by dialog. A value
/// type without a clock, like ``PublicationStore``: callers pass `now`.
public struct SubscriptionBook: Sendable {
  private var byDialog: [Subscription.Dialog: Subscription] = [:]
  private var byResource: [PublicationStore.ResourceKey: [Subscription.Dialog]] = [:]

  public init() {}

  public var count: Int { byDialog.count }

  public func subscription(_ dialog: Subscription.Dialog) -> Subscription? { byDialog[dialog] }

  /// Adds or replaces a subscription.
  public mutating func store(_ subscription: Subscription) {
    if byDialog.updateValue(subscription, forKey: subscription.dialog) == nil {
      byResource[subscription.key, default: []].append(subscription.dialog)
    }
  }

  @discardableResult
  public mutating func remove(_ dialog: Subscription.Dialog) -> Subscription? {
    guard let removed = byDialog.removeValue(forKey: dialog) else { return nil }
    var dialogs = byResource[removed.key] ?? []
    dialogs.removeAll { $0 == dialog }
    byResource[removed.key] = dialogs.isEmpty ? nil : dialogs
    return removed
  }

  /// The live subscriptions to a resource and package.
  public func watchers(of key: PublicationStore.ResourceKey, now: UInt64) -> [Subscription] {
    (byResource[key] ?? []).compactMap { byDialog[$0] }.filter { $0.expiresAt > now }
  }

  /// Removes the subscriptions whose time is up, returning them (each gets a last NOTIFY).
  public mutating func removeExpired(now: UInt64) -> [Subscription] {
    let due = byDialog.values.filter { $0.expiresAt <= now }
    for subscription in due { remove(subscription.dialog) }
    return due
  }
}
