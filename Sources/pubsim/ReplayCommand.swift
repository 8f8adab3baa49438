import ArgumentParser
import Capture
import Engine
import Foundation
import NIOCore
import Profiles
import Replay
import Reports
import SIPCore
import Trace
import Transport

/// `pubsim replay CAPTURE|TRACE`: send recorded PUBLISH traffic to a compositor as live,
/// stateful load, and report how closely the live outcomes match the recorded ones.
struct ReplayCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Replay recorded PUBLISH traffic (a capture or a trace) against a compositor.",
    discussion: """
      Each recorded publication is replayed in order at its recorded time (divided by --speed), \
      one PUBLISH outstanding per resource and event package. SIP-If-Match carries the \
      entity-tag the live compositor issued for the predecessor; addresses are rewritten to the \
      target's domain (or --domain); Via, Call-ID, branches, tags and CSeq are new; bodies and \
      event packages are sent as recorded. Live digest challenges are answered with \
      --credentials, never with a recorded Authorization. Without --target the embedded \
      compositor is used. The report sets every transaction's recorded outcome and latency next \
      to the live ones (fidelity in run.json and report.html, every transaction in fidelity.csv).
      """
  )

  @Argument(
    help: ArgumentHelp(
      "A trace from 'pubsim extract -o', or one or more pcap/pcapng captures.", valueName: "capture|trace"))
  var inputs: [String]

  @Option(
    help: ArgumentHelp(
      "Compositor to test, as a SIP URI: an address, a name, or a domain with SRV records.", valueName: "uri")
  )
  var target: String?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Play this many times faster than recorded (0.5: half speed).", valueName: "x"))
  var speed: Double = 1

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Copies of the recorded population, each with its own identities.", valueName: "n"))
  var scale = 1

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Spread the copies' start over this time, e.g. 2s.", valueName: "duration"))
  var spread = "1s"

  @Option(help: ArgumentHelp("Added to the user of copy N ≥ 1; {copy} becomes N.", valueName: "pattern"))
  var userSuffix = "-{copy}"

  @Option(
    name: .customLong("loop"), parsing: .unconditional,
    help: ArgumentHelp("Play the trace this many times in a row.", valueName: "k"))
  var loops = 1

  @Option(help: ArgumentHelp("Start at this offset into the recording, e.g. 30s.", valueName: "t"))
  var from: String?

  @Option(help: ArgumentHelp("Stop at this offset into the recording, e.g. 2m.", valueName: "t"))
  var to: String?

  @Option(
    help: ArgumentHelp(
      "Domain for Request-URI, From and To (default: the target's name or address).", valueName: "domain"))
  var domain: String?

  @Option(
    help: ArgumentHelp(
      "When a conditional request's live predecessor failed: skip, reinitiate or as-recorded.",
      valueName: "policy"))
  var onBrokenChain = "reinitiate"

  @Option(
    help: ArgumentHelp(
      "CSV of user,password,domain to answer live digest challenges.", valueName: "file"))
  var credentials: String?

  @Option(
    name: .customLong("local-ip"),
    help: ArgumentHelp(
      "Source address or CIDR range to send from; repeat to spread publishers over several.",
      valueName: "addr"))
  var localIP: [String] = []

  @Flag(help: "At the end (or on Ctrl-C), remove every publication the replay left live.")
  var cleanup = false

  @Option(
    help: ArgumentHelp("Write run.json, fidelity.csv, timeseries.csv and report.html here.", valueName: "dir")
  )
  var report: String?

  @OptionGroup
  var tls: TLSFlags

  @Option(
    help: ArgumentHelp("Pass/fail rule checked at the end, e.g. 'p99 < 20ms'; repeatable.", valueName: "rule")
  )
  var threshold: [String] = []

  @Flag(help: "Check thresholds every second (after 5 s) and stop the replay as soon as one fails.")
  var abortOnThreshold = false

  @Option(
    help: ArgumentHelp(
      "Serve live Prometheus metrics at http://HOST:PORT/metrics during the replay.", valueName: "host:port"))
  var metricsListen: String?

  @Option(
    parsing: .unconditional, help: ArgumentHelp("Shards (event loops); default one per core.", valueName: "n")
  )
  var shards: Int?

  func validate() throws {
    if let target { _ = try LoadSession.target(target) }
    _ = try LoadSession.localAddresses(localIP)
    guard scale >= 1 else { throw ValidationError("--scale must be at least 1") }
    guard loops >= 1 else { throw ValidationError("--loop must be at least 1") }
    if let shards, shards < 1 { throw ValidationError("--shards must be at least 1") }
    guard BrokenChainPolicy(rawValue: onBrokenChain) != nil else {
      throw ValidationError(
        "--on-broken-chain '\(onBrokenChain)': expected one of "
          + BrokenChainPolicy.allCases.map(\.rawValue).joined(separator: ", "))
    }
    for (name, value) in [("--spread", Optional(spread)), ("--from", from), ("--to", to)] {
      if let value, DurationText.nanoseconds(value) == nil {
        throw ValidationError("\(name) '\(value)' is not a duration such as 500ms, 30s or 2m")
      }
    }
    if let from, let to, let start = DurationText.nanoseconds(from), let end = DurationText.nanoseconds(to),
      start >= end
    {
      throw ValidationError("--from \(from) must come before --to \(to)")
    }
    // Bounds that keep every replay time within reach (and the run within a year).
    guard speed >= 0.001, speed <= 1_000_000 else {
      throw ValidationError("--speed must be between 0.001 and 1000000")
    }
    guard scale <= 1_000_000 else { throw ValidationError("--scale must be at most 1000000") }
    guard loops <= 100_000 else { throw ValidationError("--loop must be at most 100000") }
    guard scale == 1 || userSuffix.contains("{copy}") else {
      throw ValidationError(
        "--user-suffix '\(userSuffix)' must contain {copy}, or every copy would be the same user")
    }
    if let spreadTime = DurationText.nanoseconds(spread), spreadTime > 86_400_000_000_000 {
      throw ValidationError("--spread must be at most a day")
    }
    if inputs.count > 1, inputs.contains(where: Self.isTrace) {
      throw ValidationError("replay takes one trace, or one or more captures, not both")
    }
    _ = try LoadSession.parseThresholds(threshold)
    if let metricsListen { _ = try LoadSession.metricsAddress(metricsListen) }
  }

  func run() async throws {
    let records = try loadRecords()
    try LoadSession.prepareReportDirectory(report)
    let window =
      (from.flatMap(DurationText.nanoseconds) ?? 0)..<(to.flatMap(DurationText.nanoseconds) ?? .max)
    guard records.contains(where: { window.contains($0.offsetNanos) }) else {
      throw CommandError.input(
        "nothing to replay: \(inputs.joined(separator: ", ")) holds no PUBLISH transaction"
          + (from != nil || to != nil ? " between --from and --to" : ""))
    }
    let passwords = try loadCredentials()
    let session = LoadSession(
      metricsListen: metricsListen, thresholds: try LoadSession.parseThresholds(threshold),
      abortOnThreshold: abortOnThreshold, stoppingNote: cleanup ? " and removing" : "")
    let sources = try LoadSession.localAddresses(localIP)
    let (targetEndpoint, embedded) = try await LoadSession.resolveTarget(
      try target.map { try LoadSession.target($0) }, transport: .udp, sources: sources)
    let script = ReplayScript(
      records: records, options: options(domain: domain ?? targetEndpoint.name ?? targetEndpoint.host))
    if script.stepsOutlivingTheirPublication > 0 {
      StandardOutput.error(
        "warning: at --speed \(speed), \(script.stepsOutlivingTheirPublication) recorded refreshes "
          + "or modifications fall due after the lifetime the recorded server granted; expect 412s there")
    }
    var plan = LoadPlan(
      target: targetEndpoint, duration: script.playingTime + 40_000_000_000, cleanup: cleanup,
      shards: shards ?? System.coreCount)
    plan.tls = tls.options
    plan.localAddresses = sources
    StandardOutput.line(
      "pubsim replay \(inputs.joined(separator: " ")): \(StandardOutput.count(script.transactionCount, "transaction")) of "
        + "\(StandardOutput.count(script.publisherCount, "publisher")) over \(DurationText.describe(nanoseconds: script.playingTime)) "
        + "against \(targetEndpoint)")
    let startedAt = Date()
    let engine = LoadEngine(plan: plan, replay: script, credentials: passwords)
    let result = try await session.execute(engine, kind: "replay", embedded: embedded)
    var metrics = result.metrics
    var runReport = RunReport(
      kind: "replay", profile: inputs.joined(separator: " "), target: targetEndpoint.description,
      startedAt: ISO8601DateFormatter().string(from: startedAt), durationSeconds: result.durationSeconds,
      stoppedEarly: result.stoppedEarly, metrics: metrics, peakPublishers: result.peakPublishers,
      activePublishers: result.activePublishers)
    runReport.parameters = describe(script, target: targetEndpoint.description, shards: plan.shards)
    let replay = result.workload
    metrics.fidelity = replay.fidelity
    let fidelity = RunReport.Fidelity(
      replay.fidelity, planned: script.transactionCount,
      differences: FidelityTable.differences(replay.outcomes, script: script))
    runReport.fidelity = fidelity
    try session.finish(
      runReport, metrics: metrics, reportDirectory: report, extraText: FidelityTable.text(fidelity)
    ) { directory in
      try FidelityTable.writeCSV(
        replay.outcomes, script: script, to: directory.appendingPathComponent("fidelity.csv"))
    }
  }

  private func options(domain: String) -> ReplayOptions {
    ReplayOptions(
      speed: speed, scale: scale, loops: loops, from: from.flatMap(DurationText.nanoseconds) ?? 0,
      to: to.flatMap(DurationText.nanoseconds) ?? .max, spread: DurationText.nanoseconds(spread) ?? 0,
      userSuffix: userSuffix, domain: domain,
      onBrokenChain: BrokenChainPolicy(rawValue: onBrokenChain) ?? .reinitiate, cleanup: cleanup)
  }

  /// Whether a file is a pubsim trace (JSON Lines) rather than a capture.
  static func isTrace(_ path: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let start = (try? handle.read(upToCount: 64)) ?? Data()
    return start.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 } == UInt8(ascii: "{")
  }

  private func loadRecords() throws -> [TraceRecord] {
    if inputs.count == 1, Self.isTrace(inputs[0]) {
      let data: Data
      do {
        data = try Data(contentsOf: URL(fileURLWithPath: inputs[0]))
      } catch {
        throw CommandError.input("cannot read \(inputs[0]): \((error as NSError).localizedDescription)")
      }
      do {
        return try TraceCodec.decode(data, file: inputs[0]).1
      } catch {
        throw CommandError.input(error.description)
      }
    }
    do {
      let result = try Extractor.extract(inputs)
      for warning in result.summary.warnings { StandardOutput.error("warning: \(warning)") }
      return result.tracker.trace(captures: inputs).1
    } catch {
      throw CommandError.input(error.description)
    }
  }

  private func loadCredentials() throws -> [String: String] {
    guard let credentials else { return [:] }
    let text: String
    do {
      text = try String(contentsOf: URL(fileURLWithPath: credentials), encoding: .utf8)
    } catch {
      throw CommandError.input(
        "cannot read credentials \(credentials): \((error as NSError).localizedDescription)")
    }
    do {
      let identities = try IdentitySource.parseCSV(text, file: credentials)
      return Dictionary(identities.compactMap { id in id.password.map { (id.user, $0) } }) { first, _ in first
      }
    } catch {
      throw CommandError.input(error.description)
    }
  }

  private func describe(_ script: ReplayScript, target: String, shards: Int) -> [String: String] {
    let options = script.options
    var parameters = [
      "input": inputs.joined(separator: ", "), "target": target, "domain": options.domain,
      "speed": "\(ReportHTML.format(options.speed))×", "scale": String(options.scale),
      "loops": String(options.loops), "on broken chain": options.onBrokenChain.rawValue,
      "recorded publishers": String(script.publishers.count),
      "recorded transactions": String(script.steps.count),
      "recorded span": DurationText.describe(nanoseconds: script.duration), "shards": String(shards),
    ]
    if options.scale > 1 {
      parameters["spread"] = DurationText.describe(nanoseconds: options.spread)
      parameters["user suffix"] = options.userSuffix
    }
    if from != nil || to != nil { parameters["window"] = "\(from ?? "start") to \(to ?? "end")" }
    if credentials != nil { parameters["credentials"] = credentials }
    parameters["cleanup"] = cleanup ? "yes" : "no"
    return parameters
  }
}
