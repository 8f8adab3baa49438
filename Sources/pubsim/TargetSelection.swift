import Engine
import Logging
import Transport

/// Picks the address a run loads, and says why: a target's addresses are tried in RFC 3263's
/// order (SRV priority and weight, then the system's A/AAAA order) until one answers; when none
/// does, the first is used with a warning (a UDP server may answer PUBLISH and not OPTIONS), or,
/// over TCP, the run stops before it starts.
enum TargetSelection {
  static func choose(_ target: SIPTarget, source: String?, logger: Logger) async throws -> SIPEndpoint {
    let candidates: [ResolvedTarget]
    do {
      candidates = try TargetResolver().resolve(target)
    } catch {
      throw CommandError.input("--target \(target): \(error)")
    }
    logger.debug(
      "resolved", metadata: ["target": "\(target)", "candidates": "\(candidates.map(\.description))"])
    var silent: [(candidate: ResolvedTarget, problem: String)] = []
    for candidate in candidates {
      logger.debug(
        "probing", metadata: ["candidate": "\(candidate.endpoint.uri)", "from": "\(source ?? "any")"])
      guard let problem = await TargetProbe.problem(candidate.endpoint, from: source) else {
        logger.info("answered", metadata: ["candidate": "\(candidate.endpoint.uri)"])
        say(candidate, of: target, after: silent.map(\.candidate))
        return candidate.endpoint
      }
      logger.info(
        "did not answer", metadata: ["candidate": "\(candidate.endpoint.uri)", "problem": "\(problem)"])
      silent.append((candidate, problem))
    }
    let first = candidates[0]
    let problems =
      silent.count == 1
      ? silent[0].problem
      : silent.map { "\($0.candidate.endpoint.uri): \($0.problem)" }.joined(separator: "; ")
    guard first.endpoint.transport == .udp else {
      throw CommandError.run("cannot connect to \(target): \(problems)")
    }
    if !target.isIPLiteral { StandardOutput.line("target \(target): \(first)") }
    StandardOutput.error("warning: \(target): \(problems); running anyway (expect timeouts)")
    return first.endpoint
  }

  /// One line when a name was looked up: the address chosen, how it was found, and the ones
  /// passed over because they did not answer.
  private static func say(_ chosen: ResolvedTarget, of target: SIPTarget, after silent: [ResolvedTarget]) {
    guard !target.isIPLiteral else { return }
    var line = "target \(target): \(chosen)"
    if !silent.isEmpty {
      line += "; " + silent.map(\.endpoint.uri).joined(separator: ", ") + " did not answer"
    }
    StandardOutput.line(line)
  }
}
