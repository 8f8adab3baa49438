import Reports

/// The end-of-run summary printed on the terminal: totals and one line per operation.
enum RunSummaryText {
  static func render(_ report: RunReport) -> String {
    var lines: [String] = []
    let transactions = report.transactions
    lines.append(
      "\(transactions.sent) sent, \(transactions.completed) completed, \(transactions.timeouts) timeouts, "
        + "\(transactions.transportErrors) transport errors, \(transactions.retransmissions) retransmissions in "
        + "\(ReportHTML.format(report.durationSeconds)) s; achieved \(ReportHTML.format(report.rate.achieved))/s"
    )
    let codes = report.responses.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
      separator: " ")
    lines.append("responses: " + (codes.isEmpty ? "none" : codes))
    lines.append("operation      count       p50       p90       p99     p99.9    p99.99       max")
    for name in ["initial", "refresh", "modify", "remove"] {
      guard let operation = report.operations[name], operation.count > 0 else { continue }
      let latency = operation.latencyMicros
      let cells = [
        latency.p50, latency.p90, latency.p99, latency.p999, latency.p9999 ?? latency.max, latency.max,
      ].map {
        pad(ReportHTML.micros($0), 10)
      }
      lines.append(name.padding(8) + pad(String(operation.count), 11) + cells.joined())
    }
    let overall = report.latencyMicros
    let uncorrected = report.latencyMicrosUncorrected
    lines.append(
      "all latency from intended send: p50 \(ReportHTML.micros(overall.p50)), p99 \(ReportHTML.micros(overall.p99)); "
        + "from actual send: p50 \(ReportHTML.micros(uncorrected.p50)), p99 \(ReportHTML.micros(uncorrected.p99))"
    )
    let publishers = report.publishers
    lines.append("publishers: peak \(publishers.peak), publications left live \(publishers.active)")
    if let faults = report.faults, !faults.isEmpty {
      // staleEntityTag 40 sent: 40 × 412 as prescribed; unknownEvent 12 sent: 12 × 200 (prescribed 489)
      let parts = faults.sorted { $0.key < $1.key }.map { kind, fault in
        let answers =
          fault.responses.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }
          + (fault.timeouts > 0 ? ["\(fault.timeouts) timed out"] : [])
        let verdict =
          fault.asPrescribed == fault.injected ? "as prescribed" : "(prescribed \(fault.prescribed))"
        return "\(kind) \(fault.injected) sent: \(answers.joined(separator: ", ")) \(verdict)"
      }
      lines.append("faults injected (not in the figures above): " + parts.joined(separator: "; "))
    }
    lines += watcherLines(report)
    return lines.joined(separator: "\n")
  }

  /// With watchers: their subscriptions, what the NOTIFYs brought, and the propagation latency.
  private static func watcherLines(_ report: RunReport) -> [String] {
    guard let made = report.subscriptions, let notify = report.notify else { return [] }
    let latency = notify.latencyMicros
    let fromAnswer = notify.latencyMicrosFromAnswer
    return [
      "watchers: \(made.watchers); subscriptions established \(made.established), refreshed \(made.refreshed), "
        + "terminated \(made.terminated), failed \(made.failed), ended \(made.ended)",
      "notify: \(notify.received) of \(notify.expected) owed changes received, \(notify.missing) missing, "
        + "\(notify.superseded) superseded, \(notify.duplicates) duplicates, \(notify.stale) stale "
        + "(\(notify.notifies) NOTIFYs, \(notify.retransmitted) retransmitted)",
      "propagation from intended send: p50 \(ReportHTML.micros(latency.p50)), p99 \(ReportHTML.micros(latency.p99)), "
        + "max \(ReportHTML.micros(latency.max)); from the PUBLISH's 2xx: p50 \(ReportHTML.micros(fromAnswer.p50)), "
        + "p99 \(ReportHTML.micros(fromAnswer.p99)) (\(notify.beforeAnswer) before the 2xx)",
    ]
  }

  private static func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    self + String(repeating: " ", count: max(0, width - count))
  }
}
