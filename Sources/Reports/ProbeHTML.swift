/// report.html for `pubsim probe --report DIR`: the verdict counts as cards, then one row per
/// check with what was sent, expected and observed, in the run report's style.
public enum ProbeHTML {
  public static func render(_ report: ProbeReport, startedAt: String) -> String {
    var html = ReportHTML.page(
      title: "pubsim probe: \(report.target)", heading: "pubsim probe — \(report.target)",
      note: "conformance to RFC 3903 over \(report.transport) · started \(startedAt) · \(report.totals)")
    html += "<h2>Verdicts</h2><div class=\"cards\">"
    for (name, count) in [
      ("pass", report.passed), ("fail", report.failed), ("warn", report.warned), ("skip", report.skipped),
    ] {
      html += "<div class=\"card\"><b class=\"\(name)\">\(count)</b>\(name)</div>"
    }
    // What matters first (verdict, expected, observed), the request and section after.
    html += "</div><h2>Checks</h2><div class=\"scroll\"><table class=\"probe\">"
    html += "<tr><th>id</th><th>verdict</th><th>expected</th><th>observed</th><th>sent</th><th>RFC</th></tr>"
    for check in report.checks {
      html += "<tr><td>\(ReportHTML.escape(check.id))</td>"
      html += "<td class=\"\(check.verdict.rawValue)\">\(check.verdict.rawValue)</td>"
      for text in [check.expected, check.observed, check.sent] {
        html += "<td class=\"text\">\(ReportHTML.escape(text))</td>"
      }
      html += "<td>\(ReportHTML.escape(check.rfc))</td></tr>"
    }
    html += "</table></div><p class=\"note\">Made by pubsim probe. fail: the server departed from the RFC; "
    html +=
      "warn: it departed from a SHOULD or did something a user should know; skip: the check could not be "
    html += "made against this server.</p>"
    return html + "</body></html>\n"
  }
}
