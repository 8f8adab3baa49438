import Publication
import Testing

@testable import Profiles

@Suite("Reading profiles")
struct ProfileReaderTests {
  static func read(_ yaml: String, files: [String: String] = [:]) throws(ProfileError) -> Profile {
    try ProfileReader(file: "test.yaml") { path in
      guard let text = files[path] else {
        throw ProfileError(file: path, line: 0, column: 0, message: "missing")
      }
      return text
    }.read(yaml)
  }

  @Test func readsEverySection() throws {
    let profile = try Self.read(
      """
      name: full
      target: sip:127.0.0.1:5070;transport=tcp
      duration: 2m
      population:
        size: 5000
        identity: "alice{n}@example.com"
        start: 10
      events:
        - package: presence
          weight: 3
        - package: dialog
          weight: 1
      expires: 600
      refresh: {at: 0.5, jitter: 0.1}
      modify: {meanInterval: 30s}
      session: {online: 10m, offline: 1m}
      arrival: {rate: 250/s}
      stages:
        - {duration: 1m, target: 5000}
        - {duration: 30s, target: 0}
      rateCap: 3000/s
      connections: 8
      thresholds: ["p99(refresh) < 20ms", "errors < 0.1%"]
      """)
    #expect(profile.name == "full")
    #expect(profile.duration == 120_000_000_000)
    #expect(profile.population == 5000)
    #expect(profile.identities.identity(at: 0) == Identity(user: "alice10", domain: "example.com"))
    #expect(profile.events.map(\.package) == ["presence", "dialog"])
    #expect(profile.events[1].contentType == "application/dialog-info+xml")
    #expect(profile.behaviour.requestedExpires == 600)
    #expect(profile.behaviour.refreshFraction == 0.5)
    #expect(profile.behaviour.modifyMeanInterval == 30_000_000_000)
    #expect(profile.behaviour.sessionLength == .exponential(mean: 600_000_000_000))
    #expect(profile.arrival == .constant(250))
    #expect(
      profile.stages == [
        .init(duration: 60_000_000_000, target: 5000), .init(duration: 30_000_000_000, target: 0),
      ])
    #expect(profile.rateCap == 3000)
    #expect(profile.connections == 8)
    #expect(profile.thresholds.count == 2)
  }

  @Test func readsArrivalRampsAndPoisson() throws {
    let ramp = try Self.read("arrival: {from: 0/s, to: 600/m, over: 2m, process: poisson, seed: 9}\n")
    #expect(
      ramp.arrival
        == ArrivalProcess(rate: .ramp(from: 0, to: 10, over: 120_000_000_000), spacing: .poisson(seed: 9)))
    let poisson = try Self.read("arrival: {rate: 50/s, process: poisson}\n")
    #expect(poisson.arrival == ArrivalProcess(rate: .constant(50), spacing: .poisson(seed: nil)))
    #expect(try Self.read("arrival: {rate: 50/s, process: even}\n").arrival == .constant(50))
  }

  @Test func readsSessionDistributions() throws {
    let minute: UInt64 = 60_000_000_000
    let profile = try Self.read(
      "session: {online: {empirical: [10s, 1m, 20m]}, offline: {uniform: [1m, 2m]}}\n")
    #expect(profile.behaviour.sessionLength == .empirical([minute / 6, minute, 20 * minute]))
    #expect(profile.behaviour.offlineLength == .uniform(minute, 2 * minute))
    let fixed = try Self.read("session: {online: {fixed: 3m}, offline: {exponential: 1m}}\n")
    #expect(fixed.behaviour.sessionLength == .fixed(3 * minute))
    #expect(fixed.behaviour.offlineLength == .exponential(mean: minute))
  }

  @Test(arguments: [
    ("duration: 30s\npopulaton:\n  size: 3\n", "test.yaml:2:1: unknown key 'populaton' in profile"),
    ("population:\n  size: many\n", "test.yaml:2:9: expected a whole number"),
    ("population:\n  size: 0\n", "test.yaml:2:9: 0 is outside 1...10000000"),
    ("duration: forever\n", "test.yaml:1:11: expected a duration"),
    ("refresh:\n  at: 1.5\n", "test.yaml:2:7: 1.5 is outside 0.05...0.95"),
    ("arrival:\n  rate: 10/week\n", "test.yaml:2:9: expected a rate"),
    ("target: http://x\n", "test.yaml:1:9: 'http://x' is not a SIP URI"),
    ("events:\n  - weight: 2\n", "test.yaml:2:5: an event needs a package"),
    ("population:\n  identity: user\n", "test.yaml:2:13: identity pattern needs {n}"),
    ("transport: sctp\n", "test.yaml:1:12: expected one of udp, tcp"),
    ("duration: [1, 2\n", "test.yaml: not valid YAML"),
    ("arrival: {rate: 5/s, to: 9/s, over: 1m}\n", "test.yaml:1:10: arrival needs rate"),
    ("arrival: {to: 9/s}\n", "test.yaml:1:10: arrival needs rate"),
    ("arrival: {rate: 5/s, seed: 3}\n", "test.yaml:1:28: seed applies to process: poisson only"),
    ("arrival: {rate: 5/s, process: burst}\n", "test.yaml:1:31: expected one of even, poisson"),
    ("session: {online: {uniform: [5m, 1m]}}\n", "test.yaml:1:29: uniform needs two durations"),
    ("session: {online: {empirical: [1m]}}\n", "test.yaml:1:31: empirical needs at least two"),
    ("session: {online: {fixed: 1m, uniform: [1m, 2m]}}\n", "test.yaml:1:19: give one of fixed"),
    ("session: {online: {normal: 1m}}\n", "test.yaml:1:20: unknown key 'normal' in a duration distribution"),
  ])
  func badInputNamesTheLineAndColumn(yaml: String, message: String) {
    do {
      _ = try Self.read(yaml)
      Issue.record("read without error")
    } catch {
      #expect(error.description.hasPrefix(message), "\(error.description)")
    }
  }

  @Test func readsIdentitiesFromCSV() throws {
    let profile = try Self.read(
      "population:\n  size: 3\n  csv: users.csv\n",
      files: ["users.csv": "user,password,domain\nalice,secret,example.com\nbob,,\n"])
    #expect(
      profile.identities.identity(at: 0) == Identity(user: "alice", domain: "example.com", password: "secret")
    )
    #expect(profile.identities.identity(at: 1) == Identity(user: "bob"))
    #expect(profile.identities.identity(at: 2).user == "alice")
  }

  @Test func badCSVLineIsNamed() {
    #expect(throws: ProfileError(file: "u.csv", line: 2, column: 1, message: "expected user,password,domain"))
    {
      _ = try Self.read("population:\n  csv: u.csv\n", files: ["u.csv": "alice,a,b\n,x\n"])
    }
  }

  @Test func profilesInTheRepositoryAreValid() throws {
    let folder = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
    let files = ["quickstart", "ramp", "presence-100k", "auth", "soak", "watchers"].map {
      "profiles/\($0).yaml"
    }
    for file in files + ["deploy/kubernetes/profile.yaml"] {
      let path = "/\(folder)/\(file)"
      let text = try String(contentsOfFile: path, encoding: .utf8)
      _ = try ProfileReader(file: path) {
        try String(contentsOfFile: "/\(folder)/profiles/\($0)", encoding: .utf8)
      }
      .read(text)
    }
  }
}

