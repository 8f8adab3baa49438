import Testing

@testable import Publication

@Suite("Compositor store")
struct PublicationStoreTests {
  static let second: UInt64 = 1_000_000_000

  static func publication(_ tag: String, resource: String = "alice@h", expiresAt: UInt64) -> StoredPublication
  {
    StoredPublication(
      entityTag: tag, resource: resource, event: "presence", contentType: "application/pidf+xml", body: [1],
      expiresAt: expiresAt)
  }

  /// Watchers are told the composition of a resource's live publications: the index by
  /// resource follows every store, replacement, removal and expiry.
  @Test func theResourceIndexFollowsTheStore() {
    var store = PublicationStore()
    let alice = PublicationStore.ResourceKey(resource: "alice@h", event: "presence")
    store.store(Self.publication("a1", expiresAt: 10 * Self.second))
    store.store(Self.publication("a2", expiresAt: 20 * Self.second))
    store.store(Self.publication("b1", resource: "bob@h", expiresAt: 20 * Self.second))
    #expect(store.live(alice, now: 0).map(\.entityTag).sorted() == ["a1", "a2"])
    store.store(Self.publication("a3", expiresAt: 30 * Self.second), replacing: "a2")
    #expect(store.live(alice, now: 0).map(\.entityTag).sorted() == ["a1", "a3"])
    store.remove(tag: "a3")
    #expect(store.live(alice, now: 0).map(\.entityTag) == ["a1"])
    var changed: Set<PublicationStore.ResourceKey> = []
    #expect(store.removeExpired(now: 11 * Self.second, changed: &changed) == 1)
    #expect(changed == [alice])
    #expect(store.live(alice, now: 11 * Self.second).isEmpty)
    #expect(store.live(PublicationStore.ResourceKey(resource: "bob@h", event: "presence"), now: 0).count == 1)
  }

  @Test func liveLookupNeedsTheSameResourceAndEvent() {
    var store = PublicationStore()
    store.store(Self.publication("t1", expiresAt: 100 * Self.second))
    #expect(store.live(tag: "t1", resource: "alice@h", event: "presence", now: 0) != nil)
    #expect(store.live(tag: "t1", resource: "bob@h", event: "presence", now: 0) == nil)
    #expect(store.live(tag: "t1", resource: "alice@h", event: "dialog", now: 0) == nil)
  }

  @Test func expiredStateNoLongerMatchesAndIsSwept() {
    var store = PublicationStore()
    store.store(Self.publication("t1", expiresAt: 10 * Self.second))
    store.store(Self.publication("t2", resource: "bob@h", expiresAt: 50 * Self.second))
    #expect(store.live(tag: "t1", resource: "alice@h", event: "presence", now: 10 * Self.second) == nil)
    #expect(store.removeExpired(now: 12 * Self.second) == 1)
    #expect(store.count == 1)
    #expect(store.removeExpired(now: 60 * Self.second) == 1)
    #expect(store.count == 0)
  }

  @Test func replacingRetiresTheOldTagAndItsExpiry() {
    var store = PublicationStore()
    store.store(Self.publication("t1", expiresAt: 10 * Self.second))
    store.store(Self.publication("t2", expiresAt: 100 * Self.second), replacing: "t1")
    #expect(store.count == 1)
    #expect(store.live(tag: "t1", resource: "alice@h", event: "presence", now: 0) == nil)
    #expect(store.removeExpired(now: 20 * Self.second) == 0)
    #expect(store.live(tag: "t2", resource: "alice@h", event: "presence", now: 20 * Self.second) != nil)
  }

  @Test func sweepAfterALongIdleGapStillFindsEverything() {
    var store = PublicationStore()
    for index in 0..<100 {
      store.store(Self.publication("t\(index)", expiresAt: UInt64(index + 1) * Self.second))
    }
    #expect(store.removeExpired(now: 1_000_000 * Self.second) == 100)
  }

