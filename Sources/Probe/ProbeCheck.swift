import Reports

/// One check of the suite: a stable id (for `--only` and `--skip`, and for scripts reading
/// `--json`), the RFC section it holds the server to, what it expects, and the scripted exchange.
public struct ProbeCheck: Sendable {
  public var id: String
  public var rfc: String
  public var expected: String
  let exchange: @Sendable (ProbeContext) async -> Outcome

  /// What the exchange came to; the check adds its id, section and expectation.
  public struct Outcome: Sendable {
    public var verdict: ProbeVerdict
    public var observed: String
    public var sent: String

    public init(_ verdict: ProbeVerdict, observed: String, sent: String) {
      self.verdict = verdict
      self.observed = observed
      self.sent = sent
    }
  }

  public init(
    id: String, rfc: String, expected: String, exchange: @escaping @Sendable (ProbeContext) async -> Outcome
  ) {
    self.id = id
    self.rfc = rfc
    self.expected = expected
    self.exchange = exchange
  }

  public func run(_ context: ProbeContext) async -> ProbeResult {
    let outcome = await exchange(context)
    return ProbeResult(
      id: id, rfc: rfc, verdict: outcome.verdict, expected: expected, observed: outcome.observed,
      sent: outcome.sent)
  }
}
