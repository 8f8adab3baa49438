import ArgumentParser
import Capture
import Compositor
import Engine
import Foundation
import Logging
import Measurements
import Reports
import SIPCore
import Transport

/// What `pubsim run` and `pubsim replay` share: the target (or the embedded compositor when none
/// is given), the engine's run with its progress line, Ctrl-C handling, live metrics and
/// threshold watch, and the report and exit code at the end.
struct LoadSession {
  var metricsListen: MetricsAddress?
  var thresholds: [Threshold]
  var abortOnThreshold: Bool
  /// Said on Ctrl-C after "stopping, draining outstanding transactions".
  var stoppingNote = ""
  /// Diagnostics (`--log-level`): signals and the service group.
  var logger: Logger
  /// `--hdr-log FILE`: the latency in HdrHistogram's log format, written with the report.
  var hdrLog: String? = nil
  /// `--pcap FILE`: the run's own traffic, recorded while it runs.
  var recording: Recording? = nil
  /// `--instance I/N`: this run's part of a split test, named in its report.
  var instance = RunInstance.whole
  /// `--start-at TIME`: when the engine starts (with the other instances).
  var startAt: Date? = nil

  struct Recording {
    var path: String
    var ring: TrafficRecorder.Ring? = nil
  }

  /// `target` with a profile's `transport:` applied when the URI names none.
  static func target(_ target: SIPTarget, transport: String?) -> SIPTarget {
    guard let transport, !target.transportIsExplicit else { return target }
    var chosen = target
    chosen.transport = transport == "tcp" ? .tcp : .udp
    chosen.transportIsExplicit = true
    return chosen
  }

  /// `--local-ip` values (and a profile's `localIp:`), expanded.
  static func localAddresses(_ items: [String]) throws -> [String] {
    do {
      return try LocalAddressList.expand(items)
    } catch {
      throw ValidationError("--local-ip \(error)")
    }
  }

  /// Checks that every source address is this machine's (before the run, in one line).
  static func checkSources(_ sources: [String]) throws {
    for source in sources {
      do {
        try SourceAddress.checkUsable(source)
      } catch {
        throw CommandError.input("--local-ip \(error)")
      }
    }
  }

  /// The target to load: the first address of `target` (RFC 3263: SRV, A, AAAA) that answers
  /// from the first of `sources`, said in one line with how it was found; or the embedded compositor started
  /// on a free loopback port.
  /// `alsoTCP`: the embedded compositor listens for TCP on the same port too (`--tcp-above`).
  static func resolveTarget(
    _ target: SIPTarget?, transport: SIPTransportKind, sources: [String] = [], alsoTCP: Bool = false,
    logger: Logger
  ) async throws -> (endpoint: SIPEndpoint, embedded: CompositorServer?) {
    if let target {
      try checkSources(sources)
      return (try await TargetSelection.choose(target, source: sources.first, logger: logger), nil)
    }
    let server = CompositorServer(core: CompositorCore())
    var bound = try await server.start(listening: [
      SIPEndpoint(transport: transport, host: "127.0.0.1", port: 0)
    ])
    if alsoTCP && transport == .udp {
      bound += try await server.start(listening: [
        SIPEndpoint(transport: .tcp, host: "127.0.0.1", port: bound[0].port)
      ])
    }
    StandardOutput.line("no target given: using the embedded compositor on \(bound[0].uri)")
    return (bound[0], server)
  }

  /// Runs the engine to its end (or Ctrl-C, or a failed threshold with `abortOnThreshold`),
  /// showing progress and serving live metrics; stops the embedded compositor afterwards.
  /// Returns when it started (after waiting for `--start-at`).
  func execute<W: Workload>(_ engine: LoadEngine<W>, kind: String, embedded: CompositorServer?) async throws
    -> (LoadEngine<W>.Result, RunReport.Pcap?, startedAt: Date)
  {
    let recorder: TrafficRecorder?
    do {
      try await waitForStart()
      recorder = try recording.map { try Self.startRecording($0, target: engine.plan.target) }
    } catch {
      try? await embedded?.stop()
      throw error
    }
    let startedAt = Date()
    let result: LoadEngine<W>.Result
    do {
      result = try await run(engine, kind: kind, embedded: embedded)
    } catch {
      _ = try? recorder?.stop()
      throw error
    }
    // The run's measurements stand even when its recording failed: say so, and report them.
    do {
      return (result, try recorder.map(Self.stopRecording), startedAt)
    } catch {
      StandardOutput.error("warning: \(error)")
      return (result, nil, startedAt)
    }
  }