  @Test func entityTagsAreUniqueAcrossLanes() {
    var first = EntityTagGenerator(lane: 0, seed: 7)
    var second = EntityTagGenerator(lane: 1, seed: 7)
    let tags = (0..<1000).flatMap { _ in [first.next(), second.next()] }
    #expect(Set(tags).count == 2000)
  }

  /// Fifteen token characters: short enough to be kept inline by a Swift string, and a valid
  /// SIP-ETag (a token) on the wire.
  @Test func entityTagsAreFifteenTokenCharacters() {
    let token = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_")
    var generator = EntityTagGenerator(lane: 4095, seed: UInt64.max)
    let tags = (0..<100).map { _ in generator.next() }
    #expect(tags.allSatisfy { $0.utf8.count == 15 && $0.allSatisfy(token.contains) })
    var one = EntityTagGenerator(lane: 3, seed: 1)
    var other = EntityTagGenerator(lane: 3, seed: 2)
    #expect(one.next() != other.next())
  }

  /// A refresh or modify takes the old publication's place: the resource's composition, the tag
  /// lookup and the expiry all follow the new tag, and nothing of the old one is left.
  @Test func replacingInPlaceMovesItsExpiryBothWays() {
    var store = PublicationStore()
    let alice = PublicationStore.ResourceKey(resource: "alice@h", event: "presence")
    store.store(Self.publication("t1", expiresAt: 10 * Self.second))
    store.store(Self.publication("o1", expiresAt: 10 * Self.second))
    store.store(Self.publication("t2", expiresAt: 5 * Self.second), replacing: "t1")
    store.store(Self.publication("t3", expiresAt: 30 * Self.second), replacing: "t2")
    #expect(store.count == 2)
    #expect(store.live(alice, now: 0).map(\.entityTag).sorted() == ["o1", "t3"])
    #expect(store.removeExpired(now: 6 * Self.second) == 0)
    #expect(store.removeExpired(now: 11 * Self.second) == 1)
    #expect(store.live(alice, now: 11 * Self.second).map(\.entityTag) == ["t3"])
    #expect(store.removeExpired(now: 31 * Self.second) == 1)
    #expect(store.count == 0 && store.live(alice, now: 0).isEmpty)
  }

  /// Many publications of one resource, removed in an order unlike the one they came in: the
  /// list threaded through them and the wheel's buckets stay whole, and freed slots are reused.
  @Test func removalsInAnyOrderKeepTheIndexesWhole() {
    var store = PublicationStore()
    let alice = PublicationStore.ResourceKey(resource: "alice@h", event: "presence")
    for index in 0..<3000 {
      store.store(Self.publication("t\(index)", expiresAt: UInt64(100 + index % 3) * Self.second))
    }
    for index in stride(from: 0, to: 3000, by: 2) { store.remove(tag: "t\(index)") }
    #expect(store.live(alice, now: 0).count == 1500)
    for index in 0..<1500 {
      store.store(Self.publication("u\(index)", resource: "bob@h", expiresAt: 200 * Self.second))
    }
    #expect(store.count == 3000)
    var changed: Set<PublicationStore.ResourceKey> = []
    #expect(store.removeExpired(now: 103 * Self.second, changed: &changed) == 1500)
    #expect(changed == [alice] && store.live(alice, now: 0).isEmpty)
    #expect(store.live(tag: "u1499", resource: "bob@h", event: "presence", now: 0) != nil)
    #expect(store.removeExpired(now: 201 * Self.second) == 1500 && store.count == 0)
  }

  @Test func slotsAreReusedAndPagesKeepTheirPlace() {
    var table = SlotTable<Int>()
    let slots = (0..<2500).map { table.insert($0) }
    #expect(slots == (0..<2500).map(UInt32.init))
    #expect(table.remove(7) == 7 && table.remove(7) == nil)
    #expect(table[7] == nil && table[2499] == 2499 && table[2500] == nil)
    #expect(table.insert(-1) == 7 && table.count == 2500)
    table.update(2048) { $0 += 1 }
    #expect(table[2048] == 2049)
  }
}
