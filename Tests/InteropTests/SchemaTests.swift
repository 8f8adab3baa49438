import Foundation
import Testing

/// What pubsim writes validates against the JSON Schemas it publishes (docs/schema/), checked
/// with the jsonschema library (scripts/validate-json.py): a run's (with and without watchers)
/// and a replay's run.json, the
/// extract summary, a trace's header, the probe's verdicts.
@Suite("Outputs against docs/schema", .serialized, .enabled(if: SchemaValidator.available))
struct SchemaTests {
  static func validate(_ schema: String, _ documents: [String]) throws {
    let result = try runProgram(
      SchemaValidator.python,
      [Interop.repository + "/scripts/validate-json.py", Interop.repository + "/docs/schema/\(schema)"]
        + documents,
      timeout: 60)
    #expect(result.status == 0, "\(schema): \(result.output)\(result.errors)")
  }

  static func folder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pubsim-schema-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
  }

  @Test func runAndReplayReportsAreValid() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try runProgram(
      Interop.pubsim.path,
      [
        "run", RunCommandTests.quickstart, "--publishers", "50", "--duration", "2s", "--threshold",
        "p9999 < 1s",
        "--report", folder.appendingPathComponent("run").path,
      ])
    #expect(run.status == 0, "\(run.errors)")
    let replay = try runProgram(
      Interop.pubsim.path,
      [
        "replay", ReplayCommandTests.lifecycle, "--speed", "20", "--report",
        folder.appendingPathComponent("replay").path,
      ])
    #expect(replay.status == 0, "\(replay.errors)")
    let watchers = try runProgram(
      Interop.pubsim.path,
      [
        "run", WatcherTests.profile, "--duration", "3s", "--report",
        folder.appendingPathComponent("watchers").path,
      ])
    #expect(watchers.status == 0, "\(watchers.errors)")
    let reports = ["run", "replay", "watchers"].map { folder.appendingPathComponent("\($0)/run.json").path }
    try Self.validate("run.schema.json", reports)
    let report = try String(contentsOfFile: reports[0], encoding: .utf8)
    #expect(report.contains("\"p9999\""))
  }

  @Test func extractOutputsAreValid() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var summaries: [String] = []
    for name in [
      "own-traffic", "lifecycle-50", "population-450", "auth-20", "edge-fragments", "edge-tcp-ipv6",
    ] {
      let capture = Interop.repository + "/captures/\(name).pcap"
      let trace = folder.appendingPathComponent("\(name).trace").path
      let result = try runProgram(Interop.pubsim.path, ["extract", capture, "--summary", "-o", trace])
      #expect(result.status == 0, "\(result.errors)")
      let summary = folder.appendingPathComponent("\(name).json").path
      try result.output.write(toFile: summary, atomically: true, encoding: .utf8)
      summaries.append(summary)
      try Self.validate("trace-header.schema.json", [trace])
    }
    try Self.validate("extract-summary.schema.json", summaries)
  }

  @Test func probeVerdictsAreValid() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("probe.json").path
    let result = try runProgram(Interop.pubsim.path, ["probe", "--json", file, "--skip", "etag-unique"])
    #expect(result.status == 0, "\(result.errors)")
    try Self.validate("probe.schema.json", [file])
  }
}

/// Debian's python3-jsonschema, which scripts/install-peers.sh installs.
enum SchemaValidator {
  static let python = "/usr/bin/python3"
  static let available = (try? runProgram(python, ["-c", "import jsonschema"], timeout: 30).status) == 0
}
