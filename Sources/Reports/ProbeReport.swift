import Foundation

/// The probe's outcome as `--json` writes it (docs/contract.md) and as the table and the report
/// show it.
public struct ProbeReport: Codable, Sendable, Equatable {
  public var target: String
  public var transport: String
  public var checks: [ProbeResult]
  public var passed: Int
  public var failed: Int
  public var warned: Int
  public var skipped: Int

  public init(target: String, transport: String, checks: [ProbeResult]) {
    self.target = target
    self.transport = transport
    self.checks = checks
    passed = checks.filter { $0.verdict == .pass }.count
    failed = checks.filter { $0.verdict == .fail }.count
    warned = checks.filter { $0.verdict == .warn }.count
    skipped = checks.filter { $0.verdict == .skip }.count
  }

  public func json() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(self) + Data("\n".utf8)
  }

  /// `31 checks: 27 pass, 2 fail, 1 warn, 1 skip`.
  public var totals: String {
    "\(checks.count) checks: \(passed) pass, \(failed) fail, \(warned) warn, \(skipped) skip"
  }

  /// The terminal table: id, RFC section, verdict, then what was expected and observed (long
  /// texts cut to the width; `--json` keeps them whole).
  public var table: String {
    let idWidth = max(2, checks.map(\.id.count).max() ?? 0)
    let rfcWidth = max(3, checks.map(\.rfc.count).max() ?? 0)
    var lines = [
      Self.pad("id", idWidth) + "  " + Self.pad("RFC", rfcWidth) + "  verdict  expected → observed"
    ]
    for check in checks {
      let said = Self.cut("\(check.expected) → \(check.observed)", 100)
      lines.append(
        Self.pad(check.id, idWidth) + "  " + Self.pad(check.rfc, rfcWidth) + "  "
          + Self.pad(check.verdict.rawValue.uppercased(), 7) + "  " + said)
    }
    return lines.joined(separator: "\n")
  }

  static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }

  static func cut(_ text: String, _ width: Int) -> String {
    text.count <= width ? text : String(text.prefix(width - 1)) + "…"
  }
}
