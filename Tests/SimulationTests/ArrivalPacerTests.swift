import Profiles
import Testing

@testable import Simulation

@Suite("Arrival pacers")
struct ArrivalPacerTests {
  static let second: UInt64 = 1_000_000_000

  /// Every arrival time of one pacer up to `end`, in order.
  static func times(_ pacer: some Pacer, until end: UInt64) -> [UInt64] {
    var pacer = pacer
    var times = Array(repeating: UInt64(0), count: pacer.count(at: 0))
    var at: UInt64 = 0
    while let next = pacer.nextChange(after: at), next <= end {
      let count = pacer.count(at: next)
      times += Array(repeating: next, count: count - times.count)
      at = next
    }
    return times
  }

  /// The arrivals of all shards together.
  static func merged(_ process: ArrivalProcess, shards: Int, until end: UInt64) -> [UInt64] {
    (0..<shards).flatMap { times(ArrivalPacer(process, shard: $0, shards: shards), until: end) }.sorted()
  }

  @Test func evenArrivalsOfAllShardsInterleaveIntoOneMetronome() {
    let times = Self.merged(.constant(1000), shards: 3, until: Self.second)
    #expect(times == (0...1000).map { UInt64($0) * 1_000_000 })
  }

  /// A ramp from 0 to 100/s over 10 s expects Λ(t) = 5t² arrivals by t: 125 by 5 s, 500 by 10 s,
  /// then 100 a second.
  @Test func aRampFollowsItsIntegral() {
    let ramp = ArrivalProcess(rate: .ramp(from: 0, to: 100, over: 10 * Self.second))
    let times = Self.merged(ramp, shards: 2, until: 12 * Self.second)
    #expect(times.filter { $0 <= 5 * Self.second }.count == 126)  // arrivals 0…125
    #expect(times.filter { $0 <= 10 * Self.second }.count == 501)
    #expect(times.count == 701)
    #expect(times[125] == 5 * Self.second)
  }

  @Test func aRampDownToZeroStops() {
    let ramp = ArrivalProcess(rate: .ramp(from: 100, to: 0, over: 10 * Self.second))
    let times = Self.merged(ramp, shards: 1, until: 60 * Self.second)
    #expect(times.count == 501)
    #expect(times.last == 10 * Self.second)
    // Arrivals thin out: the second half of the ramp holds a quarter of them (Λ(5 s) = 375).
    #expect(times.filter { $0 > 5_001_000_000 }.count == 125)
  }

  /// 100 s at 1 000/s over 2 shards. The draws are seeded, so these are facts about one sequence;
  /// the bounds are those any Poisson process at this rate would meet with near certainty.
  @Test func poissonArrivalsHaveTheRateAndTheSpread() {
    let process = ArrivalProcess(rate: .constant(1000), spacing: .poisson(seed: 42))
    let times = Self.merged(process, shards: 2, until: 100 * Self.second)
    #expect(abs(Double(times.count) - 100_000) < 1_500)
    // Exponential gaps: their standard deviation equals their mean (0 for even spacing).
    let gaps = zip(times, times.dropFirst()).map { Double($1 - $0) }
    let mean = gaps.reduce(0, +) / Double(gaps.count)
    let deviation = (gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)).squareRoot()
    #expect(abs(deviation / mean - 1) < 0.05)
    // Counts per second vary as much as they average (index of dispersion ≈ 1).
    var perSecond = [Double](repeating: 0, count: 100)
    for time in times where time < 100 * Self.second { perSecond[Int(time / Self.second)] += 1 }
    let average = perSecond.reduce(0, +) / 100
    let variance = perSecond.map { ($0 - average) * ($0 - average) }.reduce(0, +) / 99
    #expect(variance / average > 0.6 && variance / average < 1.5)
  }

  @Test func aSeedRepeatsItsArrivals() {
    let one = ArrivalProcess(rate: .constant(500), spacing: .poisson(seed: 7))
    let other = ArrivalProcess(rate: .constant(500), spacing: .poisson(seed: 8))
    #expect(
      Self.merged(one, shards: 2, until: Self.second) == Self.merged(one, shards: 2, until: Self.second))
    #expect(
      Self.merged(one, shards: 2, until: Self.second) != Self.merged(other, shards: 2, until: Self.second))
  }

  @Test func immediateIsEveryoneAtTheStart() {
    let pacer = ImmediatePacer()
    #expect(pacer.count(at: 0) == Int.max)
    #expect(pacer.nextChange(after: 0) == nil)
  }
}
