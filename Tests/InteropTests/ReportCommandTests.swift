import Foundation
import Testing

/// `pubsim report` as a CI job uses it: merge shards, re-render, compare with a baseline and
/// fail on a regression.
@Suite("pubsim report on the command line", .serialized)
struct ReportCommandTests {
  static func makeRun(_ arguments: [String]) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pubsim-report-\(UUID().uuidString)")
    let result = try runProgram(
      Interop.pubsim.path,
      ["run", Interop.repository + "/profiles/quickstart.yaml", "--report", folder.path] + arguments)
    #expect(result.status == 0, "\(result.errors)")
    return folder
  }

  @Test func mergesComparesAndFailsOnRegression() throws {
    let fast = try Self.makeRun(["--duration", "2s", "--publishers", "200"])
    let other = try Self.makeRun(["--duration", "2s", "--publishers", "100"])
    defer {
      try? FileManager.default.removeItem(at: fast)
      try? FileManager.default.removeItem(at: other)
    }
    let merged = FileManager.default.temporaryDirectory.appendingPathComponent(
      "merged-\(UUID().uuidString).json")
    let html = FileManager.default.temporaryDirectory.appendingPathComponent(
      "merged-\(UUID().uuidString).html")
    let merge = try runProgram(
      Interop.pubsim.path,
      [
        "report", fast.appendingPathComponent("run.json").path, other.appendingPathComponent("run.json").path,
        "--json", merged.path, "--html", html.path,
      ])
    #expect(merge.status == 0, "\(merge.errors)")
    let report = try JSONSerialization.jsonObject(with: Data(contentsOf: merged)) as? [String: Any] ?? [:]
    let operations = report["operations"] as? [String: [String: Any]] ?? [:]
    #expect(operations["initial"]?["count"] as? Int == 300)
    #expect(report["kind"] as? String == "merged")
    #expect(try String(contentsOf: html, encoding: .utf8).contains("<svg"))

    let same = try runProgram(
      Interop.pubsim.path,
      [
        "report", fast.appendingPathComponent("run.json").path, "--compare",
        fast.appendingPathComponent("run.json").path,
        "--fail-on-regression",
      ])
    #expect(same.status == 0)
    #expect(same.output.contains("verdict: same"))

    let worse = try runProgram(
      Interop.pubsim.path,
      [
        "report", other.appendingPathComponent("run.json").path, "--compare",
        fast.appendingPathComponent("run.json").path, "--fail-on-regression",
      ])
    #expect(worse.status == 2, "throughput halved must be a regression: \(worse.output)")
    #expect(worse.output.contains("verdict: regression"))
  }

  @Test func notARunIsOneLine() throws {
    let result = try runProgram(Interop.pubsim.path, ["report", "/etc/hostname"], timeout: 20)
    #expect(result.status == 64)
    #expect(result.errors.split(separator: "\n").count == 1)
    #expect(result.errors.contains("is not a pubsim run.json"))
  }

  /// A run.json from a newer pubsim is refused, not read wrong.
  @Test func aNewerSchemaIsRefusedInOneLine() throws {
    let folder = try Self.makeRun(["--duration", "1s", "--publishers", "5"])
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = folder.appendingPathComponent("run.json")
    let text = try String(contentsOf: run, encoding: .utf8)
    try text.replacingOccurrences(of: "\"schemaVersion\" : 1", with: "\"schemaVersion\" : 99")
      .write(to: run, atomically: true, encoding: .utf8)
    let result = try runProgram(Interop.pubsim.path, ["report", run.path], timeout: 20)
    #expect(result.status == 64)
    #expect(
      result.errors.contains("run.json schema version 99 is newer than this pubsim reads"), "\(result.errors)"
    )
  }
}
