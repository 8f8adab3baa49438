/// How a check came out.
public enum ProbeVerdict: String, Codable, Sendable, CaseIterable {
  /// The server did what the RFC says.
  case pass
  /// It did not.
  case fail
  /// It departed from a SHOULD, or did something the RFC allows but a user should know (a
  /// malformed request dropped without an answer, a lifetime granted without a maximum).
  case warn
  /// The check could not be made here (the server grants no lifetime short enough to wait
  /// for; an earlier step it needs failed).
  case skip
}

/// One row of the probe's table and of `--json`: what was sent, what RFC 3903 (or 3261) expects,
/// what came back, and the verdict.
public struct ProbeResult: Codable, Sendable, Equatable {
  public var id: String
  public var rfc: String
  public var verdict: ProbeVerdict
  public var expected: String
  public var observed: String
  public var sent: String

  public init(
    id: String, rfc: String, verdict: ProbeVerdict, expected: String, observed: String, sent: String
  ) {
    self.id = id
    self.rfc = rfc
    self.verdict = verdict
    self.expected = expected
    self.observed = observed
    self.sent = sent
  }
}
