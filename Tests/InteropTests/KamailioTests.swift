import Foundation
import Testing

/// pubsim against a real compositor: Kamailio's presence module on loopback, started and stopped
/// by the test (scripts/peers.py). No failed transaction is allowed, and after `--cleanup`
/// Kamailio must hold no presentity of the test's users.
@Suite(
  "pubsim run against Kamailio", .serialized,
  .enabled(if: Interop.peerAvailable("kamailio") && Interop.peerAvailable("kamcmd")))
struct KamailioTests {
  struct Kamailio: Decodable {
    var pid: Int32
    var port: Int
    var ctl: String

    static func start() throws -> Kamailio {
      let result = try runProgram(
        "/usr/bin/env", ["python3", Interop.repository + "/scripts/peers.py", "kamailio-start"])
      guard result.status == 0, let data = result.output.data(using: .utf8) else {
        throw InteropError("Kamailio did not start: \(result.errors)")
      }
      return try JSONDecoder().decode(Kamailio.self, from: data)
    }

    func stop() {
      _ = try? runProgram(
        "/usr/bin/env", ["python3", Interop.repository + "/scripts/peers.py", "stop", String(pid)])
    }

    /// Users Kamailio holds a presentity for (`presence.presentity_list`).
    func presentityUsers() throws -> [String] {
      let listing = try runProgram("/usr/sbin/kamcmd", ["-s", ctl, "presence.presentity_list"])
      return listing.output.split(separator: "\n").compactMap { line in
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.hasPrefix("user: ") ? String(trimmed.dropFirst(6)) : nil
      }
    }
  }

  static func runPubsim(_ arguments: [String]) throws -> (result: FinishedProcess, report: [String: Any]) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pubsim-report-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try runProgram(
      Interop.pubsim.path, ["run"] + arguments + ["--report", folder.path], timeout: 120)
    let data = try Data(contentsOf: folder.appendingPathComponent("run.json"))
    let report = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    return (result, report)
  }

  static func expectNoFailedTransaction(_ report: [String: Any]) {
    let transactions = report["transactions"] as? [String: Any] ?? [:]
    #expect(transactions["timeouts"] as? Int == 0)
    #expect(transactions["transportErrors"] as? Int == 0)
    #expect((transactions["completed"] as? Int ?? 0) > 0)
    #expect(transactions["completed"] as? Int == transactions["sent"] as? Int)
    let responses = report["responses"] as? [String: Int] ?? [:]
    #expect(responses.keys.allSatisfy { $0.hasPrefix("2") }, "responses \(responses)")
  }

  @Test(arguments: ["udp", "tcp"])
  func steadyPublishersThenCleanupLeaveNothingBehind(transport: String) throws {
    let kamailio = try Kamailio.start()
    defer { kamailio.stop() }
    let target = "sip:127.0.0.1:\(kamailio.port)" + (transport == "tcp" ? ";transport=tcp" : "")
    let (result, report) = try Self.runPubsim([
      Interop.repository + "/Tests/InteropTests/Profiles/steady.yaml", "--target", target, "--cleanup",
    ])
    #expect(result.status == 0, "\(result.errors)")
    Self.expectNoFailedTransaction(report)
    let operations = report["operations"] as? [String: [String: Any]] ?? [:]
    #expect(operations["initial"]?["count"] as? Int == 300)
    #expect(operations["remove"]?["count"] as? Int == 300)
    #expect((operations["refresh"]?["count"] as? Int ?? 0) > 0)
    #expect((operations["modify"]?["count"] as? Int ?? 0) > 0)
    let left = try kamailio.presentityUsers().filter { $0.hasPrefix("pubsimtest") }
    #expect(left.isEmpty, "Kamailio still holds \(left.count) presentities, e.g. \(left.prefix(3))")
  }

  @Test func arrivalRateCyclesAllSucceed() throws {
    let kamailio = try Kamailio.start()
    defer { kamailio.stop() }
    let (result, report) = try Self.runPubsim([
      Interop.repository + "/Tests/InteropTests/Profiles/steady.yaml", "--target",
      "sip:127.0.0.1:\(kamailio.port)",
      "--arrival-rate", "200", "--duration", "4s",
    ])
    #expect(result.status == 0, "\(result.errors)")
    Self.expectNoFailedTransaction(report)
    let operations = report["operations"] as? [String: [String: Any]] ?? [:]
    #expect(operations["remove"]?["count"] as? Int == operations["initial"]?["count"] as? Int)
  }
}

/// `pubsim replay` against Kamailio: the project's recordings replayed live, with the fidelity
/// holding Kamailio's outcomes next to the recorded ones.
@Suite(
  "pubsim replay against Kamailio", .serialized,
  .enabled(if: Interop.peerAvailable("kamailio") && Interop.peerAvailable("kamcmd")))
