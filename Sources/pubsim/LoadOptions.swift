import ArgumentParser
import Capture
import Engine
import Foundation
import Reports
import SIPCore
import Transport

/// What `run` and `replay` share, declared once so that both show it in one order in `--help`
/// and parse it once: the target and the addresses to send from, TLS, the end of the run, the
/// report and its gates, live metrics, shards, diagnostics.
struct LoadOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Compositor to test, as a SIP URI: an address, a name, or a domain with SRV records.", valueName: "uri"),
    transform: LoadOptions.target)
  var target: SIPTarget?

  @Option(
    name: .customLong("local-ip"),
    help: ArgumentHelp(
      "Source address or CIDR range to send from; repeat to spread publishers over several.",
      valueName: "addr"))
  var localIP: [String] = []

  @OptionGroup
  var tls: TLSFlags

  @Flag(help: "At the end (or on Ctrl-C), remove every publication left live.")
  var cleanup = false

  @Option(
    help: ArgumentHelp(
      "Write run.json, metrics.json, timeseries.csv and report.html here (replay: also fidelity.csv).",
      valueName: "dir"))
  var report: String?

  @Option(
    help: ArgumentHelp(
      "Pass/fail rule checked at the end, e.g. 'p99(refresh) < 20ms', 'errors < 0.1%'; repeatable.",
      valueName: "rule"),
    transform: LoadOptions.threshold)
  var threshold: [Threshold] = []

  @Flag(help: "Check thresholds every second (after 5 s) and stop as soon as one fails.")
  var abortOnThreshold = false

  @Option(
    help: ArgumentHelp(
      "Serve live Prometheus metrics at http://HOST:PORT/metrics while running.", valueName: "host:port"),
    transform: MetricsAddress.init)
  var metricsListen: MetricsAddress?

  // Numbers are parsed unconditionally, so that "-3" is refused as a value, not taken for a flag.
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Shards (event loops); default one per core (run --arrival-rate: one per 25 000 PUBLISH/s).",
      valueName: "n"))
  var shards: Int?

  @Option(
    name: .customLong("hdr-log"),
    help: ArgumentHelp(
      "Write each operation's latency, and each second's, in HdrHistogram's log format here.",
      valueName: "file"))
  var hdrLog: String?

  @Option(
    name: .customLong("tcp-above"), parsing: .unconditional,
    help: ArgumentHelp(
      "Over UDP, send requests larger than this many bytes over TCP instead (RFC 3261 §18.1.1 says 1300 "
        + "when the path MTU is unknown).",
      valueName: "bytes"))
  var tcpAbove: Int?

  @Option(
    help: ArgumentHelp(
      "Record every packet between pubsim and the target here (libpcap, kernel timestamps; needs "
        + "CAP_NET_RAW: root).",
      valueName: "file"))
  var pcap: String?

  @Option(
    name: .customLong("pcap-max"),
    help: ArgumentHelp(
      "Bound the recording to this much disk, as a ring of --pcap-files files (oldest overwritten), "
        + "e.g. 500MB.",
      valueName: "size"),
    transform: ByteSize.init)
  var pcapMax: ByteSize?

  @Option(
    name: .customLong("pcap-files"), parsing: .unconditional,
    help: ArgumentHelp("Files in the --pcap-max ring.", valueName: "n"))
  var pcapFiles = 4

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Seed for every random decision (run: also the profile's seed:); the same seed repeats the run's "
        + "requests and their intended times. Printed and stored in run.json.",
      valueName: "n"))
  var seed: UInt64?

  @Option(
    help: ArgumentHelp(
      "Be instance I of N splitting one test over N processes or machines: publishers numbered ≡ I "
        + "(mod N), 1/N of every rate; the report goes to DIR/instance-I for `pubsim report DIR`.",
      valueName: "I/N"),
    transform: LoadOptions.instance)
  var instance: RunInstance?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Be one of N instances, the index read from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job).",
      valueName: "n"))
  var instances: Int?

  @Option(
    name: .customLong("start-at"),
    help: ArgumentHelp(
      "Start at this time (RFC 3339, e.g. 2026-12-01T09:00:00Z), so that instances begin together.",
      valueName: "time"),
    transform: LoadOptions.startTime)
  var startAt: Date?

  @OptionGroup
  var log: LogOptions

  func validate() throws {
    _ = try localAddresses(orElse: [])
    let instance = try runInstance(environment: ProcessInfo.processInfo.environment)
    if abortOnThreshold && !instance.isWhole {
      throw ValidationError(
        "--abort-on-threshold would judge one instance's part as the whole test; a split test's thresholds "
          + "are checked when `pubsim report` merges the instances")
    }
    if let shards, shards < 1 { throw ValidationError("--shards must be at least 1") }
    if let tcpAbove, !(200...65_000).contains(tcpAbove) {
      throw ValidationError("--tcp-above must be 200 to 65000 bytes")
    }
    if pcap == nil && pcapMax != nil { throw ValidationError("--pcap-max needs --pcap FILE") }
    guard (1...1_000).contains(pcapFiles) else { throw ValidationError("--pcap-files must be 1 to 1000") }
    if let pcapMax, pcapMax.bytes / pcapFiles < 100_000 {
      throw ValidationError("--pcap-max \(pcapMax.text) leaves under 100 kB for each of \(pcapFiles) files")
    }
  }

  /// `--pcap` with its bounds, for the session.
  var recording: LoadSession.Recording? {
    pcap.map { path in
      LoadSession.Recording(
        path: path,
        ring: pcapMax.map { TrafficRecorder.Ring(fileBytes: $0.bytes / pcapFiles, files: pcapFiles) })
    }
  }

  /// The most instances one test splits into.
  static let instanceLimit = 10_000

  /// `--instance I/N`, or `--instances N` with the index from `JOB_COMPLETION_INDEX`; the whole
  /// test without either.
  func runInstance(environment: [String: String]) throws -> RunInstance {
    if instance != nil && instances != nil {
      throw ValidationError("give --instance I/N or --instances N, not both")
    }
    if let instance { return instance }
    guard let instances else { return .whole }
    guard (1...Self.instanceLimit).contains(instances) else {
      throw ValidationError("--instances must be 1 to \(Self.instanceLimit)")
    }
    guard let text = environment["JOB_COMPLETION_INDEX"] else {
      throw ValidationError(
        "--instances \(instances) reads this instance's index from JOB_COMPLETION_INDEX, which is not set "
          + "(use --instance I/N outside a Kubernetes Indexed Job)")
    }
    guard let index = Int(text), let instance = RunInstance(index: index, count: instances) else {
      throw ValidationError("JOB_COMPLETION_INDEX '\(text)' is not an index below --instances \(instances)")
    }
    return instance
  }

  /// `--report DIR`, or DIR/instance-I for an instance of a split test: each instance writes its
  /// own folder, and a retried instance overwrites its own.
  func reportDirectory(_ instance: RunInstance) -> String? {
    guard let report, !instance.isWhole else { return report }
    return URL(fileURLWithPath: report).appendingPathComponent("instance-\(instance.index)").path
  }

  static func instance(_ text: String) throws -> RunInstance {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
      throw ValidationError("expected I/N, e.g. 0/4 for the first of four")
    }
    guard (1...instanceLimit).contains(count) else {
      throw ValidationError("N must be 1 to \(instanceLimit)")
    }
    guard let instance = RunInstance(index: index, count: count) else {
      throw ValidationError("I must be 0 to \(count - 1) (instances are numbered from 0)")
    }
    return instance
  }

  /// An RFC 3339 time, with or without fractions of a second.
  static func startTime(_ text: String) throws -> Date {
    let formatter = ISO8601DateFormatter()
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions.insert(.withFractionalSeconds)
    if let date = formatter.date(from: text) { return date }
    throw ValidationError("expected an RFC 3339 time such as 2026-12-01T09:00:00Z")
  }

  /// `--local-ip` expanded, or `fallback` (a profile's `localIp:`) when none was given.
  func localAddresses(orElse fallback: [String]) throws -> [String] {
    try LoadSession.localAddresses(localIP.isEmpty ? fallback : localIP)
  }

  /// A `--threshold` rule; the error is the reason alone (the parser names the flag and value).
  static func threshold(_ rule: String) throws -> Threshold {
    do {
      return try Threshold.parse(rule)
    } catch {
      throw ValidationError(error.reason)
    }
  }

  static func target(_ text: String) throws -> SIPTarget {
    do {
      return try SIPTarget.parse(text)
    } catch {
      throw ValidationError(error.reason)
    }
  }
}

/// `--metrics-listen`: `127.0.0.1:9464`, `[::1]:9464` or `localhost:9464`.
struct MetricsAddress {
  var host: String
  var port: Int
  /// As written, for messages.
  var text: String

  init(_ text: String) throws {
    guard let hostPort = HostPort(text), let port = hostPort.port else {
      throw ValidationError("expected HOST:PORT, e.g. 127.0.0.1:9464")
    }
    host = hostPort.host == "localhost" ? "127.0.0.1" : hostPort.host
    self.port = port
    self.text = text
  }
}
