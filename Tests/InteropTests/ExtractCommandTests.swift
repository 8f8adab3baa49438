import Foundation
import Testing

/// `pubsim extract` against tshark, the peer dissector: the same PUBLISH requests and responses
/// on every sample capture.
@Suite("pubsim extract against tshark", .serialized, .enabled(if: Interop.peerAvailable("tshark")))
struct ExtractCommandTests {
  static let captures = [
    "own-traffic", "lifecycle-50", "population-450", "auth-20", "edge-fragments", "edge-tcp-ipv6",
  ]

  /// PUBLISH request and response messages as tshark counts them, one per SIP message (several
  /// may share a TCP segment).
  static func tsharkCounts(_ path: String) throws -> (requests: Int, responses: Int) {
    let result = try runProgram(
      Interop.which("tshark") ?? "/usr/bin/tshark",
      [
        "-r", path, "-o", "tcp.reassemble_out_of_order:TRUE", "-Y", "sip.CSeq.method == \"PUBLISH\"", "-T",
        "fields",
        "-e", "sip.Method", "-e", "sip.Status-Code", "-E", "occurrence=a", "-E", "aggregator=,",
      ], timeout: 120)
    var requests = 0
    var responses = 0
    for line in result.output.split(separator: "\n", omittingEmptySubsequences: true) {
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
      requests += fields.first.map { $0.split(separator: ",").filter { $0 == "PUBLISH" }.count } ?? 0
      responses += fields.count > 1 ? fields[1].split(separator: ",").count : 0
    }
    return (requests, responses)
  }

  @Test(arguments: captures)
  func publishCountsMatchTshark(name: String) throws {
    let path = Interop.repository + "/captures/\(name).pcap"
    let result = try runProgram(Interop.pubsim.path, ["extract", path, "--summary"], timeout: 60)
    #expect(result.status == 0, "\(result.errors)")
    let summary = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] ?? [:]
    let publish = summary["publish"] as? [String: Any] ?? [:]
    let messages = publish["messages"] as? [String: Int] ?? [:]
    let tshark = try Self.tsharkCounts(path)
    #expect(messages["requests"] == tshark.requests, "tshark counts \(tshark)")
    #expect(messages["responses"] == tshark.responses, "tshark counts \(tshark)")
  }

  @Test(.enabled(if: Interop.peerAvailable("editcap")))
  func pcapngGivesTheSameSummaryAsPcap() throws {
    let pcapng = FileManager.default.temporaryDirectory.appendingPathComponent(
      "own-\(UUID().uuidString).pcapng"
    ).path
    defer { try? FileManager.default.removeItem(atPath: pcapng) }
    let converted = try runProgram(
      Interop.which("editcap") ?? "/usr/bin/editcap",
      ["-F", "pcapng", Interop.repository + "/captures/own-traffic.pcap", pcapng])
    #expect(converted.status == 0, "\(converted.errors)")
    let fromPcapng = try runProgram(Interop.pubsim.path, ["extract", pcapng, "--summary"])
    let expected = try String(
      contentsOfFile: Interop.repository + "/captures/own-traffic.summary.json", encoding: .utf8)
    #expect(fromPcapng.output == expected)
  }

  @Test(.enabled(if: Interop.peerAvailable("mergecap") && Interop.peerAvailable("editcap")))
  func pcapngWithMixedLinkTypesIsAClearError() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mixed-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let raw = folder.appendingPathComponent("raw.pcap").path
    let mixed = folder.appendingPathComponent("mixed.pcapng").path
    let source = Interop.repository + "/captures/own-traffic.pcap"
    _ = try runProgram(Interop.which("editcap") ?? "/usr/bin/editcap", ["-T", "rawip", source, raw])
    _ = try runProgram(
      Interop.which("mergecap") ?? "/usr/bin/mergecap", ["-F", "pcapng", "-w", mixed, source, raw])
    let result = try runProgram(Interop.pubsim.path, ["extract", mixed, "--summary"], timeout: 60)
    #expect(result.status == 64)
    #expect(result.errors.contains("interfaces of different link types"), "\(result.errors)")
    #expect(result.errors.split(separator: "\n").count == 1)
  }

  @Test func notACaptureIsOneLineAndNonZero() throws {
    let result = try runProgram(Interop.pubsim.path, ["extract", "/etc/hostname", "--summary"], timeout: 20)
    #expect(result.status == 64)
    #expect(result.errors.split(separator: "\n").count == 1, "\(result.errors)")
    #expect(result.errors.contains("not a pcap or pcapng capture"))
  }
}
