import Engine
import Profiles
import Publication
import SIPCore
import Testing
import Transport

@testable import Simulation

/// The workload driven as a shard drives it (start, then due at each ``nextDue``), with no
/// sockets: what it starts and stops, and when.
@Suite("Simulated workload pacing")
struct SimulatedWorkloadTests {
  static let millisecond: UInt64 = 1_000_000
  static let target = SIPEndpoint(transport: .udp, host: "127.0.0.1", port: 5060)

  /// The changes made at each due time up to `end`.
  static func drive(_ plan: SimulationPlan, until end: UInt64) -> [(time: UInt64, changes: [WorkloadChange])]
  {
    drive(SimulatedWorkload(plan: plan, shard: 0, shards: 1, runTag: "t"), until: end)
  }

  /// The changes `workload` makes at each due time up to `end`.
  static func drive(_ workload: SimulatedWorkload, until end: UInt64) -> [(
    time: UInt64, changes: [WorkloadChange]
  )] {
    var random = SplitMix64(seed: 1)
    var changes: [WorkloadChange] = []
    workload.handle(.start, now: 0, random: &random, into: &changes)
    var log: [(time: UInt64, changes: [WorkloadChange])] = []
    var now: UInt64 = 0
    for _ in 0..<100_000 {
      let due = workload.nextDue(now: now)
      guard due <= end else { break }
      now = max(due, now)
      workload.handle(.due, now: now, random: &random, into: &changes)
      if !changes.isEmpty { log.append((now, changes)) }
      changes.removeAll()
      if due < now { now += millisecond }
    }
    return log
  }

  static func initialSendTimes(_ log: [(time: UInt64, changes: [WorkloadChange])]) -> [UInt64] {
    log.flatMap { entry in
      entry.changes.compactMap { change -> UInt64? in
        guard change.arrived, case .send(let request) = change.action else { return nil }
        return request.intendedAt
      }
    }
  }

  @Test func arrivalsStartAtTheirPacedTimes() {
    let plan = SimulationPlan(target: Self.target, population: 50, arrival: .constant(100))
    let log = Self.drive(plan, until: 2_000 * Self.millisecond)
    #expect(Self.initialSendTimes(log) == (0..<50).map { UInt64($0) * 10 * Self.millisecond })
    // Woken exactly when due: each wake-up starts one publisher, at the time it meant to.
    #expect(log.allSatisfy { $0.changes.count == 1 })
    #expect(log.map(\.time) == Self.initialSendTimes(log))
  }

  /// Stopping a large population comes in batches (the shard repeats the stop while it is
  /// pending), so that no array of a change per publisher is ever built; every publisher still
  /// stops exactly once.
  @Test func aLargePopulationStopsInBatchesEveryPublisherOnce() {
    let workload = SimulatedWorkload(
      plan: SimulationPlan(target: Self.target, population: 10_000), shard: 0, shards: 1, runTag: "t")
    _ = Self.drive(workload, until: Self.millisecond)
    var random = SplitMix64(seed: 2)
    var stopped: [Int] = []
    var batches = 0
    repeat {
      var changes: [WorkloadChange] = []
      workload.handle(.stop(cleanup: false), now: 2 * Self.millisecond, random: &random, into: &changes)
      #expect(changes.count <= SimulatedWorkload.stopBatch)
      stopped += changes.map(\.publisher)
      batches += 1
    } while workload.stopPending && batches < 100
    #expect(batches == (10_000 + SimulatedWorkload.stopBatch - 1) / SimulatedWorkload.stopBatch)
    #expect(stopped == Array(0..<10_000))
  }

  @Test func everyoneAtOnceWithoutAnArrivalProcess() {
    let plan = SimulationPlan(target: Self.target, population: 30)
    let log = Self.drive(plan, until: Self.millisecond)
    #expect(Self.initialSendTimes(log) == Array(repeating: 0, count: 30))
  }

  /// Up to 20 over a second, down to 0 over the next: 20 starts, then 20 stops, each on the
  /// 1 ms grid at or after the step's exact time (k − ½)/20 s.
  @Test func stagesStartAndStopOnTheirSteps() {
    var plan = SimulationPlan(target: Self.target, population: 20)
    plan.stages = PopulationSchedule(stages: [
      .init(duration: 1_000 * Self.millisecond, target: 20),
      .init(duration: 1_000 * Self.millisecond, target: 0),
    ])
    let log = Self.drive(plan, until: 3_000 * Self.millisecond)
    let steps: [UInt64] = (1...20).map { (step: Int) -> UInt64 in UInt64(step * 50 - 25) * Self.millisecond }
    #expect(Self.initialSendTimes(log) == steps)
    let stops = log.filter { entry in entry.changes.contains { !$0.arrived } }.map(\.time)
    #expect(stops == steps.map { $0 + 1_000 * Self.millisecond })
  }
}
