/// One live publication held by a compositor: the state a publisher last sent for a resource
/// and event package, under its current entity-tag.
public struct StoredPublication: Hashable, Sendable {
  public var entityTag: String
  public var resource: String
  public var event: String
  public var contentType: String?
  public var body: [UInt8]
  /// Monotonic time (nanoseconds) after which the publication is gone unless refreshed.
  public var expiresAt: UInt64
  /// When its state last changed (made or modified; a refresh changes nothing): what "newest"
  /// means when publications are composed.
  public var changedAt: UInt64

  public init(
    entityTag: String, resource: String, event: String, contentType: String?, body: [UInt8],
    expiresAt: UInt64,
    changedAt: UInt64 = 0
  ) {
    self.changedAt = changedAt
    self.entityTag = entityTag
    self.resource = resource
    self.event = event
    self.contentType = contentType
    self.body = body
    self.expiresAt = expiresAt
  }

  /// Its resource and event package.
  public var key: PublicationStore.ResourceKey {
    PublicationStore.ResourceKey(resource: resource, event: event)
  }
}
