import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `pubsim run` against a server that answers every PUBLISH wrongly, one way per test
/// (scripts/hostile_server.py): pubsim does not crash or flood, counts what happened, and writes
/// its report.
@Suite("pubsim run against hostile servers", .serialized, .enabled(if: Interop.which("python3") != nil))
struct HostileServerTests {
  static let profile = Interop.repository + "/Tests/InteropTests/Profiles/hostile.yaml"
  static let publishers = 100

  /// Starts the server and waits for its "ready".
  static func startServer(_ mode: String, port: Int, transport: String) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Interop.which("python3") ?? "/usr/bin/python3")
    process.arguments = [Interop.repository + "/scripts/hostile_server.py", mode, String(port), transport]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let ready = output.fileHandleForReading.availableData
    #expect(String(decoding: ready, as: UTF8.self).contains("ready"))
    return process
  }

  /// Runs the profile against a hostile server; returns pubsim's exit status and run.json.
  static func run(
    _ mode: String, transport: String = "udp", extra: [String] = []
  ) throws -> (status: Int32, report: [String: Any]) {
    let port = Int.random(in: 20_000...40_000)
    let server = try startServer(mode, port: port, transport: transport)
    // A child of the test runner inherits its blocked SIGTERM: only SIGKILL stops it.
    defer {
      kill(server.processIdentifier, SIGKILL)
      server.waitUntilExit()
    }
    let folder = RunCommandTests.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try runProgram(
      Interop.pubsim.path,
      ["run", profile, "--target", "sip:127.0.0.1:\(port);transport=\(transport)", "--shards", "1"]
        + ["--report", folder.path] + extra,
      timeout: 120)
    let data = try Data(contentsOf: folder.appendingPathComponent("run.json"))
    return (result.status, try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:])
  }

  static func transactions(_ report: [String: Any]) -> [String: Int] {
    report["transactions"] as? [String: Int] ?? [:]
  }

  static func protocolErrors(_ report: [String: Any]) -> [String: Int] {
    report["protocolErrors"] as? [String: Int] ?? [:]
  }

  static func responses(_ report: [String: Any]) -> [String: Int] {
    report["responses"] as? [String: Int] ?? [:]
  }

  /// Four seconds of back-off from 1 s (requests at 0, 1 and 3 s), each step at most a request
  /// and three immediate resends: 12 a publisher; 20 leaves room and is far from a flood.
  static let mostPerPublisher = 20

  @Test(arguments: [
    "no-etag", "redirect", "423-no-min", "412", "bad-challenge", "odd-codes", "oversized", "several-finals",
  ])
  func refusalsAreCountedWithoutAFlood(mode: String) throws {
    let (status, report) = try Self.run(mode)
    #expect([0, 1, 2].contains(status), "exit \(status)")
    let sent = Self.transactions(report)["sent"] ?? 0
    #expect(sent >= Self.publishers)
    #expect(sent <= Self.publishers * Self.mostPerPublisher, "\(mode): \(sent) requests")
    switch mode {
    case "412": #expect(Self.responses(report)["412"] == sent)
    case "redirect": #expect(Self.responses(report)["302"] == sent)
    case "several-finals": #expect((Self.transactions(report)["lateResponses"] ?? 0) > 0)
    case "oversized": #expect(Self.responses(report)["200"] == sent)
    case "no-etag":
      #expect(Self.protocolErrors(report)["successWithoutEntityTag"] == sent)
      #expect(status == 2 || status == 1, "every answer is an error")
    case "bad-challenge": #expect(Self.protocolErrors(report)["unanswerableChallenges"] == sent)
    default: break
    }
  }

  /// Over TCP the same answers arrive on a stream: garbage breaks the framing (the connection is
  /// closed and remade, its transactions fail), the rest are counted as over UDP.
  @Test(arguments: ["no-etag", "garbage", "oversized", "several-finals", "412"])
  func streamsOfWrongAnswersAreCountedWithoutAFlood(mode: String) throws {
    let (status, report) = try Self.run(mode, transport: "tcp")
    #expect([0, 1, 2].contains(status), "exit \(status)")
    let transactions = Self.transactions(report)
    let sent = transactions["sent"] ?? 0
    #expect(sent >= Self.publishers)
    #expect(sent <= Self.publishers * Self.mostPerPublisher, "\(mode): \(sent) requests")
    switch mode {
    case "no-etag":
      #expect(Self.protocolErrors(report)["successWithoutEntityTag"] == transactions["completed"])
    case "garbage":
      #expect((transactions["transportErrors"] ?? 0) > 0, "the stream is not SIP: closed")
      #expect((transactions["strayResponses"] ?? 0) > 0)
    case "oversized": #expect(Self.responses(report)["200"] == sent)
    case "several-finals": #expect((transactions["lateResponses"] ?? 0) > 0)
    case "412": #expect(Self.responses(report)["412"] == sent)
    default: break
    }
  }

  @Test func retryAfterHoldsEveryPublisherBack() throws {
    let (status, report) = try Self.run("unavailable")
    #expect(status == 1 || status == 2)
    // Retry-After: 5 outlasts the 4 s run: one request each.
    #expect(Self.transactions(report)["sent"] == Self.publishers)
    #expect(Self.responses(report)["503"] == Self.publishers)
  }

  /// Answers that match nothing (garbage, another branch) or never end (100 Trying only): each
  /// request times out (after the drain, Timer F), and the strays are counted.
  @Test(arguments: ["garbage", "wrong-branch", "trying-only"])
  func answersThatEndNothingTimeOut(mode: String) throws {
    let (status, report) = try Self.run(mode, extra: ["--duration", "1s"])
    #expect(status == 1, "nothing succeeded")
    let transactions = Self.transactions(report)
    #expect((transactions["timeouts"] ?? 0) == transactions["sent"])
    if mode != "trying-only" { #expect((transactions["strayResponses"] ?? 0) > 0) }
  }
}
