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
      #expect((0..<3).map { PopulationSchedule.share(of: total, shard: $0, shards: 3) }.reduce(0, +) == total)
    }
  }
}
