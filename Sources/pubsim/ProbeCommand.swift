import ArgumentParser
import Compositor
import Foundation
import Probe
import Reports
import Transport

/// `pubsim probe`: holds a compositor to RFC 3903 with a suite of small scripted exchanges and
/// prints a verdict per check.
struct ProbeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "probe",
    abstract:
      "Check a compositor's conformance to RFC 3903: operations, refusals, races, malformed requests.",
    discussion: """
      Each check is a short scripted exchange with resources of its own, and gets a verdict: pass, \
      fail (the server departed from the RFC), warn (a SHOULD, or something allowed a user should \
      know) or skip (the check cannot be made against this server). Exit 0 when nothing failed, \
      2 when a check failed, 1 when the target never answered. Without a target the embedded \
      compositor is probed.
      """)

  @Argument(
    help: ArgumentHelp("The compositor, as a SIP URI (as --target of run).", valueName: "target"),
    transform: LoadOptions.target)
  var target: SIPTarget?

  @Option(
    help: ArgumentHelp("udp, tcp or tls (default: the target's own).", valueName: "transport"),
    transform: ProbeCommand.transport)
  var transport: SIPTransportKind?

  @Option(help: ArgumentHelp("Write the verdicts as JSON here.", valueName: "file"))
  var json: String?

  @Option(help: ArgumentHelp("Write report.html and probe.json into this folder.", valueName: "dir"))
  var report: String?

  @Option(
    help: ArgumentHelp("Run only these checks (comma-separated ids).", valueName: "ids"),
    transform: ProbeCommand.ids)
  var only: [String]?

  @Option(
    help: ArgumentHelp("Leave these checks out (comma-separated ids).", valueName: "ids"),
    transform: ProbeCommand.ids)
  var skip: [String] = []

  @Option(
    help: ArgumentHelp(
      "Domain of the resources published to (default: the target's host).", valueName: "domain"))
  var domain: String?

  @Option(help: ArgumentHelp("Event package to publish.", valueName: "event"))
  var event = "presence"

  @Option(help: ArgumentHelp("CSV of user,password,domain to answer digest challenges.", valueName: "file"))
  var credentials: String?

  @Option(help: ArgumentHelp("Seconds a request waits for its final response.", valueName: "s"))
  var timeout = 4.0

  @Option(
    help: ArgumentHelp("Longest granted lifetime the expiry check waits out, in seconds.", valueName: "s"))
  var expiryWait = 10

  @Option(
    help: ArgumentHelp(
      "Record every packet between pubsim and the target here (libpcap; needs CAP_NET_RAW: root).",
      valueName: "file"))
  var pcap: String?

  @Flag(help: "List the checks and exit.")
  var list = false

  @OptionGroup
  var tls: TLSFlags

  @OptionGroup
  var log: LogOptions

  func validate() throws {
    let unknown = ProbeSuite.unknownIDs((only ?? []) + skip)
    guard unknown.isEmpty else {
      throw ValidationError("no check called \(unknown.joined(separator: ", ")) (see --list)")
    }
    guard timeout > 0, timeout <= 64 else {
      throw ValidationError("--timeout must be above 0 and at most 64")
    }
    guard expiryWait >= 1, expiryWait <= 3_600 else {
      throw ValidationError("--expiry-wait must be 1 to 3600")
    }
  }

  static func transport(_ text: String) throws -> SIPTransportKind {
    guard let kind = SIPTransportKind(rawValue: text.lowercased()) else {
      throw ValidationError("expected udp, tcp or tls")
    }
    return kind
  }

  static func ids(_ text: String) throws -> [String] {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }

  func run() async throws {
    let suite = ProbeSuite(only: only, skip: skip)
    if list {
      let width = suite.checks.map(\.id.count).max() ?? 0
      for check in suite.checks {
        let id = check.id.padding(toLength: width, withPad: " ", startingAt: 0)
        StandardOutput.line("\(id)  \(check.expected) (RFC \(check.rfc))")
      }
      return
    }
    try LoadSession.prepareReportDirectory(report)
    let passwords = try CredentialsFile.load(credentials)
    var chosen = target
    if let transport { chosen?.transport = transport }
    let (endpoint, embedded) = try await LoadSession.resolveTarget(
      chosen, transport: transport ?? .udp, logger: log.logger("probe"))
    defer { if let embedded { Task { try? await embedded.stop() } } }
    let recorder = try pcap.map {
      try LoadSession.startRecording(LoadSession.Recording(path: $0), target: endpoint)
    }
    let client: ProbeClient
    do {
      client = try ProbeClient(
        target: endpoint, tls: tls.options, timeout: .milliseconds(Int(timeout * 1000)))
    } catch {
      _ = try? recorder?.stop()
      throw error
    }
    let context = ProbeContext(
      client: client, event: event, domain: domain ?? target?.host ?? "127.0.0.1", credentials: passwords,
      longestExpiryWait: .seconds(expiryWait))
    let startedAt = Date()
    guard await ProbeSuite.answers(context) else {
      await client.close()
      _ = try recorder.map(LoadSession.stopRecording)
      throw CommandError.run("\(endpoint.uri) never answered (an OPTIONS and a PUBLISH, \(timeout) s each)")
    }
    StandardOutput.line("probing \(endpoint.uri): \(suite.checks.count) checks")
    let results = await suite.run(context) { result in
      StandardOutput.line(
        "  \(result.verdict.rawValue.uppercased().padding(toLength: 4, withPad: " ", startingAt: 0))  \(result.id)"
      )
    }
    await client.close()
    _ = try recorder.map(LoadSession.stopRecording)
    if let embedded { try? await embedded.stop() }
    let outcome = ProbeReport(target: endpoint.uri, transport: endpoint.transport.rawValue, checks: results)
    StandardOutput.line("\n" + outcome.table + "\n" + outcome.totals)
    try write(outcome, startedAt: startedAt)
    if outcome.failed > 0 { throw ExitCode(2) }
  }

  private func write(_ outcome: ProbeReport, startedAt: Date) throws {
    let data = try outcome.json()
    if let json {
      do {
        try data.write(to: URL(fileURLWithPath: json))
      } catch {
        throw CommandError.input("cannot write \(json): \(LoadSession.reason(error))")
      }
    }
    if let report {
      let folder = URL(fileURLWithPath: report)
      let stamp = ISO8601DateFormatter().string(from: startedAt)
      do {
        try data.write(to: folder.appendingPathComponent("probe.json"))
        try Data(ProbeHTML.render(outcome, startedAt: stamp).utf8).write(
          to: folder.appendingPathComponent("report.html"))
      } catch {
        throw CommandError.input("cannot write the report to \(folder.path): \(LoadSession.reason(error))")
      }
      StandardOutput.line("report written to \(folder.path)/report.html (probe.json)")
    }
  }
}
