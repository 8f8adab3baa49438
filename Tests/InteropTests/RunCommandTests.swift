import Foundation
import Testing

/// `pubsim run` as a user runs it: the embedded compositor by default, a report folder with the
/// contract's files, one clear line for a bad profile, and a graceful stop on Ctrl-C.
@Suite("pubsim run on the command line", .serialized)
struct RunCommandTests {
  static let quickstart = Interop.repository + "/profiles/quickstart.yaml"

  static func temporaryFolder() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("pubsim-run-\(UUID().uuidString)")
  }

  /// A new, existing temporary folder (the caller removes it).
  static func madeTemporaryFolder() throws -> URL {
    let folder = temporaryFolder()
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
  }

  @Test func withoutTargetItUsesTheEmbeddedCompositorAndWritesTheReport() throws {
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try runProgram(
      Interop.pubsim.path,
      ["run", Self.quickstart, "--duration", "3s", "--publishers", "200", "--report", folder.path])
    #expect(result.status == 0, "\(result.errors)")
    #expect(result.output.contains("no target given: using the embedded compositor on sip:127.0.0.1:"))
    let report = try JSONSerialization.jsonObject(
      with: Data(contentsOf: folder.appendingPathComponent("run.json")))
    let run = try #require(report as? [String: Any])
    for key in [
      "transactions", "operations", "responses", "latencyMicros", "latencyMicrosUncorrected", "rate",
      "publishers",
      "durationSeconds", "schemaVersion", "pubsimVersion",
    ] {
      #expect(run[key] != nil, "run.json lacks \(key)")
    }
    let version = try runProgram(Interop.pubsim.path, ["--version"], timeout: 20)
    #expect(version.status == 0 && version.output == "\(run["pubsimVersion"] as? String ?? "?")\n")
    let transactions = try #require(run["transactions"] as? [String: Int])
    #expect(Set(transactions.keys).isSuperset(of: ["sent", "completed", "timeouts", "transportErrors"]))
    #expect(transactions["completed"] == transactions["sent"])
    let operations = try #require(run["operations"] as? [String: [String: Any]])
    #expect(operations["initial"]?["count"] as? Int == 200)
    let latency = try #require(operations["initial"]?["latencyMicros"] as? [String: Int])
    #expect(Set(latency.keys) == ["p50", "p90", "p99", "p999", "p9999", "max"])
    #expect((run["publishers"] as? [String: Int])?["peak"] == 200)
    let csv = try String(contentsOf: folder.appendingPathComponent("timeseries.csv"), encoding: .utf8)
    #expect(csv.hasPrefix("second,offered,sent,completed,"))
    #expect(csv.split(separator: "\n").count >= 3)
    let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
    #expect(html.hasPrefix("<!doctype html>"))
    #expect(html.hasSuffix("</body></html>\n"))
    for (open, close) in [("<svg", "</svg>"), ("<table", "</table>"), ("<div", "</div>"), ("<tr", "</tr>")] {
      #expect(
        html.components(separatedBy: open).count == html.components(separatedBy: close).count, "\(open)")
    }
    for chart in [
      "latency by percentile", "latency over time", "throughput over time", "errors over time",
    ] {
      #expect(html.contains("aria-label=\"\(chart)\""), "report.html lacks the \(chart) chart")
    }
    for section in ["Summary", "Status codes", "Operations", "Run parameters"] {
      #expect(html.contains("<h2>\(section)</h2>"))
    }
    #expect(!html.contains("http://") || html.contains("xmlns=\"http://www.w3.org/2000/svg\""))
  }

  @Test func failedThresholdExitsTwoAndAbortStopsEarly() throws {
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try runProgram(
      Interop.pubsim.path,
      [
        "run", Self.quickstart, "--duration", "30s", "--publishers", "300", "--threshold", "p99 < 1us",
        "--threshold", "timeouts == 0", "--abort-on-threshold", "--report", folder.path,
      ])
    #expect(result.status == 2, "\(result.errors)")
    #expect(result.output.contains("1 of 2 thresholds FAILED"), "\(result.output)")
    #expect(result.errors.contains("threshold 'p99 < 1us' failed at 5 s"), "\(result.errors)")
    let report = try JSONSerialization.jsonObject(
      with: Data(contentsOf: folder.appendingPathComponent("run.json")))
    let run = try #require(report as? [String: Any])
    #expect((run["durationSeconds"] as? Double ?? 99) < 15)
    let thresholds = try #require(run["thresholds"] as? [[String: Any]])
    #expect(thresholds.map { $0["passed"] as? Bool } == [false, true])
  }

  @Test func badProfileIsOneLineWithLineAndColumn() throws {
    let folder = try Self.madeTemporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let profile = folder.appendingPathComponent("bad.yaml")
    try "duration: 10s\npopulation:\n  sise: 10\n".write(to: profile, atomically: true, encoding: .utf8)
    let result = try runProgram(Interop.pubsim.path, ["run", profile.path], timeout: 20)
    #expect(result.status == 64)
    #expect(result.errors.split(separator: "\n").count == 1, "\(result.errors)")
    #expect(result.errors.contains("bad.yaml:3:3: unknown key 'sise' in population"), "\(result.errors)")
  }

  @Test func badThresholdInAProfileNamesItsLine() throws {
    let folder = try Self.madeTemporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let profile = folder.appendingPathComponent("gate.yaml")
    try "duration: 2s\nthresholds:\n  - \"p99 < 20ms\"\n  - \"p98 < 5ms\"\n".write(
      to: profile, atomically: true, encoding: .utf8)
    let result = try runProgram(Interop.pubsim.path, ["run", profile.path], timeout: 20)
    #expect(result.status == 64)
    #expect(
      result.errors.contains("gate.yaml:4:5: threshold 'p98 < 5ms': unknown metric 'p98'"), "\(result.errors)"
    )
  }

  @Test func missingProfileIsOneLine() throws {
    let result = try runProgram(Interop.pubsim.path, ["run", "/nonexistent/profile.yaml"], timeout: 20)
    #expect(result.status == 64)
    #expect(result.errors.contains("cannot read profile /nonexistent/profile.yaml"), "\(result.errors)")
  }

  /// A report folder that cannot be made fails before the run, not after its measurements.
  @Test func unusableReportFolderIsOneLineBeforeTheRun() throws {
    let folder = try Self.madeTemporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("taken")
    try "x".write(to: file, atomically: true, encoding: .utf8)
    for (report, problem) in [
      (file.path, "a file of that name is in the way (expected a folder)"),
      (file.path + "/sub", "cannot make the folder (not a directory)"),
    ] {
      let result = try runProgram(
        Interop.pubsim.path, ["run", RunCommandTests.quickstart, "--duration", "30s", "--report", report],
        timeout: 10)
      #expect(result.status == 64)
      #expect(
        result.errors.trimmingCharacters(in: .whitespacesAndNewlines)
          == "pubsim: --report \(report): \(problem)")
      #expect(result.output.isEmpty, "nothing ran: \(result.output)")
    }
  }

  /// A target that refuses the connection is a failed run (exit 1) in one line, not a usage error.
  @Test func refusedTargetIsOneLineAndExitOne() throws {
    let result = try runProgram(
      Interop.pubsim.path,
      ["run", RunCommandTests.quickstart, "--duration", "2s", "--target", "sip:127.0.0.1:9;transport=tcp"],
      timeout: 20)
    #expect(result.status == 1)
    #expect(
      result.errors.trimmingCharacters(in: .whitespacesAndNewlines)
        == "pubsim: cannot connect to sip:127.0.0.1:9;transport=tcp: connection refused", "\(result.errors)")
  }

  @Test func interruptStopsDrainsAndStillWritesTheReport() throws {
    let folder = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let process = Process()
    process.executableURL = Interop.pubsim
    process.arguments = [
      "run", Self.quickstart, "--duration", "60s", "--publishers", "300", "--cleanup", "--report",
      folder.path,
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    Thread.sleep(forTimeInterval: 3)
    kill(process.processIdentifier, SIGINT)
    let deadline = Date().addingTimeInterval(30)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let report = try JSONSerialization.jsonObject(
      with: Data(contentsOf: folder.appendingPathComponent("run.json")))
    let run = try #require(report as? [String: Any])
    #expect(run["stoppedEarly"] as? Bool == true)
    #expect((run["durationSeconds"] as? Double ?? 99) < 20)
    let operations = try #require(run["operations"] as? [String: [String: Any]])
    #expect(operations["remove"]?["count"] as? Int == operations["initial"]?["count"] as? Int)
  }
}

