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
    parsing: .unconditional,
    help: ArgumentHelp("Play this many times faster than recorded (0.5: half speed).", valueName: "x"))
  var speed: Double = 1

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Copies of the recorded population, each with its own identities.", valueName: "n"))
  var scale = 1

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Spread the copies' start over this time, e.g. 2s (default 1s).", valueName: "duration"),
    transform: DurationValue.init)
  var spread = DurationValue(nanoseconds: 1_000_000_000, text: "1s")

  @Option(help: ArgumentHelp("Added to the user of copy N ≥ 1; {copy} becomes N.", valueName: "pattern"))
  var userSuffix = "-{copy}"

  @Option(
    name: .customLong("loop"), parsing: .unconditional,
    help: ArgumentHelp("Play the trace this many times in a row.", valueName: "k"))
  var loops = 1

  @Option(
    help: ArgumentHelp("Start at this offset into the recording, e.g. 30s.", valueName: "t"),
    transform: DurationValue.init)
  var from: DurationValue?

  @Option(
    help: ArgumentHelp("Stop at this offset into the recording, e.g. 2m.", valueName: "t"),
    transform: DurationValue.init)
  var to: DurationValue?

  @Option(
    help: ArgumentHelp(
      "Domain for Request-URI, From and To (default: the target's name or address).", valueName: "domain"))
  var domain: String?

  @Option(
    help: ArgumentHelp(
      "When a conditional request's live predecessor failed: skip, reinitiate (default) or as-recorded.",
      valueName: "policy"),
    transform: ReplayCommand.policy)
  var onBrokenChain = BrokenChainPolicy.reinitiate

  @Option(
    help: ArgumentHelp(
      "CSV of user,password,domain to answer live digest challenges.", valueName: "file"))
  var credentials: String?

  @Flag(
    help: ArgumentHelp(
      "Send pubsim's own canonical requests instead of each recorded request's form (its header "
        + "order and spelling, the headers pubsim need not touch, absent headers left absent)."))
  var normalize = false

  @OptionGroup(title: "Target, report and run")
  var load: LoadOptions

  func validate() throws {
    guard scale >= 1 else { throw ValidationError("--scale must be at least 1") }
    guard loops >= 1 else { throw ValidationError("--loop must be at least 1") }
    if let from, let to, from.nanoseconds >= to.nanoseconds {
      throw ValidationError("--from \(from.text) must come before --to \(to.text)")
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
    if spread.nanoseconds > 86_400_000_000_000 {
      throw ValidationError("--spread must be at most a day")
    }
    if inputs.count > 1, inputs.contains(where: Self.isTrace) {
      throw ValidationError("replay takes one trace, or one or more captures, not both")
    }
  }

  static func policy(_ text: String) throws -> BrokenChainPolicy {
    guard let policy = BrokenChainPolicy(rawValue: text) else {
      throw ValidationError(
        "expected one of " + BrokenChainPolicy.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return policy
  }

  func run() async throws {
    let records = try loadRecords()
    let instance = try load.runInstance(environment: ProcessInfo.processInfo.environment)
    let reportDirectory = load.reportDirectory(instance)
    try LoadSession.prepareReportDirectory(reportDirectory)
    try LoadSession.checkWritableFile(load.hdrLog, option: "--hdr-log")
    let window = (from?.nanoseconds ?? 0)..<(to?.nanoseconds ?? .max)
    guard records.contains(where: { window.contains($0.offsetNanos) }) else {
      throw CommandError.input(
        "nothing to replay: \(inputs.joined(separator: ", ")) holds no PUBLISH transaction"
          + (from != nil || to != nil ? " between --from and --to" : ""))
    }
    let passwords = try CredentialsFile.load(credentials)
    let session = LoadSession(
      metricsListen: load.metricsListen, thresholds: load.threshold,
      abortOnThreshold: load.abortOnThreshold, stoppingNote: load.cleanup ? " and removing" : "",
      logger: load.log.logger("replay"), hdrLog: load.hdrLog, recording: load.recording, instance: instance,
      startAt: load.startAt)
    let sources = try load.localAddresses(orElse: [])
    let (targetEndpoint, embedded) = try await LoadSession.resolveTarget(
      load.target, transport: .udp, sources: sources, alsoTCP: load.tcpAbove != nil, logger: session.logger)
    let script = ReplayScript(
      records: records, options: options(domain: domain ?? targetEndpoint.name ?? targetEndpoint.host))
    if script.stepsOutlivingTheirPublication > 0 {
      StandardOutput.error(
        "warning: at --speed \(speed), \(script.stepsOutlivingTheirPublication) recorded refreshes "
          + "or modifications fall due after the lifetime the recorded server granted; expect 412s there")
    }
    // The replay ends when every step is played and answered; this is only the cap: as long
    // again as the recording plays (a replay that falls behind, on a busy machine, catches up,
    // measured from the steps' due times), plus Timer F and some.
    var plan = LoadPlan(
      target: targetEndpoint, duration: script.playingTime * 2 + 40_000_000_000, cleanup: load.cleanup,
      shards: load.shards ?? System.coreCount)
    plan.tls = load.tls.options
    plan.tcpAbove = load.tcpAbove
    plan.logger = load.log.logger("engine")
    plan.localAddresses = sources
    plan.instance = instance
    if let seed = load.seed { plan.seed = seed }
    StandardOutput.line(
      "pubsim replay \(inputs.joined(separator: " ")): \(StandardOutput.count(script.transactionCount, "transaction")) of "
        + "\(StandardOutput.count(script.publisherCount, "publisher"))"
        + LoadSession.instanceText(instance, share: instance.share(of: script.publisherCount))
        + " over \(DurationText.describe(nanoseconds: script.playingTime)) "
        + "against \(targetEndpoint) (seed \(plan.seed))")
    let engine = LoadEngine(plan: plan, replay: script, credentials: passwords)
    let (result, pcap, startedAt) = try await session.execute(engine, kind: "replay", embedded: embedded)
    var metrics = result.metrics
    var runReport = RunReport(
      kind: "replay", profile: inputs.joined(separator: " "), target: targetEndpoint.description,
      startedAt: ISO8601DateFormatter().string(from: startedAt), durationSeconds: result.durationSeconds,
      stoppedEarly: result.stoppedEarly, metrics: metrics, peakPublishers: result.peakPublishers,
      activePublishers: result.activePublishers)
    runReport.parameters = describe(script, target: targetEndpoint.description, shards: plan.shards)
    if !instance.isWhole { runReport.parameters?["instance"] = LoadSession.instanceParameter(instance) }
    runReport.startedAtUnixMillis = RunReport.unixMillis(startedAt)
    runReport.seed = plan.seed
    runReport.pcap = pcap
    let replay = result.workload
    metrics.fidelity = replay.fidelity
    let fidelity = RunReport.Fidelity(
      replay.fidelity, planned: script.transactionCount(of: instance),
      differences: FidelityTable.differences(replay.outcomes, script: script))
    runReport.fidelity = fidelity
    try session.finish(
      runReport, metrics: metrics, reportDirectory: reportDirectory, extraText: FidelityTable.text(fidelity)
    ) { directory in
      try FidelityTable.writeCSV(
        replay.outcomes, script: script, to: directory.appendingPathComponent("fidelity.csv"))
    }
  }

  private func options(domain: String) -> ReplayOptions {
    ReplayOptions(
      speed: speed, scale: scale, loops: loops, from: from?.nanoseconds ?? 0, to: to?.nanoseconds ?? .max,
      spread: spread.nanoseconds,
      userSuffix: userSuffix, domain: domain,
      onBrokenChain: onBrokenChain, cleanup: load.cleanup, normalize: normalize)
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
    if from != nil || to != nil { parameters["window"] = "\(from?.text ?? "start") to \(to?.text ?? "end")" }
    if credentials != nil { parameters["credentials"] = credentials }
    parameters["cleanup"] = load.cleanup ? "yes" : "no"
    parameters["requests"] = normalize ? "normalized" : "as recorded"
    if let limit = load.tcpAbove { parameters["over TCP"] = "requests above \(limit) bytes" }
    return parameters
  }
}
