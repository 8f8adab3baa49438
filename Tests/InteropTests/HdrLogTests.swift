import Foundation
import Testing

/// `--hdr-log`: the latency in HdrHistogram's log format, read back with HdrHistogram's Python
/// library (scripts/check-hdr-log.py) to what run.json says: counts, maxima and percentiles.
@Suite("HdrHistogram logs", .enabled(if: HdrReader.available))
struct HdrLogTests {
  @Test func theLogReadsBackToTheRunsFigures() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pubsim-hdr-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let log = folder.appendingPathComponent("latency.hlog").path
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let run = try runProgram(
      Interop.pubsim.path,
      [
        "run", RunCommandTests.quickstart, "--publishers", "400", "--duration", "3s", "--hdr-log", log,
        "--report", folder.appendingPathComponent("report").path,
      ])
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.output.contains("latency histograms written to \(log)"))
    let text = try String(contentsOfFile: log, encoding: .utf8)
    #expect(text.hasPrefix("#[Histogram log format version 1.3]\n"))
    #expect(text.contains("Tag=initial,0.000,"))
    let check = try runProgram(
      "/usr/bin/env",
      [
        "python3", Interop.repository + "/scripts/check-hdr-log.py", log,
        folder.appendingPathComponent("report/run.json").path,
      ])
    #expect(check.status == 0, "\(check.output)\(check.errors)")
  }
}

/// hdrh, HdrHistogram's Python library, which scripts/install-peers.sh installs from PyPI.
enum HdrReader {
  static let available =
    (try? runProgram("/usr/bin/env", ["python3", "-c", "import hdrh"], timeout: 30).status) == 0
}
