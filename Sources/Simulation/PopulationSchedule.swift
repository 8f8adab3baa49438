import Profiles

/// The target number of online publishers over time, from a profile's stages: each stage moves
/// the population in a straight line from where the previous stage ended to its own target.
/// After the last stage the population stays at its last target.
///
/// As a ``Pacer`` it counts the population wanted, not arrivals: the workload starts publishers
/// while fewer are online and stops the newest while more are.
public struct PopulationSchedule: Pacer, Equatable {
  struct Segment: Sendable, Equatable {
    var start: UInt64
    var end: UInt64
    var from: Int
    var to: Int

    var length: UInt64 { max(end - start, 1) }

    /// from + round((to − from)·(t − start)/length), halves away from zero.
    func target(at elapsed: UInt64) -> Int {
      let progress = Double(elapsed - start) / Double(length)
      return from + Int((Double(to - from) * progress).rounded())
    }

    /// The first time after `elapsed` inside the segment at which the target moves on, if any.
    /// The target has moved k steps once |to − from|·(t − start)/length ≥ k − ½, so step k comes
    /// at t = start + ⌈(k − ½)·length / |to − from|⌉; rounding is then corrected by a nanosecond
    /// either way against ``target(at:)``, which stays the definition.
    func nextChange(after elapsed: UInt64) -> UInt64? {
      let current = target(at: elapsed)
      let span = abs(to - from)
      guard span > 0 else { return nil }
      let steps = Double(abs(current - from) + 1)
      var time = start + UInt64(((steps - 0.5) * Double(length) / Double(span)).rounded(.up))
      time = max(time, elapsed + 1)
      while time > elapsed + 1, target(at: time - 1) != current { time -= 1 }
      while time < end, target(at: time) == current { time += 1 }
      return time < end ? time : nil
    }
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
    return segment.target(at: elapsed)
  }

  public func count(at elapsed: UInt64) -> Int { target(at: elapsed) }

  /// Within a segment, its own next step; otherwise the first later segment boundary at which the
  /// target differs, or the first step inside a later segment.
  public func nextChange(after elapsed: UInt64) -> UInt64? {
    let current = target(at: elapsed)
    for segment in segments where elapsed < segment.end {
      let from = max(elapsed, segment.start)
      if from > elapsed, segment.target(at: from) != current { return from }
      if let time = segment.nextChange(after: from) { return time }
    }
    guard let last = segments.last, elapsed < last.end, last.to != current else { return nil }
    return last.end
  }
}