@Suite("Source addresses in profiles")
struct ProfileLocalAddressTests {
  static func read(_ yaml: String) throws(ProfileError) -> Profile {
    try ProfileReader(
      file: "net.yaml", checkLocalAddress: { $0.hasPrefix("10.") ? nil : "'\($0)' is not an address" },
      readFile: { _ in "" }
    ).read(yaml)
  }

  @Test func localIpTakesOneAddressOrAList() throws {
    #expect(try Self.read("localIp: 10.0.0.11\n").localAddresses == ["10.0.0.11"])
    #expect(
      try Self.read("localIp: [10.0.0.11, 10.0.0.8/30]\n").localAddresses == ["10.0.0.11", "10.0.0.8/30"])
    #expect(try Self.read("duration: 1s\n").localAddresses.isEmpty)
  }

  @Test func aBadLocalIpNamesItsLineAndColumn() {
    #expect(
      throws: ProfileError(file: "net.yaml", line: 3, column: 5, message: "'esc.example' is not an address")
    ) {
      try Self.read("duration: 1s\nlocalIp:\n  - esc.example\n")
    }
  }
}

extension ProfileReaderTests {
  @Test func faultsAreReadAsFractionsThatFitInOne() throws {
    let profile = try Self.read("faults:\n  staleEntityTag: 0.1\n  missingBody: 0.05\n")
    #expect(profile.faults == FaultMix([.staleEntityTag: 0.1, .missingBody: 0.05]))
    #expect(throws: ProfileError.self) {
      try Self.read("faults:\n  staleEntityTag: 0.8\n  shortExpires: 0.3\n")
    }
    #expect(throws: ProfileError.self) { try Self.read("faults:\n  lateAnswers: 0.1\n") }
  }
}

extension ProfileReaderTests {
  /// Explicit complex keys and deep flow nesting, which no profile needs, are refused before
  /// Yams parses them (its duplicate-key check compares complex keys in time that depends on
  /// the hash seed: over a minute for a 2 KB input in some processes); templates with braces
  /// and quoted text are not.
  @Test func complexKeysAndDeepFlowsAreRefusedBeforeParsing() throws {
    #expect(throws: ProfileError.self) { try Self.read("? [a, b]\n: c\n") }
    #expect(throws: ProfileError.self) { try Self.read("name: [[[[[[[[[x]]]]]]]]]\n") }
    let profile = try Self.read(
      "name: 'what? [x]'\nevents:\n  - package: presence\n    body: \"<n s='{status}'>{note}?</n>\"\n")
    #expect(profile.name == "what? [x]")
  }
}