struct KamailioReplayTests {
  /// The recording leaves 208 publications live; with --cleanup Kamailio holds none after.
  @Test func ownTrafficAtTenTimesSpeedGetsTheRecordedOutcomesAndCleansUp() throws {
    let kamailio = try KamailioTests.Kamailio.start()
    defer { kamailio.stop() }
    let folder = ReplayCommandTests.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (result, run) = try ReplayCommandTests.replay(
      [
        ReplayCommandTests.ownTraffic, "--target", "sip:127.0.0.1:\(kamailio.port)", "--speed", "10",
        "--cleanup",
      ],
      folder: folder)
    #expect(result.status == 0, "\(result.errors)")
    KamailioTests.expectNoFailedTransaction(run)
    let fidelity = try ReplayCommandTests.fidelity(run)
    #expect(fidelity["comparable"] as? Int == 427)
    #expect(fidelity["sameFinalCode"] as? Int == 427)
    let left = try kamailio.presentityUsers()
    #expect(left.isEmpty, "Kamailio still holds \(left.count) presentities, e.g. \(left.prefix(3))")
  }

  /// Real clients publishing to Kamailio (scripts/record-real-clients.sh: baresip 1.0 and
  /// linphonec 5.1), replayed in their recorded form against a fresh Kamailio, get every recorded
  /// final code: among them the 400s to linphone's unpublish over UDP without Content-Length and
  /// to baresip's unpublish without an entity-tag, and baresip's 423. Over TCP baresip reset the
  /// connection before two answers were recorded: 8 of its 10 are comparable.
  @Test(arguments: [
    ("baresip-kamailio", "udp", 10), ("baresip-kamailio-tcp", "tcp", 8), ("linphone-kamailio", "udp", 12),
    ("linphone-kamailio-tcp", "tcp", 12),
  ])
  func realClientsGetEveryRecordedFinalCode(capture: String, transport: String, comparable: Int) throws {
    let fidelity = try Self.replayAgainstKamailio(capture, transport: transport)
    #expect(fidelity["comparable"] as? Int == comparable)
    #expect(fidelity["sameFinalCode"] as? Int == comparable, "\(fidelity["codes"] ?? [:])")
  }

  /// In pubsim's own form (`--normalize`) the unpublish carries `Content-Length: 0`, and
  /// Kamailio takes what it refused from linphone: the replay no longer reproduces the recording.
  @Test func normalizedRequestsDoNotReproduceLinphonesRefusedRemoves() throws {
    let fidelity = try Self.replayAgainstKamailio("linphone-kamailio", transport: "udp", ["--normalize"])
    let codes = try #require(fidelity["codes"] as? [String: Int])
    #expect(codes["400 → 200"] == 3, "\(codes)")
  }

  static func replayAgainstKamailio(
    _ capture: String, transport: String, _ extra: [String] = []
  ) throws -> [String: Any] {
    let kamailio = try KamailioTests.Kamailio.start()
    defer { kamailio.stop() }
    let folder = ReplayCommandTests.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (result, run) = try ReplayCommandTests.replay(
      [
        Interop.repository + "/captures/\(capture).pcap", "--target",
        "sip:127.0.0.1:\(kamailio.port);transport=\(transport)", "--speed", "20",
      ] + extra, folder: folder)
    #expect(result.status == 0, "\(result.errors)")
    return try ReplayCommandTests.fidelity(run)
  }

  /// Kamailio (publ_cache 2) answers a modify with an entity-tag it never issued with 500
  /// ("ps_cache_update_presentity(): wrong etag"), where the recording (pubsim's compositor)
  /// answered 412: the fidelity report must show exactly that difference.
  @Test func theLifecycleRecordingShowsWhereKamailioDeparts() throws {
    let kamailio = try KamailioTests.Kamailio.start()
    defer { kamailio.stop() }
    let folder = ReplayCommandTests.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (result, run) = try ReplayCommandTests.replay(
      [ReplayCommandTests.lifecycle, "--target", "sip:127.0.0.1:\(kamailio.port)"], folder: folder)
    #expect(result.status == 0, "\(result.errors)")
    #expect((run["transactions"] as? [String: Int])?["timeouts"] == 0)
    let fidelity = try ReplayCommandTests.fidelity(run)
    let codes = try #require(fidelity["codes"] as? [String: Int])
    #expect(codes["200 → 200"] == 300)
    #expect(codes["423 → 423"] == 50)
    let departures = codes.filter { $0.key.hasPrefix("412 → ") && $0.key != "412 → 412" }
    #expect(departures.values.reduce(0, +) == (50 - (codes["412 → 412"] ?? 0)))
    let differences = try #require(fidelity["differences"] as? [[String: Any]])
    #expect(differences.allSatisfy { $0["recordedStatus"] as? Int == 412 })
  }
}
