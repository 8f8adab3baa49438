import Foundation
import Testing

/// Where the things the interop tests run live: the `pubsim` binary SwiftPM built next to the
/// test bundle, the scenarios beside this file, and the real peers on PATH.
enum Interop {
  static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
    "Scenarios")

  /// The repository's root folder.
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent().path

  static var pubsim: URL {
    let candidates = [
      Bundle.main.bundleURL.appendingPathComponent("pubsim"),
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
        "pubsim"),
      URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../.build/debug/pubsim"),
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
  }

  /// The absolute path of a program on PATH, or nil.
  static func which(_ program: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = "\(directory)/\(program)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// Whether a peer is installed. On CI (`CI` set) a missing peer is a failure, not a skip:
  /// .ci/run installs them, and a silently skipped interop test would prove nothing.
  static func peerAvailable(_ program: String) -> Bool {
    if which(program) != nil { return true }
    return ProcessInfo.processInfo.environment["CI"] != nil
  }
}

/// A program run to completion with its output captured in files (no pipe to fill up).
struct FinishedProcess {
  var status: Int32
  var output: String
  var errors: String
}

/// Runs a program, waits at most `timeout`, and captures stdout and stderr. `environment` adds to
/// (or replaces in) this process's.
func runProgram(
  _ path: String, _ arguments: [String], timeout: TimeInterval = 120, environment: [String: String] = [:]
) throws -> FinishedProcess {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = arguments
  if !environment.isEmpty {
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  }
  let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent(
    "pubsim-\(UUID().uuidString).out")
  let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent(
    "pubsim-\(UUID().uuidString).err")
  _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
  _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
  defer {
    try? FileManager.default.removeItem(at: outputFile)
    try? FileManager.default.removeItem(at: errorFile)
  }
  process.standardOutput = try FileHandle(forWritingTo: outputFile)
  process.standardError = try FileHandle(forWritingTo: errorFile)
  process.standardInput = FileHandle.nullDevice
  try process.run()
  let deadline = Date().addingTimeInterval(timeout)
  while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
  if process.isRunning {
    process.terminate()
    process.waitUntilExit()
  }
  return FinishedProcess(
    status: process.terminationStatus,
    output: (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "",
    errors: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
}

/// `pubsim compositor` running in its own process on free loopback ports, stopped by signal.
final class CompositorProcess {
  let process = Process()
  let outputFile: URL
  private(set) var udpPort = 0
  private(set) var tcpPort = 0
  private(set) var tlsPort = 0
  private let listeners: Int

  init(_ extraArguments: [String] = []) throws {
    outputFile = FileManager.default.temporaryDirectory.appendingPathComponent(
      "compositor-\(UUID().uuidString).out")
    _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
    process.executableURL = Interop.pubsim
    process.arguments =
      ["compositor", "--listen", "sip:127.0.0.1:0", "--listen", "sip:127.0.0.1:0;transport=tcp"]
      + extraArguments
    listeners = process.arguments?.filter { $0 == "--listen" }.count ?? 2
    process.standardOutput = try FileHandle(forWritingTo: outputFile)
    process.standardError = process.standardOutput
    process.standardInput = FileHandle.nullDevice
    try process.run()
    try waitUntilListening()
  }

  var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

  private func waitUntilListening() throws {
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline {
      let lines = output.split(separator: "\n").filter { $0.contains("listening on") }
      for line in lines {
        let port =
          line.split(separator: ":").dropFirst(2).first.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
        if line.hasSuffix("(udp)") { udpPort = port }
        if line.hasSuffix("(tcp)") { tcpPort = port }
        if line.hasSuffix("(tls)") { tlsPort = port }
      }
      if lines.count >= listeners { return }
      if !process.isRunning { break }
      Thread.sleep(forTimeInterval: 0.05)
    }
    process.terminate()
    throw InteropError("compositor did not start: \(output)")
  }

  /// Sends the signal, waits for exit, and returns the exit status and everything printed.
  func stop(signal: Int32 = SIGTERM) -> (status: Int32, output: String) {
    kill(process.processIdentifier, signal)
    let deadline = Date().addingTimeInterval(20)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    defer { try? FileManager.default.removeItem(at: outputFile) }
    return (process.terminationStatus, output)
  }

  deinit {
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
  }
}

struct InteropError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Runs a SIPp scenario from `Scenarios/` against 127.0.0.1:`port`; SIPp exits 0 only when
/// every call passed every check.
func runSIPp(
  scenario: String, port: Int, transport: String = "u1", calls: Int, rate: Int, extra: [String] = []
) throws -> FinishedProcess {
  let sipp = Interop.which("sipp") ?? "/usr/bin/sipp"
  let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent(
    "sipp-\(UUID().uuidString).log")
  defer { try? FileManager.default.removeItem(at: errorLog) }
  var result = try runProgram(
    sipp,
    [
      "-sf", Interop.scenarios.appendingPathComponent(scenario).path, "127.0.0.1:\(port)", "-i", "127.0.0.1",
      "-p", "0", "-t", transport, "-m", String(calls), "-r", String(rate), "-nd", "-timeout", "90s",
      "-max_non_invite_retrans", "8", "-trace_err", "-error_file", errorLog.path,
    ] + extra, timeout: 150)
  let errors = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
  result.errors += String(errors.prefix(4000))
  return result
}
