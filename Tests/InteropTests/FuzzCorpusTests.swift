import Foundation
import Testing

/// Every seed and every input that once crashed a harness goes through the harnesses again
/// (a plain build: the fuzzing build is `scripts/fuzz.sh`'s), so a fixed crash stays fixed.
@Suite("Fuzzing corpora replayed")
struct FuzzCorpusTests {
  static let targets = ["sip", "scan", "capture", "trace", "profile", "dns"]

  static var binary: String {
    Interop.pubsim.deletingLastPathComponent().appendingPathComponent("pubsim-fuzz").path
  }

  static func inputs(_ target: String) -> [String] {
    ["seeds", "regressions"].flatMap { folder -> [String] in
      let path = "\(Interop.repository)/fuzz/\(folder)/\(target)"
      let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
      return names.sorted().map { "\(path)/\($0)" }
    }
  }

  @Test(arguments: targets)
  func everyKeptInputRunsCleanly(target: String) throws {
    let inputs = Self.inputs(target)
    #expect(!inputs.isEmpty, "fuzz/seeds/\(target) holds the harness's seeds")
    let result = try runProgram(Self.binary, [target] + inputs)
    #expect(result.status == 0, "\(result.errors)")
    #expect(result.output.contains("\(target): \(inputs.count) inputs run"))
  }
}