  /// ", instance I/N taking K" for the first line of a split test's instance; empty otherwise.
  static func instanceText(_ instance: RunInstance, share: Int) -> String {
    instance.isWhole ? "" : ", instance \(instance) taking \(share)"
  }

  /// The report's parameters entry for an instance.
  static func instanceParameter(_ instance: RunInstance) -> String {
    "\(instance) (publishers ≡ \(instance.index) mod \(instance.count), 1/\(instance.count) of every rate)"
  }

  /// Sleeps until `--start-at`, saying so. A time already past (a retried instance) starts at
  /// once, with a warning: that instance's stages then run behind the others'.
  private func waitForStart() async throws {
    guard let startAt else { return }
    let stamp = ISO8601DateFormatter().string(from: startAt)
    let wait = startAt.timeIntervalSinceNow
    guard wait > 0 else {
      if wait < -1 {
        StandardOutput.error(
          "warning: --start-at \(stamp) passed \(Int(-wait)) s ago: starting now, behind the other instances")
      }
      return
    }
    StandardOutput.line(
      "waiting \(DurationText.describe(nanoseconds: UInt64(wait * 1e9))) to start at \(stamp)")
    try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
  }

  /// Starts `--pcap` on the traffic with the target.
  static func startRecording(_ recording: Recording, target: SIPEndpoint) throws -> TrafficRecorder {
    do {
      let recorder = try TrafficRecorder(
        path: recording.path, filter: TrafficRecorder.filter(host: target.host, port: target.port),
        ring: recording.ring)
      recorder.start()
      return recorder
    } catch {
      throw CommandError.input("--pcap \(recording.path): \(error)")
    }
  }

  /// Ends `--pcap`, saying what it holds.
  static func stopRecording(_ recorder: TrafficRecorder) throws -> RunReport.Pcap {
    let result: TrafficRecorder.Result
    do {
      result = try recorder.stop()
    } catch {
      throw CommandError.input("--pcap \(error)")
    }
    StandardOutput.line(
      "pcap: \(StandardOutput.count(result.packets, "packet")) in \(result.files.joined(separator: ", "))"
        + (result.dropped > 0 ? " (\(result.dropped) dropped by the kernel)" : ""))
    return RunReport.Pcap(files: result.files, packets: result.packets, dropped: result.dropped)
  }

  private func run<W: Workload>(_ engine: LoadEngine<W>, kind: String, embedded: CompositorServer?)
    async throws
    -> LoadEngine<W>.Result
  {
    let note = stoppingNote
    let printer = ProgressPrinter()
    let exporter = PrometheusExporter()
    var metricsServer: MetricsHTTPServer?
    if let metricsListen {
      do {
        metricsServer = try await MetricsHTTPServer.start(
          host: metricsListen.host, port: metricsListen.port, exporter: exporter)
      } catch {
        try? await embedded?.stop()
        throw CommandError.input("--metrics-listen \(metricsListen.text): cannot listen: \(error)")
      }
      StandardOutput.line("live metrics on http://\(metricsListen.text)/metrics")
    }
    let watcher = abortOnThreshold && !thresholds.isEmpty ? watchThresholds(engine: engine, kind: kind) : nil
    defer { watcher?.cancel() }
    let result: LoadEngine<W>.Result
    do {
      result = try await SignalShutdown.run(logger: logger) {
        StandardOutput.error("\nsignal received: stopping, draining outstanding transactions" + note)
        engine.requestStop()
      } _: {
        try await engine.run { progress in
          printer.show(progress)
          exporter.update(progress.live)
        }
      }
    } catch {
      await metricsServer?.stop()
      try? await embedded?.stop()
      throw CommandError.run("\(error)")
    }
    await metricsServer?.stop()
    printer.finish()
    if let embedded { try? await embedded.stop() }
    return result
  }

  /// Checks the thresholds on the run so far once a second, after a 5 s warm-up, and stops the
  /// run when one fails (the final check and report still happen).
  private func watchThresholds<W: Workload>(engine: LoadEngine<W>, kind: String) -> Task<Void, Never> {
    let thresholds = thresholds
    return Task {
      var elapsed = 0
      while !Task.isCancelled {
        try? await Task.sleep(nanoseconds: 1_000_000_000)
        elapsed += 1
        guard elapsed >= 5, let snapshot = try? await engine.snapshot() else { continue }
        let results = thresholds.map { $0.check(snapshot.metrics, durationSeconds: Double(elapsed)) }
        if let failed = results.first(where: { !$0.passed }) {
          StandardOutput.error(
            "\nthreshold '\(failed.rule)' failed at \(elapsed) s (actual \(failed.actual)): stopping")
          engine.requestStop()
          return
        }
      }
    }
  }

