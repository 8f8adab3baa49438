import ArgumentParser
import Compositor
import Engine
import Foundation
import Measurements
import NIOCore
import Profiles
import Publication
import Reports
import SIPCore
import Simulation
import Transport

/// `pubsim run PROFILE`: simulate a population of publishers against a compositor.
struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Simulate publishers described by a YAML profile against a compositor.",
    discussion: """
      Without --target (and without target: in the profile) the embedded compositor is started \
      in this process on a free loopback port. Ctrl-C or SIGTERM stops scheduling, drains \
      outstanding transactions (removing live publications with --cleanup) and writes the report.
      """
  )

  @Argument(help: ArgumentHelp("The profile (YAML), e.g. profiles/quickstart.yaml.", valueName: "profile"))
  var profilePath: String

  @Option(
    help: ArgumentHelp(
      "Compositor to test, as a SIP URI: an address, a name, or a domain with SRV records (overrides the "
        + "profile).", valueName: "uri"))
  var target: String?

  // Numbers are parsed unconditionally, so that "-3" is refused as a value, not taken for a flag.
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("How long to run, e.g. 30s or 5m (overrides the profile).", valueName: "duration"))
  var duration: String?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Publishers in the population (overrides the profile).", valueName: "n"))
  var publishers: Int?

  @Option(
    name: .customLong("arrival-rate"), parsing: .unconditional,
    help: ArgumentHelp(
      "New publishers per second (200 or 200/s, 30/m), each doing initial, refresh, modify, remove back to "
        + "back (SIPp-shaped).",
      valueName: "rate"))
  var arrivalRateText: String?

  /// `--arrival-rate` per second (validated).
  var arrivalRate: Double? { arrivalRateText.flatMap(RateText.perSecond) }

  @Option(
    name: .customLong("local-ip"),
    help: ArgumentHelp(
      "Source address or CIDR range to send from (overrides the profile); repeat to spread publishers "
        + "over several.", valueName: "addr"))
  var localIP: [String] = []

  @Flag(help: "Remove every live publication at the end of the run.")
  var cleanup = false

  @Option(help: ArgumentHelp("Write run.json, timeseries.csv and report.html here.", valueName: "dir"))
  var report: String?

  @OptionGroup
  var tls: TLSFlags

  @Option(
    help: ArgumentHelp(
      "Serve live Prometheus metrics at http://HOST:PORT/metrics during the run.", valueName: "host:port"))
  var metricsListen: String?

  @Option(
    help: ArgumentHelp(
      "Pass/fail rule checked at the end, e.g. 'p99(refresh) < 20ms', 'errors < 0.1%'; repeatable.",
      valueName: "rule"))
  var threshold: [String] = []

  @Flag(help: "Check thresholds every second (after 5 s) and stop the run as soon as one fails.")
  var abortOnThreshold = false

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Shards (event loops); default one per core, or with --arrival-rate one per 25 000 PUBLISH/s.",
      valueName: "n"))
  var shards: Int?

  func validate() throws {
    if let target { _ = try LoadSession.target(target) }
    _ = try LoadSession.localAddresses(localIP)
    if let duration {
      guard let nanoseconds = DurationText.nanoseconds(duration) else {
        throw ValidationError("--duration '\(duration)' is not a duration such as 30s or 5m")
      }
      guard nanoseconds > 0 else { throw ValidationError("--duration must be above 0") }
    }
    if let publishers, publishers < 1 { throw ValidationError("--publishers must be at least 1") }
    if let arrivalRateText, RateText.perSecond(arrivalRateText) == nil {
      throw ValidationError(
        "--arrival-rate '\(arrivalRateText)' is not a positive rate such as 200, 200/s or 30/m")
    }
    if let shards, shards < 1 { throw ValidationError("--shards must be at least 1") }
    _ = try LoadSession.parseThresholds(threshold)
    if let metricsListen { _ = try LoadSession.metricsAddress(metricsListen) }
  }

  func run() async throws {
    let profile = try loadProfile()
    try LoadSession.prepareReportDirectory(report)
    let session = LoadSession(
      metricsListen: metricsListen,
      thresholds: try LoadSession.parseThresholds(profile.thresholds + threshold),
      abortOnThreshold: abortOnThreshold, stoppingNote: cleanup ? " and removing" : "")
    let sources = try LoadSession.localAddresses(localIP.isEmpty ? profile.localAddresses : localIP)
    let (targetEndpoint, embedded) = try await LoadSession.resolveTarget(
      try (target ?? profile.target).map { try LoadSession.target($0, transport: profile.transport) },
      transport: profile.transport == "tcp" ? .tcp : .udp, sources: sources)
    var (plan, simulation) = makePlan(profile: profile, target: targetEndpoint)
    plan.localAddresses = sources
    StandardOutput.line(
      "pubsim run \(profile.name): \(StandardOutput.count(simulation.population, "publisher"))"
        + (simulation.arrivalRate.map { " arriving at \(format($0))/s" } ?? "")
        + " for \(DurationText.describe(nanoseconds: plan.duration)) against \(targetEndpoint)")
    let startedAt = Date()
    let result = try await session.execute(
      LoadEngine(plan: plan, simulation: simulation), kind: "run", embedded: embedded)
    var runReport = RunReport(
      kind: "run", profile: profile.name, target: targetEndpoint.description,
      startedAt: ISO8601DateFormatter().string(from: startedAt),
      durationSeconds: result.durationSeconds, stoppedEarly: result.stoppedEarly, metrics: result.metrics,
      peakPublishers: result.peakPublishers, activePublishers: result.activePublishers)
    runReport.parameters = describe(plan, simulation, profile: profile)
    try session.finish(runReport, metrics: result.metrics, reportDirectory: report)
  }

  private func loadProfile() throws -> Profile {
    let url = URL(fileURLWithPath: profilePath)
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw CommandError.input(
        "cannot read profile \(profilePath): \((error as NSError).localizedDescription)")
    }
    let folder = url.deletingLastPathComponent()
    let reader = ProfileReader(
      file: profilePath, checkThreshold: Self.thresholdProblem,
      checkLocalAddress: Self.localAddressProblem
    ) { path in
      try String(contentsOf: URL(fileURLWithPath: path, relativeTo: folder), encoding: .utf8)
    }
    do {
      return try reader.read(text)
    } catch {
      throw CommandError.input(error.description)
    }
  }

  /// Why a profile's threshold rule is not one; nil when it is.
  static func thresholdProblem(_ rule: String) -> String? {
    do {
      _ = try Threshold.parse(rule)
      return nil
    } catch {
      return error.description
    }
  }

  /// Why a profile's `localIp:` entry is not an address or range; nil when it is.
  static func localAddressProblem(_ text: String) -> String? {
    do {
      _ = try LocalAddressList.expand([text])
      return nil
    } catch {
      return "localIp \(error)"
    }
  }

  private func makePlan(profile: Profile, target: SIPEndpoint) -> (LoadPlan, SimulationPlan) {
    let schedule =
      profile.stages.isEmpty || arrivalRate != nil ? nil : PopulationSchedule(stages: profile.stages)
    let runDuration = duration.flatMap(DurationText.nanoseconds) ?? schedule?.duration ?? profile.duration
    var behaviour = profile.behaviour
    var population = publishers ?? schedule?.peak ?? profile.population
    var arrival = profile.arrivalRate
    if let arrivalRate {
      behaviour = PublisherBehaviour(shape: .cycle, requestedExpires: profile.behaviour.requestedExpires)
      arrival = arrivalRate
      let cycles = max(Int(arrivalRate * Double(runDuration) / 1e9), 1)
      population = publishers ?? cycles
      if population < cycles {
        StandardOutput.error(
          "note: --publishers \(population) caps the run at \(population) cycles "
            + "(--arrival-rate alone would start \(cycles) in the duration)")
      }
    }
    var plan = LoadPlan(
      target: target, duration: runDuration, rateCap: profile.rateCap, connections: profile.connections,
      cleanup: cleanup, shards: shardCount())
    plan.tls = tls.options
    let simulation = SimulationPlan(
      target: target, domain: profile.domain, population: population, identities: profile.identities,
      events: profile.events, behaviour: behaviour, arrivalRate: arrival, stages: schedule)
    return (plan, simulation)
  }

  /// One shard per core, except for a known light load (`--arrival-rate`): each shard is an event
  /// loop that wakes for its own traffic, so spreading a light load over more of them only adds
  /// wake-ups.
  private func shardCount() -> Int {
    if let shards { return shards }
    guard let arrivalRate else { return System.coreCount }
    return min(System.coreCount, max(1, Int((4 * arrivalRate / 25_000).rounded(.up))))
  }

  /// The run's set-up in words, for the report's parameters table.
  private func describe(_ plan: LoadPlan, _ simulation: SimulationPlan, profile: Profile) -> [String: String]
  {
    let behaviour = simulation.behaviour
    var parameters: [String: String] = [
      "profile": profilePath, "target": plan.target.uri, "transport": plan.target.transport.rawValue,
      "duration": DurationText.describe(nanoseconds: plan.duration),
      "population": String(simulation.population),
      "shards": String(plan.shards), "connections per shard": String(plan.connections),
      "cleanup": plan.cleanup ? "yes" : "no", "requested Expires": "\(behaviour.requestedExpires) s",
      "events": simulation.events.map { "\($0.package) (\($0.contentType), weight \(format($0.weight)))" }
        .joined(separator: ", "),
      "publisher shape": behaviour.shape == .cycle ? "cycle: initial, refresh, modify, remove" : "steady",
    ]
    if behaviour.shape == .steady {
      parameters["refresh at"] =
        "\(format(behaviour.refreshFraction * 100)) % of granted Expires ± "
        + "\(format(behaviour.refreshJitter * 100)) %"
      parameters["modify mean interval"] =
        behaviour.modifyMeanInterval.map { DurationText.describe(nanoseconds: $0) } ?? "none"
      parameters["session online / offline"] =
        (behaviour.sessionLength.map { DurationText.describe(nanoseconds: $0) } ?? "whole run") + " / "
        + (behaviour.offlineLength.map { DurationText.describe(nanoseconds: $0) } ?? "leave")
    }
    if let rate = simulation.arrivalRate, simulation.stages == nil {
      parameters["arrival rate"] = "\(format(rate))/s"
    }
    if !profile.stages.isEmpty && simulation.stages != nil {
      parameters["stages"] = profile.stages.map {
        "\(DurationText.describe(nanoseconds: $0.duration)) → \($0.target)"
      }
      .joined(separator: ", ")
    }
    if let cap = plan.rateCap { parameters["rate cap"] = "\(format(cap))/s" }
    if !plan.localAddresses.isEmpty {
      parameters["source addresses"] = plan.localAddresses.joined(separator: ", ")
    }
    return parameters
  }

  private func format(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
  }
}
