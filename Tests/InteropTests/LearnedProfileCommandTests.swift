import Foundation
import Testing

/// `pubsim extract --profile` and the fit check: a profile learned from a sample capture, run
/// against the embedded compositor at a larger population with `--pcap`, gives traffic whose
/// figures (operation mix, refresh point, modify rate per publisher, Expires) are within 10 % of
/// the capture's, as `pubsim extract RUN.pcap --compare CAPTURE` judges them.
@Suite("Learned profiles and their fit check", .serialized, .enabled(if: getuid() == 0))
struct LearnedProfileCommandTests {
  /// The sample captures of a population (the others hold two or three real clients, or 7 ms
  /// scripted cycles whose timing is the server's latency), and the population to run each at:
  /// the scripted ones at twice theirs, the stochastic one at twice too, for 117 s.
  static let captures = [("lifecycle-50", 200), ("auth-20", 40), ("population-450", 900)]

  @Test(arguments: captures)
  func aRunOfTheLearnedProfileMatchesItsCapture(name: String, publishers: Int) throws {
    let folder = try PcapTests.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let capture = Interop.repository + "/captures/\(name).pcap"
    let profile = folder.appendingPathComponent("learned.yaml").path
    let learned = try runProgram(Interop.pubsim.path, ["extract", capture, "--profile", profile])
    #expect(learned.status == 0, "\(learned.errors)")
    #expect(learned.errors.contains("profile learned-\(name) written to \(profile)"))
    let text = try String(contentsOfFile: profile, encoding: .utf8)
    #expect(text.hasPrefix("# Learned by pubsim extract --profile from \(capture)"))
    let pcap = folder.appendingPathComponent("run.pcap").path
    let (run, report) = try PcapTests.run(
      ["run", profile, "--publishers", String(publishers), "--pcap", pcap], folder: folder)
    #expect(run.status == 0, "\(run.errors)")
    let transactions = try #require(report["transactions"] as? [String: Int])
    #expect(transactions["timeouts"] == 0)
    let check = try runProgram(Interop.pubsim.path, ["extract", pcap, "--compare", capture])
    #expect(check.status == 0, "\(check.output)\n\(check.errors)\n\(text)")
    #expect(check.output.contains("every checked figure within 10 %"), "\(check.output)")
  }

  /// The other sample captures are not expected to fit (two or three clients, 7 ms scripted
  /// cycles, two runs one after the other), but each gives a profile that pubsim runs, and a
  /// trace beside it when asked.
  @Test(arguments: [
    "own-traffic", "edge-fragments", "edge-tcp-ipv6", "baresip-kamailio", "baresip-kamailio-tcp",
    "linphone-kamailio", "linphone-kamailio-tcp",
  ])
  func everyCaptureGivesAProfileThatRuns(name: String) throws {
    let folder = try PcapTests.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let profile = folder.appendingPathComponent("learned.yaml").path
    let trace = folder.appendingPathComponent("learned.trace").path
    let learned = try runProgram(
      Interop.pubsim.path,
      ["extract", Interop.repository + "/captures/\(name).pcap", "--profile", profile, "-o", trace])
    #expect(learned.status == 0, "\(learned.errors)")
    #expect(FileManager.default.fileExists(atPath: trace))
    let report = folder.appendingPathComponent("report").path
    let run = try runProgram(
      Interop.pubsim.path, ["run", profile, "--duration", "2s", "--report", report], timeout: 60)
    let text = try String(contentsOfFile: profile, encoding: .utf8)
    #expect(run.status == 0, "\(run.errors)\n\(text)")
    #expect(FileManager.default.fileExists(atPath: report + "/run.json"))
  }

  @Test func aCaptureUnlikeTheOriginalFailsTheCheck() throws {
    let check = try runProgram(
      Interop.pubsim.path,
      [
        "extract", Interop.repository + "/captures/auth-20.pcap", "--compare",
        Interop.repository + "/captures/lifecycle-50.pcap",
      ])
    #expect(check.status == 2, "\(check.output)\n\(check.errors)")
    #expect(check.output.contains("OFF"))
    #expect(check.output.contains("checked figures differ by more than 10 %"))
    let loose = try runProgram(
      Interop.pubsim.path,
      [
        "extract", Interop.repository + "/captures/auth-20.pcap", "--compare",
        Interop.repository + "/captures/lifecycle-50.pcap", "--tolerance", "1000%",
      ])
    #expect(loose.status == 0, "\(loose.output)")
  }

  @Test func aCaptureWithoutPublishIsAClearError() throws {
    let folder = try PcapTests.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let empty = folder.appendingPathComponent("empty.pcap")
    // A pcap file header and no packets.
    var header: [UInt8] = [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0]
    header += [UInt8](repeating: 0, count: 8) + [0xFF, 0xFF, 0, 0, 1, 0, 0, 0]
    try Data(header).write(to: empty)
    let result = try runProgram(
      Interop.pubsim.path, ["extract", empty.path, "--profile", folder.appendingPathComponent("p.yaml").path])
    #expect(result.status == 64)
    #expect(result.errors.contains("no PUBLISH transactions in \(empty.path): nothing to learn"))
    let compared = try runProgram(
      Interop.pubsim.path,
      ["extract", Interop.repository + "/captures/auth-20.pcap", "--compare", empty.path])
    #expect(compared.status == 64)
    #expect(compared.errors.contains("\(empty.path) holds no accepted PUBLISH: nothing to compare with"))
  }
}
