import Engine
import Profiles
import Publication
import SIPCore
import Testing

@testable import Simulation

/// NOTIFYs are the notifier's input: whatever their Call-ID says, a watcher pool answers them
/// without trapping, and only its own dialogs get 200.
@Suite("Watcher pool")
struct WatcherPoolTests {
  static func notify(callID: String, cseq: UInt32 = 1) -> SIPMessage {
    var headers = SIPHeaders()
    headers.add(.via, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-n")
    headers.add(.from, "<sip:p@127.0.0.1>;tag=pn0-a")
    headers.add(.to, "<sip:w@127.0.0.1>;tag=pw0.0.1")
    headers.add(.callID, callID)
    headers.add(.cseq, "\(cseq) NOTIFY")
    headers.add(SIPHeaderName("Subscription-State"), "active;expires=600")
    return SIPMessage.request(.notify, uri: "sip:pubsim@127.0.0.1", headers: headers)
  }

  @Test(arguments: [
    "pubsim-r1-w0.-1.1", "pubsim-r1-w0.99.1", "pubsim-r1-w0.0.2", "pubsim-r1-w0.0", "pubsim-r1-w1.0.1",
    "pubsim-r2-w0.0.1", "pubsim-r1-w0.18446744073709551616.1", "",
  ])
  func aNotifyForNoDialogOfTheShardIs481(callID: String) {
    let pool = WatcherPool(profile: WatcherProfile(perPresentity: .fixed(1)), shard: 0, runTag: "r1")
    var random = SplitMix64(seed: 1)
    pool.start(at: 0)
    pool.addPublisher(aor: "p@127.0.0.1", global: 0, package: "presence", at: 0, random: &random)
    #expect(pool.incoming(Self.notify(callID: callID), receivedAt: 1, now: 1) == 481)
  }

  @Test func itsOwnDialogIs200AndARetransmissionIsCountedOnce() {
    let pool = WatcherPool(profile: WatcherProfile(perPresentity: .fixed(1)), shard: 0, runTag: "r1")
    var random = SplitMix64(seed: 1)
    pool.start(at: 0)
    pool.addPublisher(aor: "p@127.0.0.1", global: 0, package: "presence", at: 0, random: &random)
    pool.timerFired(0, now: 0)
    #expect(pool.incoming(Self.notify(callID: "pubsim-r1-w0.0.1"), receivedAt: 1, now: 1) == 200)
    #expect(pool.incoming(Self.notify(callID: "pubsim-r1-w0.0.1"), receivedAt: 2, now: 2) == 200)
    let report = pool.report(final: true)
    #expect(report.notify.notifies == 1 && report.notify.retransmitted == 1)
  }
}
