import Foundation
import Testing

/// One test split over four processes (`--instance I/N`, one of them told its index the way a
/// Kubernetes Indexed Job tells it) against one compositor: merged by `pubsim report`, they give
/// the counts one process gives, and the thresholds are decided on the merged run.
@Suite("Instances of a split test on the command line", .serialized)
struct InstanceSplitCommandTests {
  static func folder(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("pubsim-\(name)-\(UUID().uuidString)")
  }

  static func json(_ url: URL) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
  }

  /// Operation counts and transactions sent, as compared between a whole run and a merge.
  static func counts(_ run: [String: Any]) -> [String: Int] {
    var counts = (run["operations"] as? [String: [String: Any]] ?? [:]).compactMapValues {
      $0["count"] as? Int
    }
    counts["sent"] = (run["transactions"] as? [String: Any])?["sent"] as? Int
    counts["completed"] = (run["transactions"] as? [String: Any])?["completed"] as? Int
    return counts
  }

  /// Runs the four instances at once, starting together 5 s from now.
  static func runInstances(_ arguments: [String], report: URL) throws -> [FinishedProcess] {
    let formatter = ISO8601DateFormatter()
    let start = formatter.string(from: Date().addingTimeInterval(5))
    let results = ConcurrentResults(count: 4)
    runConcurrently(4) { index in
      // The last is told its index through the environment, as an Indexed Job's pod is.
      let split = index == 3 ? ["--instances", "4"] : ["--instance", "\(index)/4"]
      let result = try? runProgram(
        Interop.pubsim.path, arguments + split + ["--start-at", start, "--report", report.path], timeout: 120,
        environment: index == 3 ? ["JOB_COMPLETION_INDEX": "3"] : [:])
      results.set(index, result)
    }
    return try results.all()
  }

  @Test func fourInstancesMergeToOneProcessRun() throws {
    let compositor = try CompositorProcess()
    defer { _ = compositor.stop() }
    let whole = Self.folder("whole")
    let split = Self.folder("split")
    let merged = Self.folder("merged").appendingPathExtension("json")
    defer {
      for url in [whole, split, merged] { try? FileManager.default.removeItem(at: url) }
    }
    // 400 cycles (initial, refresh, modify, remove) at 200 new publishers a second.
    let arguments = [
      "run", Interop.repository + "/profiles/quickstart.yaml", "--target",
      "sip:127.0.0.1:\(compositor.udpPort)",
      "--arrival-rate", "200", "--publishers", "400", "--duration", "4s", "--shards", "1",
      "--threshold", "errors == 0%", "--threshold", "rate >= 1000000/s",
    ]
    let one = try runProgram(Interop.pubsim.path, arguments + ["--report", whole.path])
    #expect(one.status == 2, "the whole run fails its rate rule: \(one.output)")
    let instances = try Self.runInstances(arguments, report: split)
    for (index, instance) in instances.enumerated() {
      // An instance's part is not judged alone: its rate rule fails there, yet it exits 0.
      #expect(instance.status == 0, "instance \(index): \(instance.output) \(instance.errors)")
      #expect(instance.output.contains("instance \(index)/4 taking 100"), "\(instance.output)")
    }
    let parts = try (0..<4).map {
      try Self.json(split.appendingPathComponent("instance-\($0)").appendingPathComponent("run.json"))
    }
    #expect(parts.map { ($0["instance"] as? [String: Int])?["index"] } == [0, 1, 2, 3])
    let starts = parts.compactMap { $0["startedAtUnixMillis"] as? Int }
    #expect(starts.count == 4)
    #expect((starts.max() ?? 0) - (starts.min() ?? 0) < 2_000, "--start-at: \(starts)")

    let merge = try runProgram(Interop.pubsim.path, ["report", split.path, "--json", merged.path])
    #expect(merge.status == 2, "the merged run fails the rate rule: \(merge.output) \(merge.errors)")
    let mergedRun = try Self.json(merged)
    let wholeRun = try Self.json(whole.appendingPathComponent("run.json"))
    #expect(Self.counts(mergedRun) == Self.counts(wholeRun))
    #expect(Self.counts(mergedRun)["initial"] == 400)
    let thresholds = mergedRun["thresholds"] as? [[String: Any]] ?? []
    #expect(thresholds.map { $0["rule"] as? String } == ["errors == 0%", "rate >= 1000000/s"])
    #expect(thresholds.map { $0["passed"] as? Bool } == [true, false])
    #expect((mergedRun["parameters"] as? [String: String])?["instances"] == "4, merged")
    if SchemaValidator.available {
      try SchemaTests.validate(
        "run.schema.json", [merged.path, split.appendingPathComponent("instance-0/run.json").path])
    }

    // A merge job must not pass off three instances as the test.
    try FileManager.default.removeItem(at: split.appendingPathComponent("instance-2"))
    let partial = try runProgram(Interop.pubsim.path, ["report", split.path])
    #expect(partial.status == 64)
    #expect(
      partial.errors.contains("instance 2/4 missing: 3 of 4 instance reports given"), "\(partial.errors)")
  }

  /// A replay split in two plays each recorded publisher once: together every transaction, with
  /// the recorded outcomes.
  @Test func aReplaySplitInTwoPlaysTheRecordingOnce() throws {
    let compositor = try CompositorProcess()
    defer { _ = compositor.stop() }
    let split = Self.folder("replay-split")
    defer { try? FileManager.default.removeItem(at: split) }
    let lifecycle = Interop.repository + "/captures/lifecycle-50.pcap"
    let port = compositor.udpPort
    let halves = ConcurrentResults(count: 2)
    runConcurrently(2) { index in
      halves.set(
        index,
        try? runProgram(
          Interop.pubsim.path,
          [
            "replay", lifecycle, "--target", "sip:127.0.0.1:\(port)", "--instance", "\(index)/2",
            "--report", split.path,
          ], timeout: 180))
    }
    for half in try halves.all() { #expect(half.status == 0, "\(half.output) \(half.errors)") }
    let merge = try runProgram(Interop.pubsim.path, ["report", split.path])
    #expect(merge.status == 0, "\(merge.errors)")
    #expect(merge.output.contains("fidelity: 400 of 400 comparable transactions"), "\(merge.output)")
  }
}

/// Runs `body(0..<count)` each on a thread of its own, and waits for all (GCD's concurrentPerform
/// would run only as many at once as there are cores).
func runConcurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
  let group = DispatchGroup()
  for index in 0..<count {
    group.enter()
    Thread {
      body(index)
      group.leave()
    }.start()
  }
  group.wait()
}

/// Results filled in by concurrent work, one slot each.
final class ConcurrentResults: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [FinishedProcess?]

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ result: FinishedProcess?) {
    lock.lock()
    defer { lock.unlock() }
    slots[index] = result
  }

  func all() throws -> [FinishedProcess] {
    lock.lock()
    defer { lock.unlock() }
    return try slots.enumerated().map { index, slot in
      guard let slot else { throw InteropError("process \(index) did not run") }
      return slot
    }
  }
}
