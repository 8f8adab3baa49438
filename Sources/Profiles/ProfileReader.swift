import Publication
import SIPCore
import Yams

/// Reads a profile from YAML, strictly: unknown keys and bad values are errors that name the line
/// and column, so a typo never silently falls back to a default.
public struct ProfileReader {
  let file: String
  /// Reads files a profile names (identity CSVs), relative to the profile's folder.
  let readFile: (String) throws -> String
  /// Checks one `thresholds:` rule: nil when it is good, else why not (the rules' grammar lives
  /// with the reports, so the caller supplies it and the error still names the line).
  let checkThreshold: (String) -> String?
  /// Checks one `localIp:` entry (an address or CIDR range) the same way.
  let checkLocalAddress: (String) -> String?

  public init(
    file: String, checkThreshold: @escaping (String) -> String? = { _ in nil },
    checkLocalAddress: @escaping (String) -> String? = { _ in nil },
    readFile: @escaping (String) throws -> String
  ) {
    self.file = file
    self.checkThreshold = checkThreshold
    self.checkLocalAddress = checkLocalAddress
    self.readFile = readFile
  }

  public func read(_ text: String) throws(ProfileError) -> Profile {
    do {
      return try readProfile(text)
    } catch let failure as ProfileError {
      throw failure
    } catch {
      throw ProfileError(file: file, line: 0, column: 0, message: "\(error)")
    }
  }

  private func readProfile(_ text: String) throws -> Profile {
    if let problem = YAMLShape.problem(text) {
      throw ProfileError(file: file, line: problem.line, column: problem.column, message: problem.message)
    }
    let root: Node
    do {
      guard let node = try Yams.compose(yaml: text) else { throw error(nil, "the profile is empty") }
      root = node
    } catch let failure as ProfileError {
      throw failure
    } catch {
      throw ProfileError(file: file, line: 0, column: 0, message: "not valid YAML: \(error)")
    }
    let keys = try mapping(
      root, "profile",
      allowed: [
        "name", "target", "transport", "duration", "population", "events", "expires", "refresh", "modify",
        "session", "arrival", "stages", "rateCap", "connections", "thresholds", "localIp", "seed", "faults",
        "tcpAbove", "watchers",
      ])
    var profile = Profile(name: try keys["name"].map { try string($0) } ?? baseName)
    profile.target = try keys["target"].map { try target($0) }
    profile.transport = try keys["transport"].map { try oneOf($0, ["udp", "tcp"]) }
    profile.tcpAbove = try keys["tcpAbove"].map { try integer($0, 200...65_000) }
    if let node = keys["duration"] { profile.duration = try duration(node) }
    if let node = keys["population"] { try readPopulation(node, into: &profile) }
    if let node = keys["expires"] { try readExpires(node, into: &profile.behaviour) }
    if let node = keys["refresh"] { try readRefresh(node, into: &profile.behaviour) }
    if let node = keys["modify"] { try readModify(node, into: &profile.behaviour) }
    if let node = keys["session"] { try readSession(node, into: &profile.behaviour) }
    // After the behaviour: an event entry's own keys start from the profile's.
    if let node = keys["events"] { profile.events = try readEvents(node, behaviour: profile.behaviour) }
    if let node = keys["arrival"] { try readArrival(node, into: &profile) }
    if let node = keys["stages"] { profile.stages = try readStages(node) }
    if let node = keys["rateCap"] { profile.rateCap = try rate(node) }
    if let node = keys["connections"] { profile.connections = try integer(node, 1...1024) }
    if let node = keys["seed"] { profile.seed = UInt64(try integer(node, 0...Int.max)) }
    if let node = keys["faults"] { profile.faults = try readFaults(node) }
    if let node = keys["watchers"] { profile.watchers = try readWatchers(node, events: profile.events) }
    if let node = keys["thresholds"] { profile.thresholds = try sequence(node).map { try threshold($0) } }
    if let node = keys["localIp"] {
      profile.localAddresses = try (node.sequence.map(Array.init) ?? [node]).map { try localAddress($0) }
    }
    return profile
  }

