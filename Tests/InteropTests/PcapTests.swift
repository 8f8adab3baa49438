import Foundation
import Testing

/// `--pcap`: pubsim records its own traffic with libpcap while it runs, and what tshark reads
/// from the file agrees with run.json; a replay recorded this way shows the recorded form on the
/// wire.
@Suite(
  "pubsim --pcap", .serialized,
  .enabled(if: Interop.peerAvailable("tshark") && getuid() == 0))
struct PcapTests {
  static func run(_ arguments: [String], folder: URL) throws -> (FinishedProcess, [String: Any]) {
    let report = folder.appendingPathComponent("report")
    let result = try runProgram(Interop.pubsim.path, arguments + ["--report", report.path], timeout: 180)
    let data = try Data(contentsOf: report.appendingPathComponent("run.json"))
    return (result, try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:])
  }

  /// tshark's count of frames matching `filter` in `file`.
  static func count(_ file: String, _ filter: String) throws -> Int {
    let result = try runProgram(
      "/usr/bin/env",
      [
        "tshark", "-r", file, "-d", "tcp.port==1-65535,sip", "-Y", filter, "-T", "fields", "-e",
        "frame.number",
      ])
    return result.output.split(separator: "\n").count
  }

  static func folder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pubsim-pcap-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
  }

  /// Against a compositor that ignores a tenth of the requests: every PUBLISH pubsim sent, first
  /// copies and retransmissions, is in the file, and every final response it counted.
  @Test func tsharkCountsWhatRunJsonCounts() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let compositor = try CompositorProcess(["--drop", "0.1"])
    defer { _ = compositor.stop() }
    let pcap = folder.appendingPathComponent("own.pcap").path
    let (result, run) = try Self.run(
      [
        "run", Interop.repository + "/profiles/quickstart.yaml", "--publishers", "300", "--duration", "6s",
        "--target", "sip:127.0.0.1:\(compositor.udpPort)", "--pcap", pcap,
      ], folder: folder)
    #expect(result.status == 0, "\(result.errors)")
    let transactions = try #require(run["transactions"] as? [String: Int])
    let recorded = try #require(run["pcap"] as? [String: Any])
    #expect(recorded["files"] as? [String] == [pcap])
    #expect(recorded["dropped"] as? Int == 0)
    #expect((transactions["retransmissions"] ?? 0) > 0, "a tenth dropped: some requests were sent again")
    let requests = try Self.count(pcap, "sip.Method == \"PUBLISH\"")
    #expect(requests == (transactions["sent"] ?? 0) + (transactions["retransmissions"] ?? 0))
    // The compositor answers a retransmission of a request it took with the same response again:
    // distinct transactions with a final response are what run.json counts.
    let answered = try runProgram(
      "/usr/bin/env",
      [
        "tshark", "-r", pcap, "-Y", "sip.Status-Code >= 200 && sip.CSeq.method == \"PUBLISH\"", "-T",
        "fields",
        "-e", "sip.Via.branch",
      ])
    let branches = Set(answered.output.split(separator: "\n"))
    #expect(branches.count == transactions["completed"])
    #expect(recorded["packets"] as? Int == (try Self.count(pcap, "frame")))
    if SchemaValidator.available {
      try SchemaTests.validate("run.schema.json", [folder.appendingPathComponent("report/run.json").path])
    }
  }

  /// With `tcpAbove: 1300` (RFC 3261 §18.1.1) requests above 1 300 bytes go over TCP and the
  /// rest over UDP, to the same compositor port; every one is answered.
  @Test func requestsTooLargeForUDPGoOverTCP() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let pcap = folder.appendingPathComponent("switch.pcap").path
    let (result, run) = try Self.run(
      ["run", Interop.repository + "/Tests/InteropTests/Profiles/tcp-switch.yaml", "--pcap", pcap],
      folder: folder)
    #expect(result.status == 0, "\(result.errors)")
    let transactions = try #require(run["transactions"] as? [String: Int])
    let sent = transactions["sent"] ?? 0
    let switched = try #require(transactions["switchedToTcp"])
    #expect(switched > 0 && switched < sent, "bodies of 600 to 2 400 bytes: some requests on each side")
    #expect(transactions["completed"] == sent)
    let overTCP = try runProgram(
      "/usr/bin/env",
      [
        "tshark", "-r", pcap, "-d", "tcp.port==1-65535,sip", "-Y", "tcp && sip.Method", "-T", "fields", "-e",
        "sip.Method",
      ])
    #expect(
      overTCP.output.split(whereSeparator: { $0 == "\n" || $0 == "," }).filter { $0 == "PUBLISH" }.count
        == switched)
    let overUDP = try runProgram(
      "/usr/bin/env",
      ["tshark", "-r", pcap, "-Y", "udp && sip.Method == \"PUBLISH\"", "-T", "fields", "-e", "udp.length"])
    let sizes = overUDP.output.split(separator: "\n").compactMap { Int($0) }
    #expect(sizes.count == sent - switched)
    #expect(sizes.allSatisfy { $0 - 8 <= 1_300 }, "largest UDP request \((sizes.max() ?? 0) - 8) bytes")
  }

  /// `--pcap-max` keeps a ring of `--pcap-files` files, each within its share.
  @Test func theRingStaysWithinItsBound() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let pcap = folder.appendingPathComponent("ring.pcap").path
    let (result, run) = try Self.run(
      [
        "run", Interop.repository + "/profiles/quickstart.yaml", "--publishers", "600", "--duration", "8s",
        "--pcap", pcap, "--pcap-max", "300kB", "--pcap-files", "3",
      ], folder: folder)
    #expect(result.status == 0, "\(result.errors)")
    let recorded = try #require(run["pcap"] as? [String: Any])
    let files = try #require(recorded["files"] as? [String])
    #expect(Set(files) == Set((0..<3).map { folder.appendingPathComponent("ring-\($0).pcap").path }))
    for file in files {
      let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
      #expect(size <= 100_000, "\(file): \(size) bytes")
    }
    // The ring overwrote its oldest: the files hold fewer packets than were recorded.
    let kept = try files.map { try Self.count($0, "frame") }.reduce(0, +)
    #expect(kept < recorded["packets"] as? Int ?? 0)
  }

  /// linphone's recording replayed against the embedded compositor, recorded with `--pcap` and
  /// extracted again: each request went out with the recorded header names in the recorded
  /// order (no Content-Length on the unpublish over UDP); the compositor, which takes an
  /// unpublish without Content-Length over UDP (RFC 3261 §18.3), answers 200 where Kamailio
  /// answered 400.
  @Test func aReplayKeepsTheRecordedFormOnTheWire() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let capture = Interop.repository + "/captures/linphone-kamailio.pcap"
    let pcap = folder.appendingPathComponent("replayed.pcap").path
    let (result, run) = try Self.run(["replay", capture, "--speed", "20", "--pcap", pcap], folder: folder)
    #expect(result.status == 0, "\(result.errors)")
    let codes = try #require((run["fidelity"] as? [String: Any])?["codes"] as? [String: Int])
    #expect(codes == ["200 → 200": 9, "400 → 200": 3])
    let recorded = try Self.headerNames(capture, folder: folder)
    let replayed = try Self.headerNames(pcap, folder: folder)
    #expect(recorded.count == 12)
    #expect(replayed == recorded)
    #expect(replayed.filter { !$0.contains("Content-Length") }.count == 3)
  }

  /// Each PUBLISH's header names in order, per resource in time order, from `pubsim extract -o`.
  static func headerNames(_ capture: String, folder: URL) throws -> [[String]] {
    let trace = folder.appendingPathComponent(UUID().uuidString + ".trace").path
    let extract = try runProgram(Interop.pubsim.path, ["extract", capture, "-o", trace])
    #expect(extract.status == 0, "\(extract.errors)")
    let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").dropFirst()
    let records = try lines.map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
    }
    let ordered = records.enumerated().sorted {
      ($0.element["resource"] as? String ?? "", $0.offset) < (
        $1.element["resource"] as? String ?? "", $1.offset
      )
    }
    return ordered.map { record in
      (record.element["headers"] as? [String] ?? []).map { String($0.prefix { $0 != ":" }) }
    }
  }

  /// Without the right to capture, the run stops before it starts, in one line (exit 64).
  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
  func withoutCaptureRightsTheRunIsRefusedInOneLine() throws {
    let result = try runProgram(
      "/usr/bin/setpriv",
      [
        "--bounding-set", "-net_raw,-net_admin", "--inh-caps", "-net_raw,-net_admin", Interop.pubsim.path,
        "run",
        Interop.repository + "/profiles/quickstart.yaml", "--pcap", "/tmp/pubsim-never.pcap",
      ])
    #expect(result.status == 64)
    #expect(
      result.errors.contains("cannot capture: permission denied (capturing needs CAP_NET_RAW"),
      "\(result.errors)")
  }
}
