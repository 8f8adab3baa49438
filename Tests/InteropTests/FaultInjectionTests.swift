import Foundation
import Testing

/// A profile's `faults:` against the embedded compositor: every kind is injected, answered as
/// RFC 3903 prescribes (412, 423, 489, 400, 415), counted under run.json's `faults`, and kept
/// out of the normal operations (whose errors stay at zero).
@Suite("Injected faults on the command line")
struct FaultInjectionTests {
  static let profile = Interop.repository + "/Tests/InteropTests/Profiles/faults.yaml"

  @Test func everyFaultIsRefusedAsPrescribedAndKeptApart() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pubsim-faults-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try runProgram(
      Interop.pubsim.path, ["run", Self.profile, "--threshold", "errors == 0%", "--report", folder.path])
    #expect(result.status == 0, "\(result.output)\(result.errors)")
    #expect(result.output.contains("faults injected (not in the figures above)"))
    let report =
      try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("run.json")))
      as? [String: Any] ?? [:]
    let faults = try #require(report["faults"] as? [String: [String: Any]])
    let prescribed = [
      "staleEntityTag": 412, "shortExpires": 423, "unknownEvent": 489, "missingBody": 400,
      "unsupportedContentType": 415,
    ]
    #expect(Set(faults.keys) == Set(prescribed.keys))
    for (kind, code) in prescribed {
      let fault = faults[kind] ?? [:]
      let injected = fault["injected"] as? Int ?? 0
      #expect(injected > 0, "\(kind)")
      #expect(fault["responses"] as? [String: Int] == [String(code): injected], "\(kind): \(fault)")
      #expect(fault["asPrescribed"] as? Int == injected)
    }
    if SchemaValidator.available {
      try SchemaTests.validate("run.schema.json", [folder.appendingPathComponent("run.json").path])
    }
    // The normal operations saw only 2xx.
    let responses = report["responses"] as? [String: Int] ?? [:]
    #expect(responses.keys.allSatisfy { $0.hasPrefix("2") }, "\(responses)")
  }
}

extension FaultInjectionTests {
  /// RPID bodies of 2 000–6 000 bytes over UDP: every one arrives whole at the compositor (which
  /// once cut datagrams at 2 KB) and is accepted.
  @Test func largeRichPresenceBodiesAreAcceptedOverUDP() throws {
    let result = try runProgram(
      Interop.pubsim.path,
      [
        "run", Interop.repository + "/Tests/InteropTests/Profiles/large-bodies.yaml", "--threshold",
        "errors == 0%",
      ])
    #expect(result.status == 0, "\(result.output)\(result.errors)")
    let responses = result.output.split(separator: "\n").first { $0.hasPrefix("responses:") } ?? ""
    #expect(
      responses.hasPrefix("responses: 200=") && responses.split(separator: " ").count == 2, "\(responses)")
  }
}
