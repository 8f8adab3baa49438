import Foundation
import Testing

/// `pubsim replay` as a user runs it: the project's sample captures (and a trace extracted from
/// one) replayed against the embedded compositor, with the fidelity report checked against what
/// the recording holds.
@Suite("pubsim replay on the command line", .serialized)
struct ReplayCommandTests {
  /// 50 SIPp publishers recorded against pubsim's compositor: 300 × 200, 50 × 412, 50 × 423.
  static let lifecycle = Interop.repository + "/captures/lifecycle-50.pcap"
  static let ownTraffic = Interop.repository + "/captures/own-traffic.pcap"
  /// 20 SIPp publishers behind digest authentication: each initial challenged (401), then 200s.
  static let auth = Interop.repository + "/captures/auth-20.pcap"
  static let authUsers = Interop.repository + "/captures/auth-20.users.csv"

  static func temporaryFolder() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("pubsim-replay-\(UUID().uuidString)")
  }

  /// Runs `pubsim replay` with a report folder; returns the process and run.json.
  static func replay(_ arguments: [String], folder: URL) throws -> (FinishedProcess, [String: Any]) {
    let result = try runProgram(
      Interop.pubsim.path, ["replay"] + arguments + ["--report", folder.path], timeout: 180)
    let data = try Data(contentsOf: folder.appendingPathComponent("run.json"))
    return (result, try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:])
  }

  static func fidelity(_ run: [String: Any]) throws -> [String: Any] {
    try #require(run["fidelity"] as? [String: Any])
  }

  @Test func aRecordingOf200And412And423IsReproducedOneForOne() throws {
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (result, run) = try Self.replay([Self.lifecycle], folder: folder)
    #expect(result.status == 0, "\(result.errors)")
    #expect(result.output.contains("no target given: using the embedded compositor"))
    #expect(result.output.contains("fidelity: 400 of 400 comparable transactions"))
    #expect(run["kind"] as? String == "replay")
    let fidelity = try Self.fidelity(run)
    #expect(fidelity["comparable"] as? Int == 400)
    #expect(fidelity["sameFinalCode"] as? Int == 400)
    #expect(fidelity["codes"] as? [String: Int] == ["200 → 200": 300, "412 → 412": 50, "423 → 423": 50])
    for key in ["recordedLatencyMicros", "liveLatencyMicros"] {
      let latency = try #require(fidelity[key] as? [String: Int])
      #expect((latency["p50"] ?? 0) > 0 && (latency["p99"] ?? 0) >= (latency["p50"] ?? 0), "\(key)")
    }
    let operations = try #require(fidelity["operations"] as? [String: [String: Any]])
    #expect(operations["modify"]?["comparable"] as? Int == 100)
    #expect((run["responses"] as? [String: Int]) == ["200": 300, "412": 50, "423": 50])
    let csv = try String(contentsOf: folder.appendingPathComponent("fidelity.csv"), encoding: .utf8)
    let lines = csv.split(separator: "\n")
    #expect(lines.count == 401)
    #expect(lines.first?.hasPrefix("due_ms,resource,event,") == true)
    #expect(lines.dropFirst().allSatisfy { $0.hasSuffix(",yes") })
    let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
    #expect(html.contains("<h2>Fidelity: recorded vs live</h2>"))
    #expect(html.contains("aria-label=\"recorded and live latency by percentile\""))
    #expect(html.contains("412 → 412"))
    // `pubsim report` reads the fidelity back, alone and merged (two halves of one replay).
    let runFile = folder.appendingPathComponent("run.json").path
    let again = try runProgram(Interop.pubsim.path, ["report", runFile])
    #expect(again.output.contains("fidelity: 400 of 400 comparable transactions"), "\(again.output)")
    let merged = try runProgram(Interop.pubsim.path, ["report", runFile, runFile])
    #expect(merged.output.contains("fidelity: 800 of 800 comparable transactions"), "\(merged.output)")
  }

  /// Twenty copies started 0.3 s apart at four times the speed overlap (more publishers online
  /// than the recording's 50), at about 1 200 transactions a second: within what a debug build
  /// and its embedded compositor serve on a busy 2-core machine (a hundred copies at ten times,
  /// 9 000 a second, drowned them in retransmissions there).
  @Test func aTraceAtFourTimesSpeedAndTwentyCopiesRunsClean() throws {
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let trace = folder.appendingPathComponent("lifecycle.trace").path
    let extract = try runProgram(Interop.pubsim.path, ["extract", Self.lifecycle, "-o", trace])
    #expect(extract.status == 0, "\(extract.errors)")
    let (result, run) = try Self.replay(
      [trace, "--speed", "4", "--scale", "20", "--spread", "6s", "--shards", "3"],
      folder: folder.appendingPathComponent("report"))
    #expect(result.status == 0, "\(result.errors)")
    let transactions = try #require(run["transactions"] as? [String: Int])
    #expect(transactions["sent"] == 8_000)
    #expect(transactions["timeouts"] == 0)
    #expect(transactions["transportErrors"] == 0)
    let fidelity = try Self.fidelity(run)
    #expect(fidelity["comparable"] as? Int == 8_000)
    #expect(fidelity["sameFinalCode"] as? Int == 8_000)
    let publishers = try #require(run["publishers"] as? [String: Int])
    #expect((publishers["peak"] ?? 0) > 50, "copies overlap in time: more than one population online")
  }

  @Test func ownTrafficWithLossAndUnansweredRequestsReplays() throws {
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (result, run) = try Self.replay([Self.ownTraffic, "--speed", "4"], folder: folder)
    #expect(result.status == 0, "\(result.errors)")
    let fidelity = try Self.fidelity(run)
    // 441 transactions, 14 of them unanswered in the recording: those are not comparable.
    #expect(fidelity["transactions"] as? Int == 441)
    #expect(fidelity["comparable"] as? Int == 427)
    #expect(fidelity["sameFinalCode"] as? Int == 427)
  }

  @Test func aRecordingWithoutResponsesReplaysWithNothingToCompare() throws {
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let trace = folder.appendingPathComponent("full.trace").path
    _ = try runProgram(Interop.pubsim.path, ["extract", Self.lifecycle, "-o", trace])
    // Requests only, as a capture of one direction would give.
    var lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
    for index in lines.indices.dropFirst() {
      var record = try #require(
        try JSONSerialization.jsonObject(with: Data(lines[index].utf8)) as? [String: Any])
      record["recorded"] = [String: Any]()
      lines[index] = String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self)
    }
    let requestsOnly = folder.appendingPathComponent("requests.trace")
    try (lines.joined(separator: "\n") + "\n").write(to: requestsOnly, atomically: true, encoding: .utf8)
    let (result, run) = try Self.replay([requestsOnly.path], folder: folder.appendingPathComponent("report"))
    #expect(result.status == 0, "\(result.errors)")
    let fidelity = try Self.fidelity(run)
    #expect(fidelity["transactions"] as? Int == 400)
    #expect(fidelity["comparable"] as? Int == 0)
    #expect((run["transactions"] as? [String: Int])?["timeouts"] == 0)
  }

  @Test func recordedChallengesAreAnsweredWithLiveCredentials() throws {
    let compositor = try CompositorProcess(["--auth-realm", "pubsim.test", "--credentials", Self.authUsers])
    defer { _ = compositor.stop() }
    let target = "sip:127.0.0.1:\(compositor.udpPort)"
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (result, run) = try Self.replay(
      [Self.auth, "--target", target, "--credentials", Self.authUsers], folder: folder)
    #expect(result.status == 0, "\(result.errors)")
    let fidelity = try Self.fidelity(run)
    #expect(fidelity["codes"] as? [String: Int] == ["200 → 200": 60, "401 → 401": 20])
    // A second loop meets the challenges afresh, as the recording did.
    let (_, looped) = try Self.replay(
      [Self.auth, "--target", target, "--credentials", Self.authUsers, "--loop", "2", "--speed", "4"],
      folder: folder.appendingPathComponent("looped"))
    #expect(try Self.fidelity(looped)["codes"] as? [String: Int] == ["200 → 200": 120, "401 → 401": 40])
    // Without credentials the recorded retries are refused, so each refresh has no live
    // publication and is sent as a fresh initial (refused too), and each remove is skipped.
    let bare = folder.appendingPathComponent("without")
    let (_, unauthenticated) = try Self.replay([Self.auth, "--target", target], folder: bare)
    let codes = try Self.fidelity(unauthenticated)["codes"] as? [String: Int] ?? [:]
    #expect(codes == ["401 → 401": 20, "200 → 401": 40, "200 → skipped": 20])
    let differences = try Self.fidelity(unauthenticated)["differences"] as? [[String: Any]] ?? []
    #expect(differences.first?["live"] as? String == "401")
  }

  @Test func aTraceFromANewerFormatGetsOneClearLine() throws {
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let trace = folder.appendingPathComponent("future.trace")
    try
      "{\"format\":\"pubsim-trace\",\"version\":99,\"captures\":[],\"startedAtNanos\":0,\"transactions\":0}\n"
      .write(to: trace, atomically: true, encoding: .utf8)
    let result = try runProgram(Interop.pubsim.path, ["replay", trace.path])
    #expect(result.status == 64)
    #expect(result.errors.contains("trace format version 99 is newer than this pubsim reads"))
    #expect(result.errors.split(separator: "\n").count == 1)
  }

  @Test(arguments: [
    (["--on-broken-chain", "retry"], "'retry' is invalid for '--on-broken-chain <policy>': expected one of"),
    (["--speed", "0"], "--speed must be between 0.001 and 1000000"),
    (["--from", "2m", "--to", "1m"], "--from 2m must come before --to 1m"),
    (["--scale", "3", "--user-suffix=-x"], "must contain {copy}"),
    (["--scale", "0"], "--scale must be at least 1"),
    (["--from", "soon"], "'soon' is invalid for '--from <t>': not a duration"),
  ])
  func badFlagsGetOneClearLine(arguments: [String], message: String) throws {
    let result = try runProgram(Interop.pubsim.path, ["replay", Self.lifecycle] + arguments)
    #expect(result.status == 64)
    #expect(result.errors.contains(message), "\(result.errors)")
  }

  @Test func aFileThatIsNeitherCaptureNorTraceIsRefused() throws {
    let result = try runProgram(Interop.pubsim.path, ["replay", Interop.repository + "/README.md"])
    #expect(result.status == 64)
    #expect(result.errors.hasPrefix("pubsim: "))
  }
}