  private var baseName: String {
    let last = file.split(separator: "/").last.map(String.init) ?? file
    return last.hasSuffix(".yaml") ? String(last.dropLast(5)) : last
  }

  // MARK: Sections

  /// `faults: {staleEntityTag: 0.05, shortExpires: 0.01, ...}`: fractions that add up to one at
  /// most.
  private func readFaults(_ node: Node) throws -> FaultMix {
    let keys = try mapping(node, "faults", allowed: InjectedFault.allCases.map(\.rawValue))
    var fractions: [InjectedFault: Double] = [:]
    for fault in InjectedFault.allCases {
      if let value = keys[fault.rawValue] { fractions[fault] = try number(value, 0...1) }
    }
    guard fractions.values.reduce(0, +) <= 1 else {
      throw error(node, "the faults' fractions add up to more than 1")
    }
    return FaultMix(fractions)
  }

  /// `watchers: {perPresentity, package, accept, expires, refresh, arrival, session, grace}`.
  private func readWatchers(_ node: Node, events: [EventMix]) throws -> WatcherProfile {
    let keys = try mapping(
      node, "watchers",
      allowed: ["perPresentity", "package", "accept", "expires", "refresh", "arrival", "session", "grace"])
    var watchers = WatcherProfile()
    if let count = keys["perPresentity"] { watchers.perPresentity = try watcherCount(count) }
    if let package = keys["package"] { watchers.behaviour.package = try string(package) }
    guard let watched = events.first(where: { $0.package == watchers.behaviour.package }) else {
      throw error(
        keys["package"] ?? node,
        "no publisher publishes '\(watchers.behaviour.package)' (events: lists the packages)")
    }
    guard watched.body.carriesMarker else {
      throw error(
        node,
        "watchers measure propagation with a marker in the PIDF note: the watched package's body "
          + "must be pidf, rpid or a template with {note} or {marker}")
    }
    watchers.behaviour.accept = try keys["accept"].map { try string($0) } ?? watched.contentType
    if let expires = keys["expires"] {
      watchers.behaviour.requestedExpires = UInt32(try integer(expires, 1...86_400))
    }
    if let refresh = keys["refresh"] { watchers.behaviour.refreshFraction = try number(refresh, 0.1...0.95) }
    if let arrival = keys["arrival"] { watchers.behaviour.arrival = try durationDistribution(arrival) }
    if let session = keys["session"] {
      let parts = try mapping(session, "watchers: session", allowed: ["online", "offline"])
      guard let online = parts["online"] else { throw error(session, "a watchers' session needs online:") }
      watchers.behaviour.sessionLength = try durationDistribution(online)
      if let offline = parts["offline"] {
        watchers.behaviour.offlineLength = try durationDistribution(offline)
      }
    }
    if let grace = keys["grace"] {
      watchers.grace = try duration(grace)
      guard watchers.grace <= 3_600_000_000_000 else { throw error(grace, "grace is at most 1h") }
    }
    return watchers
  }

  /// `5`, `{uniform: [1, 10]}` or `{zipf: {max: 300, exponent: 2}}`.
  private func watcherCount(_ node: Node) throws -> WatcherCount {
    if node.scalar != nil { return .fixed(try integer(node, 0...10_000)) }
    let keys = try mapping(node, "perPresentity", allowed: ["uniform", "zipf"])
    if let range = keys["uniform"] {
      let bounds = try sequence(range).map { try integer($0, 0...10_000) }
      guard bounds.count == 2, bounds[0] <= bounds[1] else {
        throw error(range, "uniform needs two counts, low then high, e.g. [1, 10]")
      }
      return .uniform(bounds[0], bounds[1])
    }
    guard let zipf = keys["zipf"] else { throw error(node, "give a count, uniform: [low, high] or zipf:") }
    let parts = try mapping(zipf, "zipf", allowed: ["max", "exponent"])
    guard let max = parts["max"] else { throw error(zipf, "zipf needs max: (the most watchers)") }
    return .zipf(
      max: try integer(max, 1...10_000), exponent: try parts["exponent"].map { try number($0, 0.5...5) } ?? 2)
  }

