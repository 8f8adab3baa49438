import Foundation
import Testing

/// pubsim against servers on another host: Kamailio and the embedded compositor inside a
/// network namespace the test makes (``NetworkLab``), reached by IPv4 and IPv6 literal, by a
/// hosts-file name, by A and AAAA records and by SRV (with failover past a dead first target),
/// over UDP, TCP and TLS. Every run cleans up, and Kamailio must hold nothing after it.
@Suite(
  "pubsim against servers on another host (network namespace)", .serialized,
  .enabled(if: NetworkLab.available, "needs root, iproute2, dnsmasq and Kamailio to make a network namespace")
)
struct NetworkTests {
  static func withLab(_ body: (NetworkLab) throws -> Void) throws {
    let lab = try NetworkLab()
    defer { lab.down() }
    try body(lab)
  }

  /// Runs pubsim through the lab with a report folder, and reads run.json.
  static func run(_ lab: NetworkLab, _ arguments: [String]) throws -> (
    result: FinishedProcess, report: [String: Any]
  ) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pubsim-net-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try lab.pubsim(arguments + ["--report", folder.path])
    let data = (try? Data(contentsOf: folder.appendingPathComponent("run.json"))) ?? Data("{}".utf8)
    return (result, try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:])
  }

  static let quick = [
    "run", RunCommandTests.quickstart, "--duration", "3s", "--publishers", "20", "--cleanup",
  ]

  /// Kamailio by every way of naming it. `{N}` is the lab's index.
  @Test(arguments: [
    ("sip:kam4.pubsim.test:5060", "A record of kam4.pubsim.test"),
    ("sip:kam6.pubsim.test:5060;transport=tcp", "AAAA record of kam6.pubsim.test"),
    ("sip:esc-hosts.pubsim.test:5060", "A record of esc-hosts.pubsim.test"),
    ("sip:10.{N}.0.2:5060;transport=tcp", ""),
    ("sip:[fd00:{N}::2]:5060", ""),
    ("sip:srv.pubsim.test", "NAPTR SIP+D2U → SRV _sip._udp.srv.pubsim.test → kam4.pubsim.test:5060"),
    ("sip:srv.pubsim.test;transport=tcp", "SRV _sip._tcp.srv.pubsim.test → kam4.pubsim.test:5060"),
    ("sip:srv6.pubsim.test;transport=udp", "SRV _sip._udp.srv6.pubsim.test → kam6.pubsim.test:5060"),
  ])
  func runAgainstKamailioGetsOnly2xxAndLeavesNothing(target: String, how: String) throws {
    try Self.withLab { lab in
      let (result, report) = try Self.run(lab, Self.quick + ["--target", lab.fill(target)])
      #expect(result.status == 0, "\(result.output)\(result.errors)")
      KamailioTests.expectNoFailedTransaction(report)
      if !how.isEmpty { #expect(result.output.contains(how), "\(result.output)") }
      if target.contains("srv.pubsim.test") {
        // The first SRV target (priority 10) is an address nobody answers at.
        #expect(
          result.output.contains("10.\(lab.description.index).0.99:5060")
            && result.output.contains("did not answer"))
      }
      #expect(try lab.presentityUsers().isEmpty)
    }
  }

  @Test func eachLocalAddressIsSeenByTheServer() throws {
    try Self.withLab { lab in
      let v4 = lab.description.sourcesV4
      let v6 = lab.description.sourcesV6
      let (udp, udpReport) = try Self.run(
        lab,
        Self.quick + [
          "--target", "sip:kam4.pubsim.test:5060", "--local-ip", v4[0], "--local-ip",
          lab.fill("10.{N}.0.12/31"),
        ])
      #expect(udp.status == 0, "\(udp.errors)")
      KamailioTests.expectNoFailedTransaction(udpReport)
      let (tcp, tcpReport) = try Self.run(
        lab,
        Self.quick + ["--target", "sip:kam6.pubsim.test:5060;transport=tcp"]
          + v6.flatMap { ["--local-ip", $0] })
      #expect(tcp.status == 0, "\(tcp.errors)")
      KamailioTests.expectNoFailedTransaction(tcpReport)
      #expect(Set(try lab.sources()) == Set(v4 + v6))
      #expect(try lab.presentityUsers().isEmpty)
      // An address this machine does not have is one line before the run.
      let missing = try lab.pubsim(
        Self.quick + ["--target", "sip:kam4.pubsim.test:5060", "--local-ip", lab.fill("10.{N}.0.77")])
      #expect(missing.status == 64)
      #expect(
        missing.errors.contains(
          "cannot send from 10.\(lab.description.index).0.77: not an address of this machine"))
    }
  }

  /// tshark reads every message pubsim wrote to an IPv6 literal, hosts in brackets.
  @Test func ipv6MessagesAreWellFormedForTshark() throws {
    guard Interop.peerAvailable("tshark"), Interop.peerAvailable("tcpdump") else { return }
    try Self.withLab { lab in
      let capture = FileManager.default.temporaryDirectory.appendingPathComponent(
        "pubsim-v6-\(UUID().uuidString).pcap")
      defer { try? FileManager.default.removeItem(at: capture) }
      let recorder = try TcpdumpRecorder(
        interface: "pl\(lab.description.index)-h", filter: "port 5060", to: capture)
      var sentOverUDP = 0
      for target in ["sip:[fd00:{N}::2]:5060", "sip:[fd00:{N}::2]:5060;transport=tcp"] {
        let (result, report) = try Self.run(lab, Self.quick + ["--target", lab.fill(target)])
        #expect(result.status == 0, "\(result.errors)")
        KamailioTests.expectNoFailedTransaction(report)
        let sent = (report["transactions"] as? [String: Any])?["sent"] as? Int ?? 0
        if !target.contains("tcp") { sentOverUDP = sent }
      }
      recorder.stop()
      let fields = try runProgram(
        "/usr/bin/env",
        [
          "tshark", "-r", capture.path, "-Y", "sip.Request-Line", "-T", "fields", "-e", "sip.r-uri.host",
          "-e",
          "sip.to.host", "-e", "sip.from.host", "-e", "sip.Via.sent-by.address",
        ])
      // One row per frame; the messages of one TCP segment are comma-separated in each column.
      let columns = fields.output.split(separator: "\n").map {
        $0.split(separator: "\t", omittingEmptySubsequences: false).map {
          $0.split(separator: ",").map(String.init)
        }
      }
      // Over UDP one datagram is one message: every PUBLISH pubsim counted, and the OPTIONS, was
      // decoded. (Over TCP, tshark decodes the first SIP message of a coalesced segment and not
      // always the rest, so only the form of what it decodes is checked there.)
      let overUDP = try runProgram(
        "/usr/bin/env",
        ["tshark", "-r", capture.path, "-Y", "udp && sip.Request-Line", "-T", "fields", "-e", "frame.number"])
      let decodedOverUDP = overUDP.output.split(separator: "\n").count
      #expect(
        sentOverUDP > 0 && decodedOverUDP >= sentOverUDP + 1, "\(decodedOverUDP) decoded, \(sentOverUDP) sent"
      )
      #expect(columns.count > decodedOverUDP, "requests over TCP were decoded too")
      let server = "[fd00:\(lab.description.index)::2]"
      for row in columns {
        #expect(row.count == 4, "\(row)")
        guard row.count == 4 else { continue }
        #expect(row[0].allSatisfy { $0 == server } && row[1].allSatisfy { $0 == server }, "\(row)")
        #expect(row[3].allSatisfy { $0.hasPrefix("fd00:\(lab.description.index)::") }, "\(row)")
      }
      let malformed = try runProgram(
        "/usr/bin/env", ["tshark", "-r", capture.path, "-Y", "_ws.malformed || sip.msg_hdr == \"\""])
      #expect(malformed.output.isEmpty, "\(malformed.output)")
    }
  }

  /// The embedded compositor inside the namespace, listening on wildcards and by name, reached by
  /// SRV over UDP and TLS (certificate checked against the SRV's domain, RFC 5922) and replayed to
  /// by a hosts-file name.
  @Test func compositorInTheNamespaceByNameSRVAndTLS() throws {
    try Self.withLab { lab in
      let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "pubsim-netc-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: folder) }
      let (certificate, key) = try TLSCommandTests.makeCertificate(
        in: folder, subject: "tls.pubsim.test", alternativeNames: "DNS:tls.pubsim.test")
      let log = folder.appendingPathComponent("compositor.out")
      _ = try lab.startInside(
        [
          Interop.pubsim.path, "compositor", "--listen", "sip:0.0.0.0:5070", "--listen", "sip:[::]:5070",
          "--listen", "sip:esc.pubsim.test:5070;transport=tcp", "--listen", "sips:esc.pubsim.test:5061",
          "--tls-cert", certificate, "--tls-key", key,
        ], output: log)
      try NetworkTests.waitFor(log, lines: 8)
      let listening = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
      #expect(listening.contains("sip:10.\(lab.description.index).0.2:5070 (udp)"))
      #expect(listening.contains("sips:[fd00:\(lab.description.index)::2]:5061 (tls, esc.pubsim.test)"))
      for target in ["sip:esc.pubsim.test", "sips:tls.pubsim.test"] {
        let (result, report) = try Self.run(lab, Self.quick + ["--target", target, "--tls-ca", certificate])
        #expect(result.status == 0, "\(target): \(result.output)\(result.errors)")
        KamailioTests.expectNoFailedTransaction(report)
      }
      let (replay, replayReport) = try Self.run(
        lab,
        [
          "replay", Interop.repository + "/captures/lifecycle-50.pcap", "--speed", "10", "--cleanup",
          "--target",
          "sip:esc6-hosts.pubsim.test:5070",
        ])
      #expect(replay.status == 0, "\(replay.errors)")
      let fidelity = replayReport["fidelity"] as? [String: Any] ?? [:]
      #expect(
        fidelity["comparable"] as? Int == 400 && fidelity["sameFinalCode"] as? Int == 400, "\(fidelity)")
      #expect((replayReport["publishers"] as? [String: Any])?["active"] as? Int == 0)
    }
  }

  @Test func aNameThatDoesNotResolveIsOneLineAndExit64() throws {
    try Self.withLab { lab in
      let result = try lab.pubsim(Self.quick + ["--target", "sip:nowhere.pubsim.test:5060"])
      #expect(result.status == 64)
      #expect(
        result.errors
          == "pubsim: --target sip:nowhere.pubsim.test:5060: 'nowhere.pubsim.test' does not resolve (no A or AAAA record)\n"
      )
    }
  }

  /// Waits until a started server has printed `lines` lines.
  static func waitFor(_ file: URL, lines: Int) throws {
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline {
      let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
      if text.split(separator: "\n").count >= lines { return }
      Thread.sleep(forTimeInterval: 0.05)
    }
    throw InteropError("server did not start: \((try? String(contentsOf: file, encoding: .utf8)) ?? "")")
  }
}

/// tcpdump writing a capture, started and stopped by a test.
final class TcpdumpRecorder {
  private let process = Process()

  init(interface: String, filter: String, to file: URL) throws {
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["tcpdump", "-i", interface, "-U", "-w", file.path, filter]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    // tcpdump writes the file header once it is listening.
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline,
      ((try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0) < 24
    {
      Thread.sleep(forTimeInterval: 0.05)
    }
    Thread.sleep(forTimeInterval: 0.3)
  }

  /// Stops tcpdump with SIGKILL: a child of the test runner inherits its blocked SIGINT and
  /// SIGTERM, and `-U` has written every packet already.
  func stop() {
    Thread.sleep(forTimeInterval: 0.3)
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}
