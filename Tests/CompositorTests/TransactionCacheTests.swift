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

  /// Records a response of `bytes` bytes, all of which is the answer's (status line and lines).
  static func record(_ index: Int, bytes: Int, in cache: inout TransactionCache, now: UInt64) {
    let response = ByteBuffer(repeating: 0x41, count: bytes)
    let layout = ResponseWriter.Layout(statusLine: 0..<10, decisionLines: 10..<bytes)
    cache.record(key(index), response: response, layout: layout, toTag: "", sendAt: 0, now: now)
  }

  /// What comes back is exactly the parts the layout pointed at, and the tag.
  @Test func anAnswerComesBackAsItsParts() {
    var cache = TransactionCache(lifetime: 32_000_000_000, now: 0)
    let response = ByteBuffer(string: "SIP/2.0 200 OK\r\nVia: x\r\nSIP-ETag: abc\r\nServer: pubsim\r\n")
    let layout = ResponseWriter.Layout(statusLine: 0..<16, decisionLines: 24..<39)
    cache.record(Self.key(1), response: response, layout: layout, toTag: "t-9", sendAt: 7, now: 0)
    let entry = cache.lookup(Self.key(1), now: 1)
    #expect(entry?.answer.statusLine == Array("SIP/2.0 200 OK\r\n".utf8))
    #expect(entry?.answer.decisionLines == Array("SIP-ETag: abc\r\n".utf8))
    #expect(entry?.answer.toTag == "t-9" && entry?.sendAt == 7)
    #expect(cache.lookup(Self.key(2), now: 1) == nil)
  }

  @Test func aFloodOfTransactionsStaysWithinTheEntryBound() {
    var cache = TransactionCache(lifetime: 32_000_000_000, now: 0, maxEntries: 1_000, maxBytes: 1 << 30)
    for index in 0..<10_000 { Self.record(index, bytes: 100, in: &cache, now: 1) }
    #expect(cache.count <= 1_000)
    #expect(cache.earlyRotations > 0)
    // The newest are still answered from the cache; the oldest went first.
    #expect((9_900..<10_000).allSatisfy { cache.lookup(Self.key($0), now: 2) != nil })
    #expect(cache.lookup(Self.key(0), now: 2) == nil)
  }

  @Test func largeResponsesStayWithinTheByteBound() {
    var cache = TransactionCache(lifetime: 32_000_000_000, now: 0, maxEntries: 1_000_000, maxBytes: 100_000)
    for index in 0..<1_000 { Self.record(index, bytes: 1_000, in: &cache, now: 1) }
    #expect(cache.bytes <= 100_000)
    #expect(cache.lookup(Self.key(999), now: 2) != nil)
  }

  @Test func withinTheBoundsEntriesLiveForTheirLifetime() {
    var cache = TransactionCache(lifetime: 32_000_000_000, now: 0)
    for index in 0..<1_000 { Self.record(index, bytes: 300, in: &cache, now: 0) }
    #expect(cache.lookup(Self.key(0), now: 31_000_000_000) != nil)
    #expect(cache.lookup(Self.key(0), now: 41_000_000_000) == nil)
    #expect(cache.earlyRotations == 0)
  }
}