  private func readPopulation(_ node: Node, into profile: inout Profile) throws {
    let keys = try mapping(node, "population", allowed: ["size", "identity", "start", "csv", "domain"])
    if let size = keys["size"] { profile.population = try integer(size, 1...10_000_000) }
    let start = try keys["start"].map { try integer($0, 0...Int(Int32.max)) } ?? 1
    if let pattern = keys["identity"] {
      let text = try string(pattern)
      guard text.contains("{n}") else {
        throw error(pattern, "identity pattern needs {n}, e.g. user{n}@example.com")
      }
      profile.identities = .pattern(text, start: start)
    }
    if let csv = keys["csv"] {
      if keys["identity"] != nil { throw error(csv, "give either identity or csv, not both") }
      let path = try string(csv)
      let text: String
      do {
        text = try readFile(path)
      } catch {
        throw self.error(csv, "cannot read \(path): \(error)")
      }
      profile.identities = .list(try IdentitySource.parseCSV(text, file: path))
    }
    profile.domain = try keys["domain"].map { try string($0) }
  }

  private func readEvents(_ node: Node, behaviour: PublisherBehaviour) throws -> [EventMix] {
    let entries = try sequence(node)
    guard !entries.isEmpty else { throw error(node, "events needs at least one package") }
    var mix: [EventMix] = []
    for entry in entries {
      let keys = try mapping(
        entry, "event",
        allowed: [
          "package", "weight", "contentType", "body", "bodySize", "expires", "refresh", "modify", "session",
        ])
      guard let packageNode = keys["package"] else { throw error(entry, "an event needs a package") }
      let package = try string(packageNode).lowercased()
      let weight = try keys["weight"].map { try number($0, 0...1e9) } ?? 1
      let contentType = try keys["contentType"].map { try string($0) }
      let body = try keys["body"].map { try bodyTemplate($0) }
      let size = try keys["bodySize"].map { try bodySize($0) }
      if size != nil && (package == "message-summary" || body == .messageSummary) {
        throw error(keys["bodySize"], "bodySize pads XML bodies; message-summary is not XML")
      }
      var event = EventMix(
        package: package, weight: weight, contentType: contentType, body: body, bodySize: size)
      event.behaviour = try readClass(keys, behaviour: behaviour)
      mix.append(event)
    }
    return mix
  }

  /// An event entry's own `expires:`, `refresh:`, `modify:` and `session:`, over the profile's
  /// behaviour; nil when it has none.
  private func readClass(_ keys: [String: Node], behaviour: PublisherBehaviour) throws -> PublisherBehaviour?
  {
    guard ["expires", "refresh", "modify", "session"].contains(where: { keys[$0] != nil }) else { return nil }
    var own = behaviour
    if let node = keys["expires"] { try readExpires(node, into: &own) }
    if let node = keys["refresh"] { try readRefresh(node, into: &own) }
    if let node = keys["modify"] { try readModify(node, into: &own) }
    if let node = keys["session"] { try readSession(node, into: &own) }
    return own
  }

  /// `expires: 3600`, or `{choice: {3600: 0.8, 600: 0.2}}`: each session draws one by weight.
  private func readExpires(_ node: Node, into behaviour: inout PublisherBehaviour) throws {
    if node.scalar != nil {
      behaviour.requestedExpires = UInt32(try integer(node, 1...86_400))
      behaviour.expiresMix = nil
      return
    }
    let keys = try mapping(node, "expires", allowed: ["choice"])
    guard let choice = keys["choice"], let entries = choice.mapping, !entries.isEmpty else {
      throw error(node, "expires is a number of seconds, or {choice: {3600: 0.8, 600: 0.2}}")
    }
    var weighted: [(value: UInt32, weight: Double)] = []
    for (key, weight) in entries {
      weighted.append((UInt32(try integer(key, 1...86_400)), try number(weight, 0...1e9)))
    }
    guard let mix = ExpiresMix(weighted) else { throw error(choice, "the choice's weights add up to 0") }
    behaviour.expiresMix = mix
    behaviour.requestedExpires = mix.shares.max { $0.share < $1.share }?.value ?? 3600
  }

