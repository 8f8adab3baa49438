import Engine
import Profiles
import Publication
import SIPCore
import Testing
import Transport

@testable import Simulation

/// A test split over instances (`--instance I/N`), each with its own number of shards, adds up
/// to the one process's run: the same publishers, once each, arriving at the same times.
@Suite("Instances of a split test")
struct InstanceSplitTests {
  static let millisecond: UInt64 = 1_000_000
  static let target = SIPEndpoint(transport: .udp, host: "127.0.0.1", port: 5060)

  /// Publishers one workload starts up to `end`: their numbers and intended initial send times.
  static func starts(
    _ plan: SimulationPlan, instance: RunInstance, shard: Int, shards: Int, until end: UInt64
  )
    -> [(number: Int, at: UInt64)]
  {
    let workload = SimulatedWorkload(
      plan: plan, shard: shard, shards: shards, runTag: "t", instance: instance)
    let changes = SimulatedWorkloadTests.drive(workload, until: end).flatMap(\.changes)
    return changes.compactMap { change in
      guard change.arrived, case .send(let request) = change.action else { return nil }
      return (workload.outgoing(request, publisher: change.publisher).identity.number, request.intendedAt)
    }
  }

  /// Every instance's every shard, with `shards[i]` shards in instance i.
  static func split(_ plan: SimulationPlan, shards: [Int], until end: UInt64) -> [[(number: Int, at: UInt64)]]
  {
    shards.indices.map { index in
      let instance = RunInstance(index: index, count: shards.count) ?? .whole
      return (0..<shards[index]).flatMap {
        starts(plan, instance: instance, shard: $0, shards: shards[index], until: end)
      }
    }
  }

  @Test func instancesTakeDisjointPublishersCoveringThePopulation() {
    let plan = SimulationPlan(target: Self.target, population: 23)
    let parts = Self.split(plan, shards: [2, 1, 3], until: Self.millisecond)
    for (index, part) in parts.enumerated() {
      #expect(part.allSatisfy { $0.number % 3 == index }, "instance \(index): \(part.map(\.number))")
    }
    #expect(parts.joined().map(\.number).sorted() == Array(0..<23))
    #expect(parts.map(\.count) == [8, 8, 7])
  }

  /// 100/s evenly spaced over four instances of 1, 2, 1 and 3 shards: together one metronome,
  /// publisher k at k × 10 ms, as one process sends them.
  @Test func arrivalsInterleaveIntoTheWholeRate() {
    let plan = SimulationPlan(target: Self.target, population: 60, arrival: .constant(100))
    let whole = Self.starts(plan, instance: .whole, shard: 0, shards: 1, until: 2_000 * Self.millisecond)
    let parts = Self.split(plan, shards: [1, 2, 1, 3], until: 2_000 * Self.millisecond)
    let merged = parts.joined().sorted { $0.at < $1.at }
    #expect(merged.map(\.at) == whole.map(\.at))
    #expect(merged.map(\.number) == whole.map(\.number))
    #expect(parts.map(\.count) == [15, 15, 15, 15])
  }

  /// Stages: each instance follows its share of the target, the shares adding up to it.
  @Test func stagesAreSharedOut() {
    var plan = SimulationPlan(target: Self.target, population: 10)
    plan.stages = PopulationSchedule(stages: [.init(duration: 1_000 * Self.millisecond, target: 10)])
    let parts = Self.split(plan, shards: [2, 2, 1], until: 1_500 * Self.millisecond)
    #expect(parts.map(\.count) == [4, 3, 3])
    #expect(parts.joined().map(\.number).sorted() == Array(0..<10))
  }

  @Test func instanceArithmetic() {
    let instance = RunInstance(index: 2, count: 4)!
    #expect(instance.share(of: 10) == 2)
    #expect(RunInstance(index: 1, count: 4)!.share(of: 10) == 3)
    #expect(instance.global(3) == 14)
    #expect(instance.slot(shard: 1, shards: 3) == (6, 12))
    #expect(RunInstance(index: 4, count: 4) == nil)
    #expect(RunInstance(index: 0, count: 0) == nil)
    #expect(RunInstance.whole.isWhole)
  }
}
