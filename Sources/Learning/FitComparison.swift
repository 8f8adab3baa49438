/// The fit check's table: each figure of an original capture beside the same figure of another
/// (a run of the profile learned from it), with the relative difference, and whether every
/// checked figure is within the tolerance.
public struct FitComparison: Sendable, Equatable {
  public struct Row: Sendable, Equatable {
    public var name: String
    public var original: Double?
    public var candidate: Double?
    /// (candidate − original) / original; 0 when both are 0 or both absent, nil when only one
    /// is there or the original is 0 and the candidate not.
    public var difference: Double?
    public var checked: Bool
    public var within: Bool
  }

  public var rows: [Row]
  public var tolerance: Double

  public init(original: TraceStatistics, candidate: TraceStatistics, tolerance: Double) {
    self.tolerance = tolerance
    rows = zip(original.figures, candidate.figures).map { original, candidate in
      let difference = Self.difference(original.value, candidate.value)
      return Row(
        name: original.name, original: original.value, candidate: candidate.value, difference: difference,
        checked: original.checked,
        within: !original.checked || difference.map { abs($0) <= tolerance } ?? false)
    }
  }

  public var passes: Bool { rows.allSatisfy(\.within) }

  static func difference(_ original: Double?, _ candidate: Double?) -> Double? {
    switch (original, candidate) {
    case (nil, nil): return 0
    case (let original?, let candidate?):
      if original == 0 { return candidate == 0 ? 0 : nil }
      return (candidate - original) / original
    default: return nil
    }
  }
}
