/// A compositor's event state: live publications by entity-tag, with expiry.
///
/// A value type with no locking and no clock of its own: callers pass `now` (monotonic
/// nanoseconds), which keeps it deterministic under test. A concurrent server shards several
/// stores by resource and event.
///
/// Laid out for millions of publications: each is one record in a ``SlotTable``, and the indexes
/// hold its 4-byte slot rather than a copy. A resource's publications are a list threaded through
/// their records, the expiry wheel files slots, and media types and event names are kept once.
public struct PublicationStore: Sendable {
  /// A resource and event package.
  public struct ResourceKey: Hashable, Sendable {
    public var resource: String
    public var event: String

    public init(resource: String, event: String) {
      self.resource = resource
      self.event = event
    }
  }

  /// One publication as kept: what ``StoredPublication`` says, and where it is in the indexes.
  private struct Record: Sendable {
    var publication: StoredPublication
    /// The next and previous publications of the same resource and event (``none`` ends).
    var next: UInt32
    var previous: UInt32
    var expiry: ExpiryWheel.Entry
  }

  private static let none = UInt32.max
  /// Media types and event names kept at most, each once however many publications use it.
  private static let sharedLimit = 64

  private var records = SlotTable<Record>()
  private var byTag: [String: UInt32] = [:]
  /// The first of each resource's publications (what a watcher of it is told is composed from
  /// these), by the hash of its resource and event: 12 bytes an entry rather than 36. Two keys
  /// whose hashes collide share a list, which every walk filters by key.
  private var firstOfResource: [Int: UInt32] = [:]
  private var expiries = ExpiryWheel()
  private var shared: Set<String> = []
  /// Bytes of the bodies held, each counted once.
  public private(set) var bodyBytes = 0

  public init() {}

  /// Live publications (expired ones not yet swept are not counted after ``removeExpired(now:)``).
  public var count: Int { records.count }

  /// The live publication with this entity-tag for this resource and event, if any. A tag that
  /// exists but belongs to another resource or event does not match (RFC 3903 §6, step 3).
  public func live(tag: String, resource: String, event: String, now: UInt64) -> StoredPublication? {
    guard let slot = byTag[tag], let publication = records[slot]?.publication, publication.expiresAt > now,
      publication.resource == resource, publication.event == event
    else { return nil }
    return publication
  }

  /// Stores a publication, retiring the entity-tag it replaces (a refresh or modify hands out a
  /// new tag; the old one no longer matches).
  public mutating func store(_ publication: StoredPublication, replacing oldTag: String? = nil) {
    var publication = publication
    publication.event = share(publication.event)
    if let contentType = publication.contentType { publication.contentType = share(contentType) }
    if let oldTag, oldTag != publication.entityTag, let slot = byTag.removeValue(forKey: oldTag) {
      // The usual case: the new state takes the old one's slot under its new tag.
      guard byTag[publication.entityTag] != nil else {
        byTag[publication.entityTag] = slot
        replace(slot, with: publication)
        return
      }
      discard(slot)
    }
    if let slot = byTag[publication.entityTag] {
      replace(slot, with: publication)
      return
    }
    let slot = records.insert(
      Record(
        publication: publication, next: Self.none, previous: Self.none,
        expiry: ExpiryWheel.Entry(second: 0, position: 0)))
    byTag[publication.entityTag] = slot
    bodyBytes += publication.body.count
    link(slot)
    schedule(slot)
  }

  /// Removes a publication; returns it if it was there.
  @discardableResult
  public mutating func remove(tag: String) -> StoredPublication? {
    guard let slot = byTag.removeValue(forKey: tag) else { return nil }
    return discard(slot)
  }

  /// The live publications of a resource and event package.
  public func live(_ key: ResourceKey, now: UInt64) -> [StoredPublication] {
    var publications: [StoredPublication] = []
    var slot = firstOfResource[key.hashValue] ?? Self.none
    while slot != Self.none, let record = records[slot] {
      if record.publication.expiresAt > now && record.publication.key == key {
        publications.append(record.publication)
      }
      slot = record.next
    }
    return publications
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
    for slot in expiries.takeDue(now: now) {
      guard let publication = records[slot]?.publication else { continue }
      guard publication.expiresAt <= now else {
        schedule(slot)
        continue
      }
      byTag[publication.entityTag] = nil
      records.update(slot) { $0.expiry = ExpiryWheel.Entry(second: 0, position: 0) }
      discard(slot)
      changed.insert(publication.key)
      removed += 1
    }
    return removed
  }

  /// Every live publication of a resource (any event), for inspection and tests.
  public func publications(of resource: String) -> [StoredPublication] {
    records.values.map(\.publication).filter { $0.resource == resource }
  }

  /// The same publication stored again under its own tag: a new state, lifetime or both.
  private mutating func replace(_ slot: UInt32, with publication: StoredPublication) {
    guard let old = records[slot]?.publication else { return }
    bodyBytes += publication.body.count - old.body.count
    if old.key != publication.key { unlink(slot) }
    records.update(slot) { $0.publication = publication }
    if old.key != publication.key { link(slot) }
    if ExpiryWheel.second(of: old.expiresAt) != ExpiryWheel.second(of: publication.expiresAt) {
      unschedule(slot)
      schedule(slot)
    }
  }

  /// Frees a slot whose tag is already out of ``byTag``.
  @discardableResult
  private mutating func discard(_ slot: UInt32) -> StoredPublication? {
    unschedule(slot)
    unlink(slot)
    let publication = records.remove(slot)?.publication
    bodyBytes -= publication?.body.count ?? 0
    return publication
  }

  /// Puts a slot first in its resource's list.
  private mutating func link(_ slot: UInt32) {
    guard let key = records[slot]?.publication.key.hashValue else { return }
    let first = firstOfResource[key] ?? Self.none
    records.update(slot) {
      $0.next = first
      $0.previous = Self.none
    }
    if first != Self.none { records.update(first) { $0.previous = slot } }
    firstOfResource[key] = slot
  }

  /// Takes a slot out of its resource's list.
  private mutating func unlink(_ slot: UInt32) {
    guard let record = records[slot] else { return }
    if record.next != Self.none { records.update(record.next) { $0.previous = record.previous } }
    if record.previous != Self.none {
      records.update(record.previous) { $0.next = record.next }
    } else {
      firstOfResource[record.publication.key.hashValue] = record.next == Self.none ? nil : record.next
    }
  }

  private mutating func schedule(_ slot: UInt32) {
    guard let expiresAt = records[slot]?.publication.expiresAt else { return }
    let entry = expiries.schedule(slot, at: expiresAt)
    records.update(slot) { $0.expiry = entry }
  }

  /// Takes a slot's entry off the wheel (none when its second is 0: already taken as due).
  private mutating func unschedule(_ slot: UInt32) {
    guard let entry = records[slot]?.expiry, entry.second != 0 else { return }
    if let moved = expiries.cancel(entry) { records.update(moved) { $0.expiry.position = entry.position } }
    records.update(slot) { $0.expiry.second = 0 }
  }

  /// The one copy of a media type or event name, so that a million publications of
  /// `application/pidf+xml` do not each keep the string.
  private mutating func share(_ text: String) -> String {
    // Up to 15 bytes a string is held inline: nothing to share, and no lookup to pay for.
    guard text.utf8.count > 15 else { return text }
    if let index = shared.firstIndex(of: text) { return shared[index] }
    if shared.count < Self.sharedLimit { shared.insert(text) }
    return text
  }
}