  /// `refresh: {at: 0.8, jitter: 0.05}`, or `at: {empirical: [F0, …, Fn]}`: learned quantiles of
  /// the granted lifetime (any fraction below 1); `first:` (quantiles too) for the refresh after
  /// an initial, where it differs.
  private func readRefresh(_ node: Node, into behaviour: inout PublisherBehaviour) throws {
    let keys = try mapping(node, "refresh", allowed: ["at", "jitter", "first"])
    if let at = keys["at"] {
      if at.scalar != nil {
        behaviour.refreshFraction = try number(at, 0.05...0.95)
        // A class's own single point replaces learned points it would otherwise inherit.
        behaviour.refreshPoints = nil
        if keys["first"] == nil { behaviour.firstRefreshPoints = nil }
      } else {
        if keys["jitter"] != nil { throw error(keys["jitter"], "jitter applies to a single fraction only") }
        let points = try fractionQuantiles(at, "refresh at")
        behaviour.refreshPoints = points
        behaviour.refreshFraction = min(max(points.mean, 0.05), 0.95)
      }
    }
    if let jitter = keys["jitter"] { behaviour.refreshJitter = try number(jitter, 0...0.5) }
    if let first = keys["first"] {
      behaviour.firstRefreshPoints = try fractionQuantiles(first, "refresh first")
    }
  }

  /// `{empirical: [F0, …, Fn]}`: rising fractions of a lifetime.
  private func fractionQuantiles(_ node: Node, _ what: String) throws -> Quantiles {
    let form = try mapping(node, what, allowed: ["empirical"])
    guard let list = form["empirical"] else { throw error(node, "give {empirical: [...]} (fractions)") }
    let values = try sequence(list).map { try number($0, 0...0.99) }
    guard let points = Quantiles(values) else {
      throw error(list, "empirical needs at least two rising fractions (quantiles), e.g. [0.5, 0.8, 0.9]")
    }
    return points
  }

  /// `modify: {meanInterval: 5m}` (exponential), or `{interval: D}` with any duration
  /// distribution; `first: D` for the wait from coming online to the first, where it differs
  /// (alone: one modification a session).
  private func readModify(_ node: Node, into behaviour: inout PublisherBehaviour) throws {
    let keys = try mapping(node, "modify", allowed: ["meanInterval", "interval", "first"])
    if let mean = keys["meanInterval"] {
      if keys["interval"] != nil { throw error(mean, "give either meanInterval or interval, not both") }
      behaviour.modifyMeanInterval = try duration(mean)
    }
    if let interval = keys["interval"] { behaviour.modifyInterval = try durationDistribution(interval) }
    // A class's own interval replaces an inherited first wait unless it gives one too.
    if keys["first"] == nil && (keys["meanInterval"] != nil || keys["interval"] != nil) {
      behaviour.firstModifyInterval = nil
    }
    if let first = keys["first"] {
      if keys["meanInterval"] == nil && keys["interval"] == nil { behaviour.modifyInterval = nil }
      behaviour.firstModifyInterval = try durationDistribution(first)
    }
  }

  private func readSession(_ node: Node, into behaviour: inout PublisherBehaviour) throws {
    let keys = try mapping(node, "session", allowed: ["online", "offline"])
    if let online = keys["online"] { behaviour.sessionLength = try durationDistribution(online) }
    if let offline = keys["offline"] { behaviour.offlineLength = try durationDistribution(offline) }
  }

