extension RunMetrics {
  /// Failed transactions (timeouts, transport errors, final responses of 300 and above but the
  /// 401/407 challenges a publisher answers, and 2xx without an entity-tag) as a share of all
  /// that ended: the `errors` of thresholds (run.json's readers compute the same from its counts).
  public var errorRate: Double {
    let failedResponses = responsesByCode.reduce(UInt64(0)) { total, entry in
      entry.key >= 300 && entry.key != 401 && entry.key != 407 ? total + entry.value : total
    }
    let failed =
      failedResponses + successWithoutEntityTag + unanswerableChallenges + timeouts + transportErrors
    let ended = completed + timeouts + transportErrors
    return ended == 0 ? 0 : Double(failed) / Double(ended)
  }

  /// Transactions that ended in a 2xx the publisher could go on from (with its entity-tag).
  public var succeeded: UInt64 {
    let successes = responsesByCode.reduce(0) { $0 + ((200..<300).contains($1.key) ? $1.value : 0) }
    return successes - min(successes, successWithoutEntityTag)
  }

  /// Why not a single transaction succeeded, in one line ("every PUBLISH failed: 479 × 799");
  /// nil when one did. A run that ends this way exits 1 whatever its thresholds say: a table
  /// of 799 × 479 with exit 0 would read as a pass to a script.
  public var nothingSucceededReason: String? {
    guard succeeded == 0 else { return nil }
    guard sent > 0 else { return "no PUBLISH was sent" }
    var parts = responsesByCode.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map {
      "\($0.key) × \($0.value)"
    }
    if successWithoutEntityTag > 0 { parts.append("\(successWithoutEntityTag) 2xx without SIP-ETag") }
    if timeouts > 0 { parts.append("\(timeouts) timed out") }
    if transportErrors > 0 {
      parts.append("\(transportErrors) transport error\(transportErrors == 1 ? "" : "s")")
    }
    let what = responsesByCode.isEmpty ? "no PUBLISH was answered" : "no PUBLISH succeeded"
    return parts.isEmpty ? what : what + ": " + parts.joined(separator: ", ")
  }
}
