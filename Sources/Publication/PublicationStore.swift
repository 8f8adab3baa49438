/// A compositor's event state: live publications by entity-tag, with expiry.
///
/// A value type with no locking and no clock of its own: callers pass `now` (monotonic
/// nanoseconds), which keeps it deterministic under test. A concurrent server shards several
/// stores by resource and event.
public struct PublicationStore: Sendable {
  private var byTag: [String: StoredPublication] = [:]
  /// Entity-tags by resource and event package (what a watcher of it is told is composed from
  /// these).
  private var byResource: [ResourceKey: [String]] = [:]
  private var expiries = ExpiryWheel()

  /// A resource and event package.
  public struct ResourceKey: Hashable, Sendable {
    public var resource: String
    public var event: String

    public init(resource: String, event: String) {
      self.resource = resource
      self.event = event
    }
  }

  public init() {}

  /// Live publications (expired ones not yet swept are not counted after ``removeExpired(now:)``).
  public var count: Int { byTag.count }

  /// The live publication with this entity-tag for this resource and event, if any. A tag that
  /// exists but belongs to another resource or event does not match (RFC 3903 §6, step 3).
  public func live(tag: String, resource: String, event: String, now: UInt64) -> StoredPublication? {
    guard let publication = byTag[tag], publication.expiresAt > now,
      publication.resource == resource, publication.event == event
    else { return nil }
    return publication
  }

  /// Stores a publication, retiring the entity-tag it replaces (a refresh or modify hands out a
  /// new tag; the old one no longer matches).
  public mutating func store(_ publication: StoredPublication, replacing oldTag: String? = nil) {
    if let oldTag { remove(tag: oldTag) }
    if let previous = byTag.updateValue(publication, forKey: publication.entityTag) {
      expiries.cancel(previous.entityTag, at: previous.expiresAt)
    } else {
      byResource[publication.key, default: []].append(publication.entityTag)
    }
    expiries.schedule(publication.entityTag, at: publication.expiresAt)
  }

  /// Removes a publication; returns it if it was there.
  @discardableResult
  public mutating func remove(tag: String) -> StoredPublication? {
    guard let removed = byTag.removeValue(forKey: tag) else { return nil }
    expiries.cancel(tag, at: removed.expiresAt)
    unindex(removed)
    return removed
  }

  private mutating func unindex(_ publication: StoredPublication) {
    let key = publication.key
    guard var tags = byResource[key] else { return }
    tags.removeAll { $0 == publication.entityTag }
    byResource[key] = tags.isEmpty ? nil : tags
  }

  /// The live publications of a resource and event package.
  public func live(_ key: ResourceKey, now: UInt64) -> [StoredPublication] {
    (byResource[key] ?? []).compactMap { byTag[$0] }.filter { $0.expiresAt > now }
  }

  /// Drops every publication whose lifetime has ended; returns how many.
  @discardableResult
  public mutating func removeExpired(now: UInt64) -> Int {
    var changed: Set<ResourceKey> = []
    return removeExpired(now: now, changed: &changed)
  }

  /// Drops every publication whose lifetime has ended, collecting the resources whose state
  /// changed by it (their watchers are told); returns how many.
  @discardableResult
  public mutating func removeExpired(now: UInt64, changed: inout Set<ResourceKey>) -> Int {
    var removed = 0
    for tag in expiries.takeDue(now: now) {
      guard let publication = byTag[tag] else { continue }
      if publication.expiresAt <= now {
        byTag[tag] = nil
        unindex(publication)
        changed.insert(publication.key)
        removed += 1
      } else {
        expiries.schedule(tag, at: publication.expiresAt)
      }
    }
    return removed
  }

  /// Every live publication of a resource (any event), for inspection and tests.
  public func publications(of resource: String) -> [StoredPublication] {
    byTag.values.filter { $0.resource == resource }
  }
}
