import Foundation
import Testing

/// `--seed` repeats a run: the same seed and profile give the same requests at the same intended
/// times (each second's `offered`), another seed does not; the seed is printed and stored.
@Suite("Seeded runs", .serialized)
struct SeedTests {
  static let profile = Interop.repository + "/Tests/InteropTests/Profiles/seeded.yaml"

  /// Runs the profile with a seed; returns what it printed, run.json and each second's offered
  /// requests up to a second before the end (a request due just before the stop waits for its
  /// publisher's outstanding one, and the stop may come first: that is timing, not the seed).
  static func run(seed: Int) throws -> (output: String, report: [String: Any], offered: [Int]) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pubsim-seed-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try runProgram(
      Interop.pubsim.path, ["run", profile, "--seed", String(seed), "--shards", "1", "--report", folder.path])
    #expect(result.status == 0, "\(result.errors)")
    let report =
      try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("run.json")))
      as? [String: Any] ?? [:]
    let rows = try String(contentsOf: folder.appendingPathComponent("timeseries.csv"), encoding: .utf8)
      .split(separator: "\n").dropFirst()
    let offered = rows.map { Int($0.split(separator: ",")[1]) ?? -1 }
    return (result.output, report, Array(offered.dropLast(2)))
  }

  @Test func theSameSeedRepeatsTheRequests() throws {
    let first = try Self.run(seed: 42)
    let second = try Self.run(seed: 42)
    let other = try Self.run(seed: 43)
    #expect(first.output.contains("(seed 42)"))
    #expect(first.report["seed"] as? Int == 42)
    #expect(first.offered.count >= 3)
    #expect(first.offered == second.offered)
    #expect(first.offered != other.offered)
    let operations = first.report["operations"] as? [String: [String: Any]] ?? [:]
    let counts = ["initial", "modify", "remove"].map { operations[$0]?["count"] as? Int ?? 0 }
    #expect(counts.allSatisfy { $0 > 0 }, "every kind of decision was drawn: \(counts)")
  }
}