@Suite("Live metrics", .serialized, .enabled(if: Interop.which("curl") != nil))
struct LiveMetricsTests {
  @Test func prometheusTextIsServedDuringTheRun() throws {
    let port = Int.random(in: 20_000...40_000)
    let process = Process()
    process.executableURL = Interop.pubsim
    process.arguments = [
      "run", RunCommandTests.quickstart, "--duration", "5s", "--publishers", "300",
      "--metrics-listen", "127.0.0.1:\(port)",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    defer { if process.isRunning { process.terminate() } }
    Thread.sleep(forTimeInterval: 3.5)
    let scrape = try runProgram(
      Interop.which("curl") ?? "/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/metrics"])
    #expect(
      scrape.output.contains("pubsim_responses_total{operation=\"initial\",code=\"200\"}"), "\(scrape.output)"
    )
    #expect(scrape.output.contains("pubsim_latency_seconds_bucket{operation=\"initial\",le=\"+Inf\"}"))
    #expect(scrape.output.contains("pubsim_publishers_active"))
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
  }

  /// With watchers, the owed changes, subscriptions and propagation latency are served too.
  @Test func watcherSeriesAreServedDuringTheRun() throws {
    let port = Int.random(in: 20_000...40_000)
    let process = Process()
    process.executableURL = Interop.pubsim
    process.arguments = [
      "run", WatcherTests.profile, "--duration", "6s", "--metrics-listen", "127.0.0.1:\(port)",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    defer { if process.isRunning { process.terminate() } }
    Thread.sleep(forTimeInterval: 4.5)
    let scrape = try runProgram(
      Interop.which("curl") ?? "/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/metrics"])
    #expect(scrape.output.contains("pubsim_notify_changes_total{kind=\"received\"}"), "\(scrape.output)")
    #expect(scrape.output.contains("pubsim_subscriptions_total{outcome=\"established\"}"))
    #expect(scrape.output.contains("pubsim_notify_latency_seconds_bucket{le=\"+Inf\"}"))
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
  }

  /// A run in which every PUBLISH was refused is not a pass: exit 1, thresholds or not, the
  /// report still written, and a last line that says why.
  @Test func aRunWhereNothingSucceededExitsOneSayingWhy() throws {
    let compositor = try CompositorProcess(["--events", "dialog"])
    defer { _ = compositor.stop() }
    let folder = RunCommandTests.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try runProgram(
      Interop.pubsim.path,
      [
        "run", RunCommandTests.quickstart, "--duration", "2s", "--publishers", "30", "--target",
        "sip:127.0.0.1:\(compositor.udpPort)", "--threshold", "timeouts == 0", "--report", folder.path,
      ], timeout: 60)
    #expect(result.status == 1)
    let last = result.errors.split(separator: "\n").last.map(String.init) ?? ""
    #expect(last.hasPrefix("pubsim: no PUBLISH succeeded: 489 × "), "\(result.errors)")
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("run.json").path))
  }

  @Test func badAddressIsOneLine() throws {
    let result = try runProgram(
      Interop.pubsim.path, ["run", RunCommandTests.quickstart, "--metrics-listen", "nowhere"], timeout: 20)
    #expect(result.status == 64)
    #expect(
      result.errors.contains("'nowhere' is invalid for '--metrics-listen <host:port>': expected HOST:PORT"),
      "\(result.errors)")
  }
}
