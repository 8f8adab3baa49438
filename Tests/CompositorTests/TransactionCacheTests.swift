import NIOCore
import SIPCore
import Testing

@testable import Compositor

/// The retransmission cache holds responses for Timer J, and no more than its bounds whatever
/// the rate: a flood of distinct transactions pushes the oldest out early.
@Suite("Transaction cache bounds")
struct TransactionCacheTests {
  static func key(_ index: Int) -> TransactionKey {
    let headers: SIPHeaders = [
      "Via": "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK\(index)", "CSeq": "1 PUBLISH",
    ]
    let message = SIPMessage.request(.publish, uri: "sip:a@h", headers: headers, body: [])
    guard let key = TransactionKey(message, topVia: message.topVia) else { preconditionFailure("a key") }
    return key
  }

  static func entry(bytes: Int) -> TransactionCache.Entry {
    TransactionCache.Entry(response: ByteBuffer(repeating: 0x41, count: bytes), sendAt: 0)
  }

  @Test func aFloodOfTransactionsStaysWithinTheEntryBound() {
    var cache = TransactionCache(lifetime: 32_000_000_000, now: 0, maxEntries: 1_000, maxBytes: 1 << 30)
    for index in 0..<10_000 { cache.record(Self.key(index), Self.entry(bytes: 100), now: 1) }
    #expect(cache.count <= 1_000)
    #expect(cache.earlyRotations > 0)
    // The newest are still answered from the cache; the oldest went first.
    #expect((9_900..<10_000).allSatisfy { cache.lookup(Self.key($0), now: 2) != nil })
    #expect(cache.lookup(Self.key(0), now: 2) == nil)
  }

  @Test func largeResponsesStayWithinTheByteBound() {
    var cache = TransactionCache(lifetime: 32_000_000_000, now: 0, maxEntries: 1_000_000, maxBytes: 100_000)
    for index in 0..<1_000 { cache.record(Self.key(index), Self.entry(bytes: 1_000), now: 1) }
    #expect(cache.bytes <= 100_000)
    #expect(cache.lookup(Self.key(999), now: 2) != nil)
  }

  @Test func withinTheBoundsEntriesLiveForTheirLifetime() {
    var cache = TransactionCache(lifetime: 32_000_000_000, now: 0)
    for index in 0..<1_000 { cache.record(Self.key(index), Self.entry(bytes: 300), now: 0) }
    #expect(cache.lookup(Self.key(0), now: 31_000_000_000) != nil)
    #expect(cache.lookup(Self.key(0), now: 41_000_000_000) == nil)
    #expect(cache.earlyRotations == 0)
  }
}
