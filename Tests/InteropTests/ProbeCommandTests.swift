import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `pubsim probe` as a user runs it: every check passes against the embedded compositor (UDP and
/// TCP), Kamailio's known departures from RFC 3903 are named, and a dead or garbage-speaking
/// target ends the probe in bounded time with exit 1 or 2, never a crash.
@Suite("pubsim probe", .serialized)
struct ProbeCommandTests {
  /// Runs the probe with `--json`; returns the exit status, what it printed and the JSON.
  static func probe(_ arguments: [String], timeout: TimeInterval = 120) throws -> (
    status: Int32, output: String, report: [String: Any]
  ) {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "probe-\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: file) }
    let result = try runProgram(
      Interop.pubsim.path, ["probe"] + arguments + ["--json", file.path], timeout: timeout)
    let data = (try? Data(contentsOf: file)) ?? Data("{}".utf8)
    let report = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    return (result.status, result.output + result.errors, report)
  }

  static func verdicts(_ report: [String: Any]) -> [String: String] {
    let checks = report["checks"] as? [[String: Any]] ?? []
    return Dictionary(
      checks.compactMap { check in (check["id"] as? String).map { ($0, check["verdict"] as? String ?? "") } },
      uniquingKeysWith: { first, _ in first })
  }

  static func observed(_ report: [String: Any], _ id: String) -> String {
    let checks = report["checks"] as? [[String: Any]] ?? []
    return checks.first { $0["id"] as? String == id }?["observed"] as? String ?? ""
  }

  /// Over UDP nothing but the expiry check (the compositor's 60 s minimum is longer than the
  /// probe waits) is short of a pass, the 20 KB header among them: datagrams arrive whole.
  @Test func theEmbeddedCompositorPassesEveryCheckOverUDP() throws {
    let (status, output, report) = try Self.probe([])
    #expect(status == 0, "\(output)")
    #expect(output.contains("no target given: using the embedded compositor"))
    let verdicts = Self.verdicts(report)
    #expect(verdicts.count >= 29)
    let notPassed = verdicts.filter { $0.value != "pass" }
    #expect(notPassed == ["state-expires": "skip"], "\(notPassed)")
    #expect(report["failed"] as? Int == 0)
    #expect(report["passed"] as? Int == verdicts.count - 1)
    #expect(report["target"] as? String != nil)
    let first = (report["checks"] as? [[String: Any]])?.first ?? [:]
    #expect(Set(first.keys) == ["id", "rfc", "verdict", "expected", "observed", "sent"])
  }

  /// Over TCP a request whose framing is broken (Content-Length) or whose line is over the
  /// limit closes the connection: allowed, so a warning; nothing fails.
  @Test func theCompositorOverTCPFailsNothing() throws {
    let compositor = try CompositorProcess()
    defer { _ = compositor.stop() }
    let (status, output, report) = try Self.probe(["sip:127.0.0.1:\(compositor.tcpPort);transport=tcp"])
    #expect(status == 0, "\(output)")
    let verdicts = Self.verdicts(report)
    #expect(verdicts.values.allSatisfy { $0 != "fail" })
    #expect(verdicts["retransmission"] == "skip")
    #expect(verdicts["malformed-content-length-text"] == "warn")
    #expect(Self.observed(report, "malformed-content-length-text") == "connection closed without an answer")
    #expect(verdicts["malformed-nul"] == "pass")
  }

  /// With a 2 s minimum the expiry check can wait: the publication is gone after its lifetime.
  @Test func stateExpiresWhenTheServerGrantsAShortLifetime() throws {
    let compositor = try CompositorProcess(["--min-expires", "2"])
    defer { _ = compositor.stop() }
    let (status, output, report) = try Self.probe([
      "sip:127.0.0.1:\(compositor.udpPort)", "--only", "state-expires,expires-too-brief",
    ])
    #expect(status == 0, "\(output)")
    #expect(Self.verdicts(report) == ["state-expires": "pass", "expires-too-brief": "pass"])
    #expect(Self.observed(report, "state-expires").contains("granted 2 s"))
  }

  /// Kamailio 5.6 (scripts/kamailio/kamailio.cfg) departs from the RFCs in ways the probe names.
  @Test(.enabled(if: Interop.peerAvailable("kamailio") && Interop.peerAvailable("kamcmd")))
  func kamailiosDeparturesAreNamed() throws {
    let kamailio = try KamailioTests.Kamailio.start()
    defer { kamailio.stop() }
    let (status, output, report) = try Self.probe(["sip:127.0.0.1:\(kamailio.port)", "--timeout", "1"])
    #expect(status == 2, "\(output)")
    let verdicts = Self.verdicts(report)
    // An unknown entity-tag gets 500, not 412.
    #expect(verdicts["unknown-etag"] == "fail")
    #expect(Self.observed(report, "unknown-etag").hasPrefix("500"))
    // Its OPTIONS answer has no Allow; a CSeq at 2^31 and a NUL byte are accepted with 200.
    #expect(verdicts["options-allow"] == "fail")
    #expect(verdicts["malformed-cseq-overflow"] == "fail")
    #expect(verdicts["malformed-nul"] == "fail")
    // What it does right is said so. (Not race-modify: which of two concurrent modifies wins,
    // and whether the loser sees the new tag, depends on how Kamailio's two worker processes
    // interleave them on a busy machine.)
    for id in ["initial", "refresh", "modify", "superseded-etag", "remove", "etag-unique"] {
      #expect(verdicts[id] == "pass", "\(id): \(Self.observed(report, id))")
    }
    #expect(output.contains("FAIL"))
  }

  /// Nobody listening: exit 1 after an OPTIONS and a PUBLISH, each within the timeout.
  @Test func aDeadTargetEndsTheProbeWithExit1() throws {
    let started = Date()
    let (status, output, _) = try Self.probe(["sip:127.0.0.1:9", "--timeout", "1"], timeout: 60)
    #expect(status == 1)
    #expect(output.contains("never answered"))
    #expect(Date().timeIntervalSince(started) < 30)
  }

  /// A server that answers garbage never answers at all (exit 1); one that answers 200 without
  /// an entity-tag fails checks (exit 2); both in bounded time.
  @Test(arguments: [("garbage", Int32(1)), ("no-etag", Int32(2))])
  func hostileServersEndTheProbeInBoundedTime(mode: String, expected: Int32) throws {
    let port = Int.random(in: 20_000...40_000)
    let server = try HostileServerTests.startServer(mode, port: port, transport: "udp")
    defer {
      kill(server.processIdentifier, SIGKILL)
      server.waitUntilExit()
    }
    let started = Date()
    let (status, output, report) = try Self.probe(["sip:127.0.0.1:\(port)", "--timeout", "1"], timeout: 300)
    #expect(status == expected, "\(output)")
    #expect(Date().timeIntervalSince(started) < 240)
    if expected == 2 { #expect(Self.verdicts(report)["initial"] == "fail") }
  }

  /// A compositor that challenges every PUBLISH: with --credentials every check passes as
  /// without authentication; without them the first publication fails with 401.
  @Test func challengesAreAnsweredWithCredentials() throws {
    let users = ReplayCommandTests.authUsers
    let compositor = try CompositorProcess(["--auth-realm", "pubsim.test", "--credentials", users])
    defer { _ = compositor.stop() }
    let target = "sip:127.0.0.1:\(compositor.udpPort)"
    let (status, output, report) = try Self.probe([target, "--credentials", users])
    #expect(status == 0, "\(output)")
    #expect(Self.verdicts(report).filter { $0.value != "pass" } == ["state-expires": "skip"])
    let (refused, _, without) = try Self.probe([target, "--only", "initial"])
    #expect(refused == 2)
    #expect(Self.observed(without, "initial").hasPrefix("401"))
  }

  /// Over TLS, trusting the compositor's certificate: nothing fails.
  @Test(.enabled(if: Interop.peerAvailable("openssl")))
  func theCompositorOverTLSFailsNothing() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pubsim-probe-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let (certificate, key) = try TLSCommandTests.makeCertificate(in: folder)
    let compositor = try CompositorProcess([
      "--listen", "sips:127.0.0.1:0", "--tls-cert", certificate, "--tls-key", key,
    ])
    defer { _ = compositor.stop() }
    let (status, output, report) = try Self.probe([
      "sips:127.0.0.1:\(compositor.tlsPort)", "--tls-ca", certificate,
    ])
    #expect(status == 0, "\(output)")
    #expect(report["transport"] as? String == "tls")
    #expect(Self.verdicts(report)["race-modify"] == "pass")
  }

  @Test func unknownCheckIdsAreRefusedWithExit64() throws {
    let result = try runProgram(Interop.pubsim.path, ["probe", "--only", "initial,no-such-check"])
    #expect(result.status == 64)
    #expect(result.errors.contains("no check called no-such-check"))
  }
}
