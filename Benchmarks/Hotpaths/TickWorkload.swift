@_spi(Benchmarks) import Engine
import Publication
import SIPCore

/// A workload that sends `perTick` refreshes on every tick, round the `population`, and only
/// listens to the answers: a shard in a steady state of so many transactions a tick, without
/// a profile's arrivals or a state machine's decisions.
final class TickWorkload: Workload {
  let perTick: Int
  private let identities: [PublisherIdentity]
  private var next = 0

  init(perTick: Int, population: Int) {
    self.perTick = perTick
    identities = (0..<population).map { number in
      PublisherIdentity(
        user: "user\(number)", domain: "example.com", number: number, runTag: "k3j9", event: "presence",
        contentType: "application/pidf+xml", password: nil)
    }
  }

  var publisherCapacity: Int { identities.count }

  func handle(
    _ event: WorkloadEvent, now: UInt64, random: inout SplitMix64, into changes: inout [WorkloadChange]
  ) {
    guard case .due = event else { return }
    for _ in 0..<perTick {
      let request = PublisherStateMachine.Request(
        operation: .refresh, ifMatch: "a1b2c3d4.17", expires: 3600, intendedAt: now)
      changes.append(WorkloadChange(publisher: next, action: .send(request)))
      next = (next + 1) % identities.count
    }
  }

  func nextDue(now: UInt64) -> UInt64 { now }

  func outgoing(_ request: PublisherStateMachine.Request, publisher: Int) -> Outgoing {
    Outgoing(identity: identities[publisher], body: [])
  }

  var isFinished: Bool { false }

  var livePublications: Int { 0 }
}
