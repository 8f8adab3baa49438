import Testing

@testable import Simulation

@Suite("Population stages")
struct PopulationScheduleTests {
  static let second: UInt64 = 1_000_000_000

  @Test func followsStraightLinesBetweenStageTargets() {
    let schedule = PopulationSchedule(stages: [
      .init(duration: 10 * Self.second, target: 1000), .init(duration: 10 * Self.second, target: 1000),
      .init(duration: 5 * Self.second, target: 0),
    ])
    #expect(schedule.duration == 25 * Self.second)
    #expect(schedule.peak == 1000)
    #expect(schedule.target(at: 0) == 0)
    #expect(schedule.target(at: 5 * Self.second) == 500)
    #expect(schedule.target(at: 15 * Self.second) == 1000)
    #expect(schedule.target(at: 22_500_000_000) == 500)
    #expect(schedule.target(at: 30 * Self.second) == 0)
  }

  @Test func sharesAddUpToTheTotal() {
    for total in [0, 1, 7, 1000, 1001] {
      #expect(
        (0..<3).map { ShardShare<PopulationSchedule>.share(of: total, shard: $0, shards: 3) }.reduce(0, +)
          == total)
    }
  }

  /// Walks the schedule change by change: each change is one publisher more or fewer, none is
  /// missed (the target is the same just before it) and none is invented.
  @Test func nextChangeFindsEveryStepExactly() {
    let schedule = PopulationSchedule(stages: [
      .init(duration: Self.second, target: 7), .init(duration: 2 * Self.second, target: 3),
      .init(duration: Self.second, target: 3), .init(duration: Self.second / 2, target: 10),
    ])
    var time: UInt64 = 0
    var changes = 0
    while let next = schedule.nextChange(after: time) {
      #expect(next > time)
      #expect(schedule.target(at: next - 1) == schedule.target(at: time))
      #expect(abs(schedule.target(at: next) - schedule.target(at: time)) == 1)
      // Sampled in between, the target does not move before the change.
      for probe in stride(from: time, to: next, by: Int(max((next - time) / 7, 1))) {
        #expect(schedule.target(at: probe) == schedule.target(at: time))
      }
      time = next
      changes += 1
    }
    #expect(changes == 7 + 4 + 7)
    #expect(schedule.target(at: time) == 10)
  }

  @Test func aFlatScheduleNeverChanges() {
    let schedule = PopulationSchedule(stages: [.init(duration: Self.second, target: 0)])
    #expect(schedule.nextChange(after: 0) == nil)
  }
}
