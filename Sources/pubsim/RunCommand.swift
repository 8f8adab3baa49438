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

  // Numbers are parsed unconditionally, so that "-3" is refused as a value, not taken for a flag.
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("How long to run, e.g. 30s or 5m (overrides the profile).", valueName: "duration"),
    transform: RunCommand.positiveDuration)
  var duration: UInt64?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Publishers in the population (overrides the profile).", valueName: "n"))
  var publishers: Int?

  @Option(
    name: .customLong("arrival-rate"), parsing: .unconditional,
    help: ArgumentHelp(
      "New publishers per second (200 or 200/s, 30/m), each doing initial, refresh, modify, remove back to "
        + "back (SIPp-shaped).",
      valueName: "rate"),
    transform: RunCommand.rate)
  var arrivalRate: Double?

  @OptionGroup(title: "Target, report and run")
  var load: LoadOptions

  func validate() throws {
    if let publishers, publishers < 1 { throw ValidationError("--publishers must be at least 1") }
  }

  static func positiveDuration(_ text: String) throws -> UInt64 {
    let duration = try DurationValue(text)
    guard duration.nanoseconds > 0 else { throw ValidationError("it must be above 0") }
    return duration.nanoseconds
  }

  static func rate(_ text: String) throws -> Double {
    guard let rate = RateText.perSecond(text) else {
      throw ValidationError("not a positive rate such as 200, 200/s or 30/m")
    }
    return rate
  }

  func run() async throws {
    let profile = try loadProfile()
    let instance = try load.runInstance(environment: ProcessInfo.processInfo.environment)
    let reportDirectory = load.reportDirectory(instance)
    try LoadSession.prepareReportDirectory(reportDirectory)
    try LoadSession.checkWritableFile(load.hdrLog, option: "--hdr-log")
    let session = LoadSession(
      metricsListen: load.metricsListen,
      thresholds: try profile.thresholds.map(LoadOptions.threshold) + load.threshold,
      abortOnThreshold: load.abortOnThreshold, stoppingNote: load.cleanup ? " and removing" : "",
      logger: load.log.logger("run"), hdrLog: load.hdrLog, recording: load.recording, instance: instance,
      startAt: load.startAt)
    let sources = try load.localAddresses(orElse: profile.localAddresses)
    let named = try load.target ?? profile.target.map(profileTarget)
    let (targetEndpoint, embedded) = try await LoadSession.resolveTarget(
      named.map { LoadSession.target($0, transport: profile.transport) },
      transport: profile.transport == "tcp" ? .tcp : .udp, sources: sources,
      alsoTCP: (load.tcpAbove ?? profile.tcpAbove) != nil, logger: session.logger)
    var (plan, simulation) = makePlan(profile: profile, target: targetEndpoint)
    plan.localAddresses = sources
    plan.instance = instance
    StandardOutput.line(
      "pubsim run \(profile.name): \(StandardOutput.count(simulation.population, "publisher"))"
        + LoadSession.instanceText(instance, share: instance.share(of: simulation.population))
        + arrivalText(simulation)
        + " for \(DurationText.describe(nanoseconds: plan.duration)) against \(targetEndpoint) (seed \(plan.seed))"
    )
    let (result, pcap, startedAt) = try await session.execute(
      LoadEngine(plan: plan, simulation: simulation), kind: "run", embedded: embedded)
    var runReport = RunReport(
      kind: "run", profile: profile.name, target: targetEndpoint.description,
      startedAt: ISO8601DateFormatter().string(from: startedAt),
      durationSeconds: result.durationSeconds, stoppedEarly: result.stoppedEarly, metrics: result.metrics,
      peakPublishers: result.peakPublishers, activePublishers: result.activePublishers)
    runReport.parameters = describe(plan, simulation, profile: profile)
    runReport.startedAtUnixMillis = RunReport.unixMillis(startedAt)
    runReport.seed = plan.seed
    runReport.pcap = pcap
    try session.finish(runReport, metrics: result.metrics, reportDirectory: reportDirectory)
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

  /// The profile's `target:`.
  private func profileTarget(_ text: String) throws -> SIPTarget {
    do {
      return try SIPTarget.parse(text)
    } catch {
      throw CommandError.input("\(profilePath): target \(error)")
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
    let runDuration = duration ?? schedule?.duration ?? profile.duration
    var behaviour = profile.behaviour
    var population = publishers ?? schedule?.peak ?? profile.population
    var arrival = profile.arrival(forPopulation: population)
    var events = profile.events
    if let arrivalRate {
      behaviour = PublisherBehaviour(shape: .cycle, requestedExpires: profile.behaviour.requestedExpires)
      for position in events.indices { events[position].behaviour = nil }
      arrival = .constant(arrivalRate)
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
      cleanup: load.cleanup, shards: shardCount())
    if let seed = load.seed ?? profile.seed { plan.seed = seed }
    if case .poisson(nil) = arrival?.spacing { arrival?.spacing = .poisson(seed: plan.seed) }
    plan.tls = load.tls.options
    plan.tcpAbove = load.tcpAbove ?? profile.tcpAbove
    plan.logger = load.log.logger("engine")
    var simulation = SimulationPlan(
      target: target, domain: profile.domain, population: population, identities: profile.identities,
      events: events, behaviour: behaviour, arrival: arrival, stages: schedule)
    simulation.faults = profile.faults
    simulation.watchers = profile.watchers
    return (plan, simulation)
  }

  /// One shard per core, except for a known light load (`--arrival-rate`): each shard is an event
  /// loop that wakes for its own traffic, so spreading a light load over more of them only adds
  /// wake-ups.
  private func shardCount() -> Int {
    if let shards = load.shards { return shards }
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
      "cleanup": plan.cleanup ? "yes" : "no", "requested Expires": requestedExpires(behaviour),
      "events": simulation.events.map { "\($0.package) (\($0.contentType), weight \(format($0.weight)))" }
        .joined(separator: ", "),
      "publisher shape": behaviour.shape == .cycle ? "cycle: initial, refresh, modify, remove" : "steady",
    ]
    if let limit = plan.tcpAbove { parameters["over TCP"] = "requests above \(limit) bytes" }
    if behaviour.shape == .steady {
      parameters["refresh at"] =
        "\(format(behaviour.refreshFraction * 100)) % of granted Expires ± "
        + "\(format(behaviour.refreshJitter * 100)) %"
      if let points = behaviour.refreshPoints {
        parameters["refresh at"] =
          "learned quantiles of granted Expires, mean \(format(points.mean * 100)) %"
      }
      parameters["modify mean interval"] =
        behaviour.modifyMeanInterval.map { DurationText.describe(nanoseconds: $0) } ?? "none"
      switch behaviour.modifyInterval {
      case .none, .some(.exponential): break
      case .some(let interval): parameters["modify interval"] = describe(interval)
      }
      parameters["session online / offline"] =
        (behaviour.sessionLength.map(describe) ?? "whole run") + " / "
        + (behaviour.offlineLength.map(describe) ?? "leave")
    }
    let classes = simulation.events.filter { $0.behaviour != nil }.count
    if classes > 0 { parameters["publisher classes"] = "\(classes) event entries with their own behaviour" }
    if let arrival = simulation.arrival, simulation.stages == nil {
      parameters["arrivals"] = describe(arrival)
    }
    if !profile.stages.isEmpty && simulation.stages != nil {
      parameters["stages"] = profile.stages.map {
        "\(DurationText.describe(nanoseconds: $0.duration)) → \($0.target)"
      }
      .joined(separator: ", ")
    }
    if let cap = plan.rateCap { parameters["rate cap"] = "\(format(cap))/s" }
    if !plan.instance.isWhole { parameters["instance"] = LoadSession.instanceParameter(plan.instance) }
    if !plan.localAddresses.isEmpty {
      parameters["source addresses"] = plan.localAddresses.joined(separator: ", ")
    }
    return parameters
  }

  /// The Expires asked for, or the mix of them.
  private func requestedExpires(_ behaviour: PublisherBehaviour) -> String {
    guard let mix = behaviour.expiresMix else { return "\(behaviour.requestedExpires) s" }
    return mix.shares.map { "\($0.value) s (\(format($0.share * 100)) %)" }.joined(separator: ", ")
  }

  /// How the population comes, for the first line.
  private func arrivalText(_ simulation: SimulationPlan) -> String {
    if simulation.stages != nil { return " following the profile's stages" }
    return simulation.arrival.map { " arriving at " + describe($0) } ?? ""
  }

  private func describe(_ distribution: DurationDistribution) -> String {
    switch distribution {
    case .fixed(let time): return DurationText.describe(nanoseconds: time)
    case .exponential(let mean): return "exponential, mean \(DurationText.describe(nanoseconds: mean))"
    case .uniform(let low, let high):
      return "uniform \(DurationText.describe(nanoseconds: low))–\(DurationText.describe(nanoseconds: high))"
    case .empirical(let quantiles):
      return "empirical, quantiles "
        + quantiles.map { DurationText.describe(nanoseconds: $0) }.joined(separator: ", ")
    }
  }

  private func describe(_ arrival: ArrivalProcess) -> String {
    let rate: String
    switch arrival.rate {
    case .constant(let perSecond): rate = "\(format(perSecond))/s"
    case .ramp(let from, let to, let over):
      rate = "\(format(from))/s → \(format(to))/s over \(DurationText.describe(nanoseconds: over))"
    }
    switch arrival.spacing {
    case .even: return rate + ", evenly spaced"
    case .poisson(let seed): return rate + ", Poisson" + (seed.map { " (seed \($0))" } ?? "")
    }
  }

  /// A figure as typed, or to four significant digits when it is a quotient (a rate from
  /// `arrival: {within:}`).
  private func format(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
    // Fixed notation: a whole number from 1 000 up, four significant digits below.
    if abs(value) >= 1_000 { return String(Int(value.rounded())) }
    return String(format: "%.4g", value)
  }
}