  /// `rate: 500/s`, or a ramp `from: 10/s, to: 500/s, over: 2m`; `process: even` (default) or
  /// `poisson`, with `seed:` for the Poisson draws.
  private func readArrival(_ node: Node, into profile: inout Profile) throws {
    let keys = try mapping(
      node, "arrival", allowed: ["rate", "from", "to", "over", "within", "process", "seed"])
    let rateShape: ArrivalProcess.Rate
    switch (keys["rate"], keys["to"], keys["over"]) {
    case _ where keys["within"] != nil:
      // The whole population within this time: the rate follows the population (`--publishers`).
      let withinNode = keys["within"] ?? node
      if ["rate", "from", "to", "over"].contains(where: { keys[$0] != nil }) {
        throw error(withinNode, "give either within, rate or a ramp, not two")
      }
      let within = try duration(withinNode)
      profile.arrivalWindow = within
      rateShape = .constant(Double(profile.population) / (Double(within) / 1e9))
    case (let rateNode?, nil, nil):
      if let from = keys["from"] { throw error(from, "give either rate, or from, to and over for a ramp") }
      rateShape = .constant(try rate(rateNode))
    case (nil, let to?, let over?):
      let from = try keys["from"].map { try rate($0, allowingZero: true) } ?? 0
      rateShape = .ramp(from: from, to: try rate(to, allowingZero: true), over: try duration(over))
    default:
      throw error(
        node,
        "arrival needs rate (e.g. 500/s), within (the whole population within a time), or to and over "
          + "(and optionally from) for a ramp")
    }
    var process = ArrivalProcess(rate: rateShape)
    if try keys["process"].map({ try oneOf($0, ["even", "poisson"]) }) == "poisson" {
      process.spacing = .poisson(seed: try keys["seed"].map { UInt64(try integer($0, 0...Int.max)) })
    } else if let seed = keys["seed"] {
      throw error(seed, "seed applies to process: poisson only")
    }
    profile.arrival = process
  }

  private func readStages(_ node: Node) throws -> [Profile.Stage] {
    try sequence(node).map { (entry: Node) throws -> Profile.Stage in
      let keys = try mapping(entry, "stage", allowed: ["duration", "target"])
      guard let durationNode = keys["duration"], let targetNode = keys["target"] else {
        throw error(entry, "a stage needs duration and target")
      }
      return Profile.Stage(
        duration: try duration(durationNode), target: try integer(targetNode, 0...10_000_000))
    }
  }

  // MARK: Values

  private func threshold(_ node: Node) throws -> String {
    let rule = try string(node)
    if let problem = checkThreshold(rule) { throw error(node, problem) }
    return rule
  }

  private func localAddress(_ node: Node) throws -> String {
    let text = try string(node)
    if let problem = checkLocalAddress(text) { throw error(node, problem) }
    return text
  }

  private func error(_ node: Node?, _ message: String) -> ProfileError {
    ProfileError(
      file: file, line: (node?.mark?.line ?? 0), column: (node?.mark?.column ?? 0), message: message)
  }

  private func mapping(_ node: Node, _ what: String, allowed: [String]) throws -> [String: Node] {
    guard let mapping = node.mapping else { throw error(node, "\(what) must be a mapping of keys to values") }
    var result: [String: Node] = [:]
    for (key, value) in mapping {
      let name = key.string ?? ""
      guard allowed.contains(name) else {
        throw error(
          key, "unknown key '\(name)' in \(what) (expected one of: \(allowed.joined(separator: ", ")))")
      }
      if result[name] != nil { throw error(key, "key '\(name)' appears twice in \(what)") }
      result[name] = value
    }
    return result
  }

  private func sequence(_ node: Node) throws -> [Node] {
    guard let sequence = node.sequence else { throw error(node, "expected a list") }
    return Array(sequence)
  }

  private func string(_ node: Node) throws -> String {
    guard let scalar = node.scalar else { throw error(node, "expected a text value") }
    return scalar.string
  }

  private func integer(_ node: Node, _ range: ClosedRange<Int>) throws -> Int {
    guard let text = node.scalar?.string, let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
      throw error(node, "expected a whole number")
    }
    guard range.contains(value) else {
      throw error(node, "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
    }
    return value
  }

  private func number(_ node: Node, _ range: ClosedRange<Double>) throws -> Double {
    guard let text = node.scalar?.string, let value = Double(text), value.isFinite else {
      throw error(node, "expected a number")
    }
    guard range.contains(value) else {
      throw error(node, "\(text) is outside \(range.lowerBound)...\(range.upperBound)")
    }
    return value
  }

