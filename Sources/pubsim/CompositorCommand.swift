import ArgumentParser
import Compositor
import Foundation
import NIOCore
import NIOSSL
import Profiles
import Publication
import SIPCore
import Transport

/// `pubsim compositor`: run the embedded Event State Compositor until SIGINT or SIGTERM.
struct CompositorCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compositor",
    abstract: "Run the embedded RFC 3903 Event State Compositor (PUBLISH server).",
    discussion: """
      Answers PUBLISH and OPTIONS over UDP and TCP until SIGINT or SIGTERM, then prints one \
      summary line (requests by method, responses by code, live publications) and exits 0.
      Delays are written 5ms, uniform:1ms-10ms or exp:5ms.
      A --listen host may be an IP address, a name (each of its addresses is listened on), or \
      0.0.0.0 / [::] for every address (over UDP, one socket per address of the machine, so that \
      answers leave from the address each request came to).
      """
  )

  @Option(
    name: .customLong("listen"),
    help: ArgumentHelp(
      "Address to listen on, as a SIP URI (IP, name, 0.0.0.0 or [::]); repeat for several.", valueName: "uri")
  )
  var listen: [String] = ["sip:127.0.0.1:5060", "sip:127.0.0.1:5060;transport=tcp"]

  @Option(help: ArgumentHelp("Accepted event packages, comma-separated.", valueName: "list"))
  var events: String = "presence,dialog,message-summary,reg"

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Shortest Expires accepted; shorter gets 423.", valueName: "seconds"))
  var minExpires: UInt32 = 60

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Longest Expires granted; longer is shortened.", valueName: "seconds"))
  var maxExpires: UInt32 = 3600

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Hold every response this long (fixed, uniform: or exp:).", valueName: "delay"))
  var delay: String?

  @Option(
    help: ArgumentHelp(
      "Hold every response for DURATION starting AT after start, e.g. 10s:1s.", valueName: "at:duration"))
  var stall: String?

  @Option(help: ArgumentHelp("Fraction of requests to ignore, 0...1 (simulated loss).", valueName: "p"))
  var drop: Double = 0

  @Option(
    help: ArgumentHelp(
      "Hold each NOTIFY to a watcher this long before sending it (fixed, uniform: or exp:).",
      valueName: "delay"))
  var notifyDelay: String?

  @Option(
    help: ArgumentHelp(
      "Fraction of NOTIFY transmissions not sent, 0...1 (simulated loss; UDP retransmission recovers).",
      valueName: "p"))
  var notifyDrop: Double = 0

  @Option(help: ArgumentHelp("Answer a fraction of requests with CODE; repeatable.", valueName: "p:code"))
  var fail: [String] = []

  @Option(help: ArgumentHelp("Require digest authentication in this realm.", valueName: "realm"))
  var authRealm: String?

  @Option(
    help: ArgumentHelp(
      "Users and passwords for --auth-realm (CSV: user,password[,domain]).", valueName: "file"))
  var credentials: String?

  @Option(help: ArgumentHelp("Digest algorithm to challenge with: MD5 or SHA-256.", valueName: "name"))
  var authAlgorithm: String = "MD5"

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Event loops to serve on; one per core unless given.", valueName: "n"))
  var threads: Int = System.coreCount

  @Option(help: ArgumentHelp("How long a UDP response is kept for retransmissions.", valueName: "duration"))
  var transactionLinger: String = "32s"

  @Option(help: ArgumentHelp("PEM certificate (chain) a sips: listener presents.", valueName: "file"))
  var tlsCert: String?

  @Option(help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "file"))
  var tlsKey: String?

  @OptionGroup
  var log: LogOptions

  func validate() throws {
    _ = try endpoints()
    if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
    if try endpoints().contains(where: { $0.transport == .tls }), tlsCert == nil {
      throw ValidationError("a sips: or ;transport=tls listener needs --tls-cert and --tls-key")
    }
    _ = try faultPlan()
    _ = try policy()
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    _ = try authentication()
    guard DurationText.nanoseconds(transactionLinger) != nil else {
      throw ValidationError("--transaction-linger '\(transactionLinger)' is not a duration such as 32s")
    }
  }

  func run() async throws {
    let logger = log.logger("compositor")
    let core = CompositorCore(
      policy: try policy(), faults: try faultPlan(), authentication: try authentication())
    let server = CompositorServer(
      core: core, threads: threads,
      transactionLifetime: DurationText.nanoseconds(transactionLinger) ?? 32_000_000_000,
      tls: try tlsContext(), logger: logger)
    let bound: [SIPEndpoint]
    do {
      bound = try await server.start(listening: try resolvedEndpoints())
    } catch let error as CommandError {
      try? await server.stop()
      throw error
    } catch {
      try? await server.stop()
      throw CommandError.input("cannot listen: \(error)")
    }
    let summary = try await SignalShutdown.serveUntilSignal(logger: logger) {
      for endpoint in bound {
        StandardOutput.line(
          "pubsim compositor listening on \(endpoint.uri) (\(endpoint.transport)"
            + (endpoint.name.map { ", \($0)" } ?? "") + ")")
      }
    } then: {
      let summary = try await server.summary()
      try await server.stop()
      return summary
    }
    StandardOutput.line("\(summary) (stopped by a signal)")
  }

  private func tlsContext() throws -> NIOSSLContext? {
    guard let tlsCert, let tlsKey else { return nil }
    do {
      return try TLSContexts.server(certificateFile: tlsCert, keyFile: tlsKey)
    } catch {
      throw CommandError.input("cannot use --tls-cert \(tlsCert) with --tls-key \(tlsKey): \(error)")
    }
  }

  /// The `--listen` URIs as written (checked, not yet looked up).
  private func endpoints() throws -> [SIPTarget] {
    try listen.map { text in
      do {
        return try SIPTarget.parse(text)
      } catch {
        throw ValidationError("--listen \(error)")
      }
    }
  }

  /// The sockets to open: names looked up, UDP wildcards spread over the machine's addresses.
  private func resolvedEndpoints() throws -> [SIPEndpoint] {
    let interfaces = ListenAddresses.machineAddresses()
    return try endpoints().flatMap { target in
      do {
        return try ListenAddresses.expand(target, interfaces: interfaces, lookup: SystemNameLookup())
      } catch {
        throw CommandError.input("--listen \(target): \(error)")
      }
    }
  }

  private func authentication() throws -> DigestVerifier? {
    guard let realm = authRealm else {
      if credentials != nil { throw ValidationError("--credentials needs --auth-realm") }
      return nil
    }
    guard let algorithm = DigestAlgorithm(token: authAlgorithm) else {
      throw ValidationError("--auth-algorithm '\(authAlgorithm)': use MD5 or SHA-256")
    }
    guard let credentials else { throw ValidationError("--auth-realm needs --credentials FILE") }
    let text: String
    do {
      text = try String(contentsOfFile: credentials, encoding: .utf8)
    } catch {
      throw CommandError.input("cannot read --credentials \(credentials)")
    }
    let identities: [Identity]
    do {
      identities = try IdentitySource.parseCSV(text, file: credentials)
    } catch {
      throw CommandError.input(error.description)
    }
    var passwords: [String: String] = [:]
    for identity in identities { passwords[identity.user] = identity.password ?? "" }
    return DigestVerifier(realm: realm, algorithm: algorithm, passwords: passwords)
  }

  private func policy() throws -> CompositorPolicy {
    let names = events.split(separator: ",").map { String($0).trimmingSIPWhitespace() }.filter { !$0.isEmpty }
    guard !names.isEmpty else { throw ValidationError("--events needs at least one event package") }
    guard minExpires <= maxExpires else {
      throw ValidationError("--min-expires \(minExpires) is above --max-expires \(maxExpires)")
    }
    return CompositorPolicy(
      events: names.map(EventPackage.named), minExpires: minExpires, maxExpires: maxExpires)
  }

  private func faultPlan() throws -> FaultPlan {
    guard (0...1).contains(drop) else { throw ValidationError("--drop \(drop) must be between 0 and 1") }
    guard (0...1).contains(notifyDrop) else {
      throw ValidationError("--notify-drop \(notifyDrop) must be between 0 and 1")
    }
    var plan = FaultPlan(dropProbability: drop)
    plan.notifyDropProbability = notifyDrop
    if let notifyDelay {
      plan.notifyDelay = try DelayDistribution.parse(notifyDelay).mapError {
        ValidationError($0.description.replacingOccurrences(of: "--delay", with: "--notify-delay"))
      }.get()
    }
    if let delay {
      plan.delay = try DelayDistribution.parse(delay).mapError { ValidationError($0.description) }.get()
    }
    if let stall {
      plan.stall = try FaultPlan.Stall.parse(stall).mapError { ValidationError($0.description) }.get()
    }
    plan.failures = try fail.map {
      try FaultPlan.Failure.parse($0).mapError { ValidationError($0.description) }.get()
    }
    return plan
  }
}
