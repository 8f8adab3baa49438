import Reports

/// Runs the selected checks one after another against one target and gathers their rows. Before
/// them, one OPTIONS and one initial PUBLISH find out whether anything answers at all: a target
/// that never does ends the probe (exit 1) instead of failing every check after a timeout each.
public struct ProbeSuite: Sendable {
  public let checks: [ProbeCheck]

  /// Ids not in the catalogue, for the flags' error message.
  public static func unknownIDs(_ ids: [String]) -> [String] {
    let known = Set(ProbeCatalogue.all.map(\.id))
    return ids.filter { !known.contains($0) }
  }

  /// The catalogue narrowed to `only` (when given) and without `skip`, in catalogue order.
  public init(only: [String]? = nil, skip: [String] = []) {
    checks = ProbeCatalogue.all.filter { check in
      (only.map { $0.contains(check.id) } ?? true) && !skip.contains(check.id)
    }
  }

  /// Whether the target answers anything: an OPTIONS, or else an initial PUBLISH.
  public static func answers(_ context: ProbeContext) async -> Bool {
    let options = await context.client.exchange(ProbeRequest(method: "OPTIONS", aor: ""))
    if options.response != nil { return true }
    let aor = context.aor("reachable")
    let (answer, tag) = await context.establish(aor)
    await context.cleanUp(aor, tag: tag)
    return answer.response != nil
  }

  /// Runs every check; `progress` hears each row as it is made.
  public func run(_ context: ProbeContext, progress: @Sendable (ProbeResult) -> Void = { _ in }) async
    -> [ProbeResult]
  {
    var results: [ProbeResult] = []
    for check in checks {
      let result = await check.run(context)
      progress(result)
      results.append(result)
    }
    return results
  }
}