  private func duration(_ node: Node, allowingZero: Bool = false) throws -> UInt64 {
    guard let text = node.scalar?.string, let value = DurationText.nanoseconds(text),
      value > 0 || allowingZero
    else {
      throw error(node, "expected a duration such as 30s, 5m or 250ms")
    }
    return value
  }

  /// A duration a publisher draws for itself: a plain duration is the mean of an exponential
  /// distribution; `fixed: D`, `exponential: D`, `uniform: [LOW, HIGH]` or `empirical: [Q0, …, Qn]`
  /// (quantiles at equal steps of probability, rising) say otherwise.
  private func durationDistribution(_ node: Node) throws -> DurationDistribution {
    if node.scalar != nil { return .exponential(mean: try duration(node)) }
    let keys = try mapping(
      node, "a duration distribution", allowed: ["fixed", "exponential", "uniform", "empirical"])
    guard keys.count == 1, let (form, value) = keys.first else {
      throw error(node, "give one of fixed, exponential, uniform or empirical")
    }
    switch form {
    case "fixed": return .fixed(try duration(value))
    case "exponential": return .exponential(mean: try duration(value))
    case "uniform":
      let bounds = try sequence(value).enumerated().map { try duration($1, allowingZero: $0 == 0) }
      guard bounds.count == 2, bounds[0] <= bounds[1] else {
        throw error(value, "uniform needs two durations, low then high, e.g. [1m, 5m]")
      }
      return .uniform(bounds[0], bounds[1])
    default:
      let quantiles = try sequence(value).map { try duration($0) }
      guard quantiles.count >= 2, zip(quantiles, quantiles.dropFirst()).allSatisfy({ $0 <= $1 }) else {
        throw error(value, "empirical needs at least two rising durations (quantiles), e.g. [10s, 1m, 20m]")
      }
      return .empirical(quantiles)
    }
  }

  /// `500/s`, `500/m` or a plain number per second (`0` only where a ramp may start or end).
  private func rate(_ node: Node, allowingZero: Bool = false) throws -> Double {
    if allowingZero, let text = node.scalar?.string, Double(text.split(separator: "/").first ?? "") == 0 {
      return 0
    }
    guard let text = node.scalar?.string, let rate = RateText.perSecond(text) else {
      throw error(node, "expected a rate above 0 such as 500/s, 30/m or 100/h")
    }
    return rate
  }

  private func oneOf(_ node: Node, _ choices: [String]) throws -> String {
    let value = try string(node).lowercased()
    guard choices.contains(value) else {
      throw error(node, "expected one of \(choices.joined(separator: ", "))")
    }
    return value
  }

  private func target(_ node: Node) throws -> String {
    let text = try string(node)
    guard SIPURI(text) != nil else {
      throw error(node, "'\(text)' is not a SIP URI such as sip:127.0.0.1:5060")
    }
    return text
  }

  /// `bodySize: 2000` or `{uniform: [500, 3000]}`, in bytes (at most 60 000: one datagram).
  private func bodySize(_ node: Node) throws -> BodySize {
    if node.scalar != nil { return .fixed(try integer(node, 1...60_000)) }
    let keys = try mapping(node, "bodySize", allowed: ["uniform"])
    guard let range = keys["uniform"], let bounds = range.sequence.map(Array.init), bounds.count == 2 else {
      throw error(node, "bodySize is a number of bytes, or {uniform: [low, high]}")
    }
    let low = try integer(bounds[0], 1...60_000)
    let high = try integer(bounds[1], 1...60_000)
    guard low <= high else { throw error(range, "uniform needs low ≤ high") }
    return .uniform(low, high)
  }

  private func bodyTemplate(_ node: Node) throws -> BodyTemplate {
    let text = try string(node)
    switch text {
    case "pidf": return .pidf
    case "rpid": return .rpid
    case "dialog": return .dialog
    case "message-summary": return .messageSummary
    default:
      guard text.contains("{") || text.contains("<") else {
        throw error(node, "body must be pidf, rpid, dialog, message-summary or a template text")
      }
      return .text(text)
    }
  }
}
