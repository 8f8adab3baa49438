import Profiles

/// The target number of online publishers over time, from a profile's stages: each stage moves
/// the population in a straight line from where the previous stage ended to its own target.
/// After the last stage the population stays at its last target.
public struct PopulationSchedule: Sendable, Equatable {
  struct Segment: Sendable, Equatable {
    var start: UInt64
    var end: UInt64
    var from: Int
    var to: Int
  }

  let segments: [Segment]

  public init(stages: [Profile.Stage]) {
    var segments: [Segment] = []
    var time: UInt64 = 0
    var population = 0
    for stage in stages {
      segments.append(Segment(start: time, end: time + stage.duration, from: population, to: stage.target))
      time += stage.duration
      population = stage.target
    }
    self.segments = segments
  }

  /// Total length of the stages.
  public var duration: UInt64 { segments.last?.end ?? 0 }

  /// The most publishers online at any time.
  public var peak: Int { segments.map(\.to).max() ?? 0 }

  /// Publishers that should be online `elapsed` nanoseconds after the start.
  public func target(at elapsed: UInt64) -> Int {
    guard let segment = segments.first(where: { elapsed < $0.end }) else { return segments.last?.to ?? 0 }
    let progress = Double(elapsed - segment.start) / Double(max(segment.end - segment.start, 1))
    return segment.from + Int((Double(segment.to - segment.from) * progress).rounded())
  }

  /// A shard's share of a global target.
  static func share(of total: Int, shard: Int, shards: Int) -> Int {
    total / shards + (shard < total % shards ? 1 : 0)
  }
}
