import Testing

@testable import Transport

@Suite("Non-INVITE client transaction timers (RFC 3261 §17.1.2)")
struct ClientTransactionTests {
  static let ms: UInt64 = 1_000_000

  @Test func udpRetransmitsAtT1DoublingToT2AndTimesOutAt64T1() {
    var transaction = ClientTransaction(startedAt: 0, reliable: false)
    var sends: [UInt64] = []
    var now: UInt64 = 0
    while true {
      now = transaction.nextDeadline
      let action = transaction.timerFired(now: now)
      if action == .timeout { break }
      #expect(action == .retransmit)
      sends.append(now / Self.ms)
    }
    #expect(sends == [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500])
    #expect(now == 32_000 * Self.ms)
    #expect(transaction.retransmissions == 10)
  }

  @Test func tcpNeverRetransmits() {
    var transaction = ClientTransaction(startedAt: 0, reliable: true)
    #expect(transaction.nextDeadline == 32_000 * Self.ms)
    #expect(transaction.timerFired(now: 31_999 * Self.ms) == .none)
    #expect(transaction.timerFired(now: 32_000 * Self.ms) == .timeout)
  }

  @Test func provisionalResponseMovesRetransmissionsToT2() {
    var transaction = ClientTransaction(startedAt: 0, reliable: false)
    #expect(transaction.responseReceived(statusCode: 100) == .none)
    #expect(transaction.timerFired(now: 500 * Self.ms) == .retransmit)
    #expect(transaction.retransmitAt == 4_500 * Self.ms)
  }

  @Test func finalResponseEndsItAndLateOnesAreIgnored() {
    var transaction = ClientTransaction(startedAt: 0, reliable: false)
    #expect(transaction.responseReceived(statusCode: 200) == .completed(statusCode: 200))
    #expect(transaction.isTerminated)
    #expect(transaction.responseReceived(statusCode: 200) == .none)
    #expect(transaction.timerFired(now: 40_000 * Self.ms) == .none)
    #expect(transaction.nextDeadline == UInt64.max)
  }

  @Test func earlyTimerCallsDoNothing() {
    var transaction = ClientTransaction(startedAt: 1_000, reliable: false)
    #expect(transaction.timerFired(now: 1_000) == .none)
    #expect(transaction.retransmissions == 0)
  }
}
