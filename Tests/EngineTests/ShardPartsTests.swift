import Publication
import SIPCore
import Testing

@testable import Engine

@Suite("A shard's parts, without sockets")
struct ShardPartsTests {
  @Test func aReusedSlotGetsANewGenerationSoStaleAnswersAreToldApart() {
    var table = TransactionTable()
    let first = table.open(TransactionTable.Record(publisher: 7, operation: .initial))
    #expect(table.inFlight == 1)
    let generation = table[first].generation
    #expect(table.isCurrent(first, generation: generation))
    #expect(table.close(first).publisher == 7)
    #expect(!table.isCurrent(first, generation: generation), "a closed slot holds nothing")
    let second = table.open(TransactionTable.Record(publisher: 9, operation: .refresh))
    #expect(second == first, "the slot is reused")
    #expect(!table.isCurrent(second, generation: generation), "an answer to the old transaction is stale")
    #expect(table.isCurrent(second, generation: generation &+ 1))
    #expect(table[second].publisher == 9)
    #expect(table.inFlight == 1)
  }

  @Test func openTransactionsAreFoundByConnection() {
    var table = TransactionTable()
    for connection in [0, 1, 1, 2] {
      _ = table.open(TransactionTable.Record(publisher: 1, connection: connection))
    }
    table.close(1)
    #expect(table.open(onConnection: 1) == [2])
  }

  @Test func theRateCapHoldsItsRateAndBanksOnlyTenMilliseconds() {
    let ms: UInt64 = 1_000_000
    var cap = RateCap(perSecond: 1_000, now: 0)
    // One request per millisecond, a tick at a time.
    var sent = 0
    for tick in 1...1_000 where cap.take(now: UInt64(tick) * ms) { sent += 1 }
    #expect(sent == 1_000)
    // After a one-second pause, at most the 10 ms burst goes at once.
    var burst = 0
    while cap.take(now: 2_000 * ms) { burst += 1 }
    #expect(burst == 10)
  }

  @Test func digestAnswersCountNoncesAndStayEmptyWithoutChallenges() throws {
    var answers = DigestAnswers()
    let identity = PublisherIdentity(
      user: "alice", domain: "example.test", number: 1, runTag: "t", event: "presence",
      contentType: "application/pidf+xml", password: "secret")
    var request = PublisherStateMachine.Request(operation: .initial, ifMatch: nil, expires: 60, intendedAt: 0)
    #expect(
      answers.authorization(for: request, publisher: 0, identity: identity, uri: "sip:" + identity.aor) {
        "c"
      } == nil)
    request.challenge = .init(value: #"Digest realm="pubsim", nonce="n1", qop="auth""#, isProxy: false)
    let first = try #require(
      answers.authorization(for: request, publisher: 0, identity: identity, uri: "sip:" + identity.aor) {
        "c"
      })
    #expect(first.name == "Authorization" && first.value.contains("nc=00000001"))
    request.challenge = nil
    let second = try #require(
      answers.authorization(for: request, publisher: 0, identity: identity, uri: "sip:" + identity.aor) {
        "c"
      })
    #expect(second.value.contains("nc=00000002") && second.value.contains(#"uri="sip:alice@example.test""#))
  }

  /// Every publisher with a long lifetime holds a timer entry: sixteen bytes, the kind packed
  /// into the index, each read back as written.
  @Test func aTimerEntryIsSixteenBytesAndKeepsItsKindAndIndex() {
    #expect(MemoryLayout<TimerEntry>.stride == 16)
    for kind in [TimerEntry.Kind.publisher, .transaction, .watcher] {
      for index: Int32 in [0, 1, 123_456_789, (1 << 30) - 1] {
        let entry = TimerEntry(deadline: 7, kind: kind, index: index, generation: .max)
        #expect(entry.kind == kind && entry.index == index && entry.generation == .max)
      }
    }
  }
}
