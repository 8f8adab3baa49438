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
}
