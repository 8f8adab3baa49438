import Compositor
import Measurements
import NIOCore
import NIOPosix
import Profiles
import Publication
import SIPCore
import Simulation
import Testing
import Transport

@testable import Engine

/// The engine against the embedded compositor on loopback sockets: real transactions, real
/// retransmissions, real timeouts, small and bounded.
@Suite("Load engine against the embedded compositor", .serialized)
struct LoadEngineTests {
  static let second: UInt64 = 1_000_000_000

  static func withCompositor<T>(
    transport: SIPTransportKind = .udp, faults: FaultPlan = FaultPlan(),
    authentication: DigestVerifier? = nil,
    _ body: (SIPEndpoint, CompositorServer) async throws -> T
  ) async throws -> T {
    let server = CompositorServer(
      core: CompositorCore(faults: faults, authentication: authentication), threads: 1)
    let bound = try await server.start(listening: [
      SIPEndpoint(transport: transport, host: "127.0.0.1", port: 0)
    ])
    do {
      let result = try await body(bound[0], server)
      try await server.stop()
      return result
    } catch {
      try? await server.stop()
      throw error
    }
  }

  static func run(_ run: TestRun) async throws -> LoadEngine<SimulatedWorkload>.Result {
    try await LoadEngine(plan: run.plan, simulation: run.simulation).run { _ in }
  }

  @Test(arguments: [SIPTransportKind.udp, .tcp])
  func arrivalRateCyclesCompleteEveryOperation(transport: SIPTransportKind) async throws {
    try await Self.withCompositor(transport: transport) { target, _ in
      let plan = TestRun(
        target: target, duration: 2 * Self.second, population: 200, behaviour: .cycle, arrival: 400,
        connections: 2, shards: 2)
      let result = try await Self.run(plan)
      #expect(result.metrics.sent == 800)
      #expect(result.metrics.responsesByCode == [200: 800])
      for operation in PublishOperation.allCases {
        #expect(result.metrics.operations[operation]?.completed == 200)
      }
      #expect(result.metrics.timeouts == 0)
      #expect(result.metrics.strayResponses == 0)
    }
  }

  @Test func lossIsRecoveredByRetransmission() async throws {
    try await Self.withCompositor(faults: FaultPlan(dropProbability: 0.2)) { target, _ in
      let plan = TestRun(
        target: target, duration: 2 * Self.second, population: 100, behaviour: .cycle, arrival: 200,
        shards: 1, transactionTimers: .init(t1: 20_000_000, t2: 160_000_000))
      let result = try await Self.run(plan)
      #expect(result.metrics.responsesByCode == [200: 400])
      #expect(result.metrics.retransmissions > 0)
      #expect(result.metrics.timeouts == 0)
    }
  }

  @Test func cleanupRemovesEveryLivePublication() async throws {
    try await Self.withCompositor { target, server in
      let plan = TestRun(
        target: target, duration: Self.second, population: 300, arrival: 1000, cleanup: true, shards: 2)
      let result = try await Self.run(plan)
      #expect(result.metrics.operations[.initial]?.completed == 300)
      #expect(result.metrics.operations[.remove]?.completed == 300)
      #expect(server.core.livePublications(now: NIODeadline.now().uptimeNanoseconds) == 0)
      #expect(result.activePublishers == 0 && result.peakPublishers == 300, "nothing is left live")
    }
  }

  /// Publishers between sessions are not online: with 1.5 s sessions and a minute offline,
  /// everyone is online at the end of the first second and no one at the end of the third.
  @Test func publishersOfflineBetweenSessionsAreNotCountedOnline() async throws {
    try await Self.withCompositor { target, _ in
      let behaviour = PublisherBehaviour(
        sessionLength: .fixed(1_500_000_000), offlineLength: .fixed(60 * Self.second))
      let plan = TestRun(
        target: target, duration: 3 * Self.second, population: 200, behaviour: behaviour, shards: 2)
      let result = try await Self.run(plan)
      let seconds = result.metrics.timeSeries.seconds
      #expect(seconds.count >= 3)
      #expect(seconds.first?.activePublishers == 200)
      #expect(seconds.count >= 3 && seconds[2].activePublishers == 0, "\(seconds.map(\.activePublishers))")
      #expect(result.peakPublishers == 200)
      #expect(result.metrics.operations[.remove]?.completed == 200)
    }
  }

