import Foundation
import Testing

/// `pubsim run` with watchers against the embedded compositor, the compositor in its own
/// process (UDP and TCP) and Kamailio: every change published while a watcher was subscribed
/// reaches it, nothing is stale, and every subscription made is ended at the end.
@Suite("Watchers: publish → notify", .serialized)
struct WatcherTests {
  static let profile = Interop.repository + "/Tests/InteropTests/Profiles/watchers.yaml"

  /// What a watcher run must show whatever the notifier. `reorders`: the notifier may send an
  /// older state after a newer one in a dialog under load (Kamailio does: the newer change
  /// supersedes the older, which then arrives stale); every owed change must still be accounted
  /// for, carried or superseded, and none missing.
  static func expectEveryChangeArrived(_ report: [String: Any], reorders: Bool = false) throws {
    let notify = try #require(report["notify"] as? [String: Any])
    let subscriptions = try #require(report["subscriptions"] as? [String: Any])
    let expected = notify["expected"] as? Int ?? 0
    let received = notify["received"] as? Int ?? 0
    let superseded = notify["superseded"] as? Int ?? 0
    let stale = notify["stale"] as? Int ?? 0
    #expect(expected > 100, "owed changes \(notify)")
    #expect(notify["missing"] as? Int == 0, "\(notify)")
    if reorders {
      #expect(received + superseded == expected, "\(notify)")
      #expect(stale <= superseded && stale * 100 <= expected, "\(notify)")
    } else {
      #expect(received == expected && stale == 0, "\(notify)")
    }
    let latency = try #require(notify["latencyMicros"] as? [String: Int])
    #expect((latency["p50"] ?? 0) > 0)
    #expect(subscriptions["watchers"] as? Int == 300)
    #expect(subscriptions["failed"] as? Int == 0, "\(subscriptions)")
    #expect((subscriptions["established"] as? Int ?? 0) > 250, "\(subscriptions)")
    #expect((subscriptions["refreshed"] as? Int ?? 0) > 0, "\(subscriptions)")
    #expect(subscriptions["ended"] as? Int == subscriptions["established"] as? Int, "\(subscriptions)")
  }

  @Test func theEmbeddedCompositorNotifiesEveryChange() throws {
    let (result, report) = try KamailioTests.runPubsim([Self.profile])
    #expect(result.status == 0, "\(result.errors)")
    KamailioTests.expectNoFailedTransaction(report)
    try Self.expectEveryChangeArrived(report)
    #expect(result.output.contains("notify: "), "\(result.output)")
  }

  @Test(arguments: ["udp", "tcp"])
  func theCompositorInItsOwnProcessNotifiesEveryChange(transport: String) throws {
    let compositor = try CompositorProcess()
    defer { _ = compositor.stop() }
    let port = transport == "tcp" ? compositor.tcpPort : compositor.udpPort
    let (result, report) = try KamailioTests.runPubsim([
      Self.profile, "--target", "sip:127.0.0.1:\(port);transport=\(transport)",
    ])
    #expect(result.status == 0, "\(result.errors)")
    try Self.expectEveryChangeArrived(report)
    // Every watcher unsubscribed: the compositor holds no subscription after the run.
    let summary = compositor.stop().output
    #expect(summary.contains("live subscriptions 0"), "\(summary)")
  }

  /// Over TLS the NOTIFYs come back on the watcher's own connection.
  @Test(.enabled(if: Interop.peerAvailable("openssl")))
  func theCompositorNotifiesEveryChangeOverTLS() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pubsim-tls-watchers-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let (certificate, key) = try TLSCommandTests.makeCertificate(in: folder)
    let compositor = try CompositorProcess([
      "--listen", "sips:127.0.0.1:0", "--tls-cert", certificate, "--tls-key", key,
    ])
    defer { _ = compositor.stop() }
    let (result, report) = try KamailioTests.runPubsim([
      Self.profile, "--target", "sips:127.0.0.1:\(compositor.tlsPort)", "--tls-ca", certificate,
    ])
    #expect(result.status == 0, "\(result.errors)")
    try Self.expectEveryChangeArrived(report)
    let notify = try #require(report["notify"] as? [String: Any])
    #expect(notify["duplicates"] as? Int == 0, "\(notify)")
  }

  /// The NOTIFY delay knob is what the watchers measure: never less, and not far more.
  @Test func aNotifyDelayIsMeasuredAsPropagation() throws {
    let compositor = try CompositorProcess(["--notify-delay", "20ms"])
    defer { _ = compositor.stop() }
    let (result, report) = try KamailioTests.runPubsim([
      Self.profile, "--target", "sip:127.0.0.1:\(compositor.udpPort)", "--duration", "4s",
    ])
    #expect(result.status == 0, "\(result.errors)")
    let notify = try #require(report["notify"] as? [String: Any])
    let latency = try #require(notify["latencyMicros"] as? [String: Int])
    #expect((latency["p50"] ?? 0) >= 20_000, "\(latency)")
    #expect((latency["p50"] ?? 0) < 60_000, "\(latency)")
  }

  @Test(.enabled(if: Interop.peerAvailable("kamailio") && Interop.peerAvailable("kamcmd")))
  func kamailioNotifiesEveryChange() throws {
    let kamailio = try KamailioTests.Kamailio.start()
    defer { kamailio.stop() }
    let (result, report) = try KamailioTests.runPubsim([
      Self.profile, "--target", "sip:127.0.0.1:\(kamailio.port)", "--cleanup",
    ])
    #expect(result.status == 0, "\(result.errors)")
    KamailioTests.expectNoFailedTransaction(report)
    try Self.expectEveryChangeArrived(report, reorders: true)
  }
}