  /// Checks, before the run, that a file an option names at the end (`--hdr-log`) can be
  /// written: its folder exists and is writable, and no folder has its name.
  static func checkWritableFile(_ path: String?, option: String) throws {
    guard let path else { return }
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue
    else {
      throw CommandError.input("\(option) \(path): no folder \(folder)")
    }
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      throw CommandError.input("\(option) \(path): a folder of that name is in the way")
    }
    guard FileManager.default.isWritableFile(atPath: folder) else {
      throw CommandError.input("\(option) \(path): the folder \(folder) is not writable")
    }
  }

  /// Makes the `--report` folder before the run, so that a path that cannot hold it fails in
  /// one line now rather than after the measurements were taken.
  static func prepareReportDirectory(_ path: String?) throws {
    guard let path else { return }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
      throw CommandError.input("--report \(path): a file of that name is in the way (expected a folder)")
    }
    if let problem = makeDirectories(path) {
      throw CommandError.input("--report \(path): cannot make the folder (\(problem))")
    }
    guard FileManager.default.isWritableFile(atPath: path) else {
      throw CommandError.input("--report \(path): the folder is not writable")
    }
  }

  /// `mkdir -p`, with the system's reason when it fails ("not a directory", "permission
  /// denied"), which Foundation's errors leave out.
  private static func makeDirectories(_ path: String) -> String? {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/") {
      prefix += component + "/"
      if mkdir(prefix, 0o755) != 0 && errno != EEXIST { return String(cString: strerror(errno)).lowercased() }
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue
    else {
      return "not a directory"
    }
    return nil
  }

  /// Foundation's reason for a file error.
  static func reason(_ error: Error) -> String {
    (error as NSError).localizedDescription
  }

  /// Prints the summary and thresholds, writes the report folder, and exits 1 with a last line
  /// saying why when no transaction succeeded, or 2 when a threshold failed.
  func finish(
    _ runReport: RunReport, metrics: RunMetrics, reportDirectory: String?, extraText: String? = nil,
    writeExtraFiles: ((URL) throws -> Void)? = nil
  ) throws {
    var runReport = runReport
    if !instance.isWhole { runReport.instance = .init(index: instance.index, count: instance.count) }
    StandardOutput.line(RunSummaryText.render(runReport))
    if let extraText { StandardOutput.line(extraText) }
    if !thresholds.isEmpty {
      runReport.thresholds = thresholds.map { $0.check(metrics, durationSeconds: runReport.durationSeconds) }
      StandardOutput.line(ThresholdTable.render(runReport.thresholds ?? []))
      if !instance.isWhole {
        StandardOutput.line(
          "(this instance's part alone: `pubsim report` checks the rules on the merged instances)")
      }
    }
    if let reportDirectory {
      let directory = URL(fileURLWithPath: reportDirectory)
      do {
        try ReportWriter.write(runReport, metrics: metrics, to: directory)
        try writeExtraFiles?(directory)
      } catch {
        throw CommandError.input("cannot write the report to \(directory.path): \(Self.reason(error))")
      }
      StandardOutput.line("report written to \(directory.path)/report.html (run.json, timeseries.csv)")
    }
    if let hdrLog {
      let start = ISO8601DateFormatter().date(from: runReport.startedAt)?.timeIntervalSince1970 ?? 0
      let text = HdrLog.text(
        metrics, startedAtEpochSeconds: start, durationSeconds: runReport.durationSeconds)
      do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: hdrLog))
      } catch {
        throw CommandError.input("cannot write --hdr-log \(hdrLog): \(Self.reason(error))")
      }
      StandardOutput.line("latency histograms written to \(hdrLog) (HdrHistogram log)")
    }
    if let reason = metrics.nothingSucceededReason { throw CommandError.run(reason) }
    // An instance's part is not the test: a rate or a count judged on it would fail a whole
    // test that passes. Its rules are kept in its run.json for the merge.
    if instance.isWhole && runReport.thresholds?.contains(where: { !$0.passed }) == true { throw ExitCode(2) }
  }
}