  @Test func withoutCleanupPublicationsStayLive() async throws {
    try await Self.withCompositor { target, server in
      let plan = TestRun(target: target, duration: Self.second, population: 50, arrival: 1000, shards: 1)
      let result = try await Self.run(plan)
      #expect(server.core.livePublications(now: NIODeadline.now().uptimeNanoseconds) == 50)
      #expect(result.activePublishers == 50, "what the run leaves on the server")
    }
  }

  @Test func deadTargetGivesTimeoutsNotACrash() async throws {
    let port = try await Self.unusedUDPPort()
    let plan = TestRun(
      target: SIPEndpoint(transport: .udp, host: "127.0.0.1", port: port), duration: Self.second,
      population: 20,
      behaviour: .cycle, arrival: 100, shards: 1, drainTimeout: 2 * Self.second,
      transactionTimers: .init(t1: 10_000_000, t2: 40_000_000))
    let result = try await Self.run(plan)
    #expect(result.metrics.completed == 0)
    #expect(result.metrics.timeouts > 0)
    #expect(result.metrics.timeouts <= result.metrics.sent)
  }

  @Test func refusedTCPConnectionIsAClearError() async throws {
    let port = try await Self.unusedUDPPort()
    let plan = TestRun(
      target: SIPEndpoint(transport: .tcp, host: "127.0.0.1", port: port), duration: Self.second,
      population: 1,
      shards: 1)
    await #expect(throws: ConnectError.self) { try await Self.run(plan) }
  }

  @Test func rateCapHoldsTheSendRate() async throws {
    try await Self.withCompositor { target, _ in
      let plan = TestRun(
        target: target, duration: 2 * Self.second, population: 2000, behaviour: .cycle, arrival: 1000,
        rateCap: 500, shards: 2, drainTimeout: Self.second)
      let result = try await Self.run(plan)
      #expect(result.metrics.sent <= 1100)
      #expect(result.metrics.sent >= 800)
    }
  }

  @Test(arguments: [DigestAlgorithm.md5, .sha256])
  func digestChallengesAreAnsweredOnceThenPreemptively(algorithm: DigestAlgorithm) async throws {
    let users = (1...40).map { Identity(user: "user\($0)", password: "pw\($0)") }
    let verifier = DigestVerifier(
      realm: "pubsim", algorithm: algorithm,
      passwords: Dictionary(uniqueKeysWithValues: users.map { ($0.user, $0.password ?? "") }))
    try await Self.withCompositor(authentication: verifier) { target, _ in
      let plan = TestRun(
        target: target, duration: Self.second, population: 40, identities: .list(users), behaviour: .cycle,
        arrival: 100, shards: 2)
      let result = try await Self.run(plan)
      #expect(result.metrics.responsesByCode == [200: 160, 401: 40])
      #expect(result.metrics.authChallenges == 40)
    }
  }

  @Test func wrongPasswordIsRefusedWithoutLooping() async throws {
    let verifier = DigestVerifier(realm: "pubsim", passwords: ["user1": "right"])
    try await Self.withCompositor(authentication: verifier) { target, _ in
      let plan = TestRun(
        target: target, duration: 700_000_000, population: 1,
        identities: .list([Identity(user: "user1", password: "wrong")]), behaviour: .cycle, arrival: 100,
        shards: 1)
      let result = try await Self.run(plan)
      #expect(result.metrics.responsesByCode[200] == nil)
      #expect(result.metrics.responsesByCode[401] == 2)
    }
  }

  @Test func probeSeesALiveTargetAndASilentOne() async throws {
    try await Self.withCompositor { target, _ in
      #expect(await TargetProbe.answers(target))
    }
    let silent = SIPEndpoint(transport: .udp, host: "127.0.0.1", port: try await Self.unusedUDPPort())
    #expect(await !TargetProbe.answers(silent, timeout: .milliseconds(500)))
  }

  static func unusedUDPPort() async throws -> Int {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let channel = try await DatagramBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 9
    try await channel.close()
    try await group.shutdownGracefully()
    return port
  }
}
