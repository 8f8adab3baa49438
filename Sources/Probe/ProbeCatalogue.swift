import Foundation
import Reports

/// The checks, in the order they run: the protocol (RFC 3903's operations and the ESC's
/// answers), then races, then the malformed requests of the robustness table. Ids are stable:
/// scripts select them with `--only` and `--skip` and read them from `--json`.
public enum ProbeCatalogue {
  public static var all: [ProbeCheck] { protocolChecks + raceChecks + robustnessChecks }

  static var protocolChecks: [ProbeCheck] {
    [
      initial, refresh, modify, supersededTag, remove, unknownTag, noBodyNoTag, expiresTooBrief,
      expiresTooLong, unknownEvent, unsupportedContentType, stateExpires, retransmission, optionsAllow,
      uniqueTags,
    ]
  }

  // MARK: Operations

  static let initial = ProbeCheck(
    id: "initial", rfc: "3903 §4.2, §6", expected: "2xx with SIP-ETag and Expires"
  ) { context in
    let request = context.initial(context.aor("initial"))
    let answer = await context.exchange(request)
    await context.cleanUp(request.aor, tag: answer.entityTag)
    let verdict: ProbeVerdict =
      answer.isSuccess && answer.entityTag != nil && answer.expires != nil ? .pass : .fail
    return .init(verdict, observed: answer.text, sent: request.summary)
  }

  static let refresh = newTagCheck(id: "refresh", rfc: "3903 §4.3, §6", bodyVersion: nil)
  static let modify = newTagCheck(id: "modify", rfc: "3903 §4.4, §6", bodyVersion: 1)

  /// A conditional request on a fresh publication (a refresh without body, a modify with one)
  /// must get a 2xx with an entity-tag other than the one it used.
  static func newTagCheck(id: String, rfc: String, bodyVersion: Int?) -> ProbeCheck {
    ProbeCheck(id: id, rfc: rfc, expected: "2xx with a new SIP-ETag") { context in
      await afterInitial(context, id) { aor, tag in
        let request = context.conditional(aor, tag: tag, version: bodyVersion)
        let answer = await context.exchange(request)
        let fresh = answer.entityTag.map { $0 != tag } ?? false
        await context.cleanUp(aor, tag: answer.entityTag ?? tag)
        return .init(answer.isSuccess && fresh ? .pass : .fail, observed: answer.text, sent: request.summary)
      }
    }
  }

  static let supersededTag = ProbeCheck(
    id: "superseded-etag", rfc: "3903 §6", expected: "412 to the entity-tag a modify replaced"
  ) { context in
    await afterInitial(context, "superseded") { aor, tag in
      let modified = await context.exchange(context.conditional(aor, tag: tag, version: 1))
      guard modified.isSuccess, let newer = modified.entityTag else {
        return .init(.skip, observed: "the modify before it got \(modified.text)", sent: "modify")
      }
      let request = context.conditional(aor, tag: tag)
      let answer = await context.exchange(request)
      await context.cleanUp(aor, tag: answer.entityTag ?? newer)
      return status(answer, 412, sent: request)
    }
  }

  static let remove = ProbeCheck(
    id: "remove", rfc: "3903 §4.5, §6", expected: "2xx, then 412 to the removed entity-tag"
  ) { context in
    await afterInitial(context, "remove") { aor, tag in
      let request = context.conditional(aor, tag: tag, expires: 0)
      let removed = await context.exchange(request)
      guard removed.isSuccess else { return .init(.fail, observed: removed.text, sent: request.summary) }
      let again = await context.exchange(context.conditional(aor, tag: tag))
      await context.cleanUp(aor, tag: again.entityTag)
      let verdict: ProbeVerdict = again.status == 412 ? .pass : .fail
      return .init(
        verdict, observed: "\(removed.text); then \(again.text)", sent: request.summary + "; refresh")
    }
  }

  static let unknownTag = ProbeCheck(
    id: "unknown-etag", rfc: "3903 §6", expected: "412"
  ) { context in
    let request = context.conditional(context.aor("unknown-etag"), tag: "pubsim-never-issued")
    let answer = await context.exchange(request)
    return status(answer, 412, sent: request)
  }

  static let noBodyNoTag = ProbeCheck(
    id: "no-body-no-etag", rfc: "3903 §6", expected: "400"
  ) { context in
    let request = ProbeRequest.publish(aor: context.aor("no-body"), event: context.event)
    let answer = await context.exchange(request)
    return status(answer, 400, sent: request)
  }

  // MARK: Lifetimes

  static let expiresTooBrief = ProbeCheck(
    id: "expires-too-brief", rfc: "3903 §6, 3261 §21.4.17",
    expected: "423 with Min-Expires; the retry with it gets 2xx"
  ) { context in
    let aor = context.aor("too-brief")
    let request = context.initial(aor, expires: 1)
    let answer = await context.exchange(request)
    if answer.isSuccess {
      await context.cleanUp(aor, tag: answer.entityTag)
      return .init(.skip, observed: answer.text + " (no minimum: 1 s is accepted)", sent: request.summary)
    }
    guard answer.status == 423, let least = answer.minExpires else {
      return .init(.fail, observed: answer.text, sent: request.summary)
    }
    let retry = await context.exchange(context.initial(aor, expires: least))
    await context.cleanUp(aor, tag: retry.entityTag)
    return .init(
      retry.isSuccess ? .pass : .fail, observed: "\(answer.text); retry with \(least): \(retry.text)",
      sent: request.summary)
  }

  static let expiresTooLong = ProbeCheck(
    id: "expires-too-long", rfc: "3903 §6", expected: "2xx granting less than the year asked for"
  ) { context in
    let aor = context.aor("too-long")
    let year: UInt32 = 31_536_000
    let request = context.initial(aor, expires: year)
    let answer = await context.exchange(request)
    await context.cleanUp(aor, tag: answer.entityTag)
    guard answer.isSuccess, let granted = answer.expires else {
      return .init(.fail, observed: answer.text, sent: request.summary)
    }
    let verdict: ProbeVerdict = granted < year ? .pass : granted == year ? .warn : .fail
    return .init(verdict, observed: answer.text, sent: request.summary)
  }

  static let stateExpires = ProbeCheck(
    id: "state-expires", rfc: "3903 §6", expected: "412 to a refresh after the granted lifetime"
  ) { context in
    let aor = context.aor("expiry")
    let longest = UInt32(context.longestExpiryWait.components.seconds)
    var asked: UInt32 = 1
    var answer = await context.exchange(context.initial(aor, expires: asked))
    if answer.status == 423, let least = answer.minExpires, least <= longest {
      asked = least
      answer = await context.exchange(context.initial(aor, expires: least))
    }
    guard answer.isSuccess, let tag = answer.entityTag else {
      return .init(
        .skip, observed: "no lifetime of \(longest) s or less granted: \(answer.text)", sent: "initial")
    }
    let granted = answer.expires ?? asked
    guard granted <= longest else {
      await context.cleanUp(aor, tag: tag)
      return .init(
        .skip, observed: "granted \(granted) s, more than the \(longest) s waited for", sent: "initial")
    }
    try? await Task.sleep(for: .seconds(Int(granted) + 2))
    let refresh = context.conditional(aor, tag: tag)
    let after = await context.exchange(refresh)
    await context.cleanUp(aor, tag: after.entityTag)
    return .init(
      after.status == 412 ? .pass : .fail,
      observed: "granted \(granted) s; \(granted + 2) s later: \(after.text)",
      sent: "initial Expires \(asked), refresh after \(granted + 2) s")
  }

  // MARK: Refusals

  static let unknownEvent = ProbeCheck(
    id: "unknown-event", rfc: "3903 §6, 6665 §8.3.2", expected: "489 with Allow-Events"
  ) { context in
    let aor = context.aor("unknown-event")
    let request = ProbeRequest.publish(
      aor: aor, event: "pubsim-no-such-package", body: context.body(for: aor, version: 0),
      contentType: context.contentType)
    let answer = await context.exchange(request)
    await context.cleanUp(aor, tag: answer.entityTag)
    guard answer.status == 489 else { return .init(.fail, observed: answer.text, sent: request.summary) }
    return .init(
      answer.header(.allowEvents) == nil ? .warn : .pass, observed: answer.text, sent: request.summary)
  }

  static let unsupportedContentType = ProbeCheck(
    id: "unsupported-content-type", rfc: "3903 §6, 3261 §21.4.13", expected: "415 (with Accept)"
  ) { context in
    let aor = context.aor("content-type")
    let request = ProbeRequest.publish(
      aor: aor, event: context.event, body: Array("not a known body".utf8),
      contentType: "application/x-pubsim-unknown")
    let answer = await context.exchange(request)
    await context.cleanUp(aor, tag: answer.entityTag)
    guard answer.status == 415 else { return .init(.fail, observed: answer.text, sent: request.summary) }
    return .init(answer.header(.accept) == nil ? .warn : .pass, observed: answer.text, sent: request.summary)
  }

  // MARK: Transactions and discovery

  static let retransmission = ProbeCheck(
    id: "retransmission", rfc: "3261 §17.2.2",
    expected: "the same response to the same request (same branch), processed once"
  ) { context in
    guard context.client.target.transport == .udp else {
      // Over TCP and TLS a server transaction ends with its final response (Timer J is zero),
      // so a copy sent later is a new request.
      return .init(.skip, observed: "retransmissions are a UDP matter", sent: "none")
    }
    return await afterInitial(context, "retransmission") { aor, tag in
      var request = context.conditional(aor, tag: tag, version: 1)
      var id = context.client.newID()
      var bytes = await context.client.render(request, id)
      var first = await context.client.send(bytes, branch: id.branch, timeout: context.client.timeout)
      if let answered = context.answering(first, to: request) {
        // A server that challenges: the copy sent twice is the one with credentials.
        (request, id) = (answered, context.client.newID())
        bytes = await context.client.render(request, id)
        first = await context.client.send(bytes, branch: id.branch, timeout: context.client.timeout)
      }
      context.client.forget(branch: id.branch)
      let second = await context.client.send(bytes, branch: id.branch, timeout: context.client.timeout)
      let newest = first.entityTag ?? tag
      let still = await context.exchange(context.conditional(aor, tag: newest))
      await context.cleanUp(aor, tag: still.entityTag ?? newest)
      let same = first.status == second.status && first.entityTag == second.entityTag
      let verdict: ProbeVerdict = first.isSuccess && same && still.isSuccess ? .pass : .fail
      return .init(
        verdict,
        observed:
          "\(first.text); again: \(second.text); refresh with it: \(still.status.map(String.init) ?? "none")",
        sent: "modify sent twice with one branch")
    }
  }

  static let optionsAllow = ProbeCheck(
    id: "options-allow", rfc: "3903 §5, 3261 §11", expected: "2xx with PUBLISH in Allow"
  ) { context in
    let request = ProbeRequest(method: "OPTIONS", aor: "", headers: [("Accept", "application/sdp")])
    let answer = await context.client.exchange(request)
    let allows = (answer.header(.allow) ?? "").uppercased().split(separator: ",").contains {
      $0.trimmingCharacters(in: .whitespaces) == "PUBLISH"
    }
    return .init(answer.isSuccess && allows ? .pass : .fail, observed: answer.text, sent: "OPTIONS")
  }

  static let uniqueTags = ProbeCheck(
    id: "etag-unique", rfc: "3903 §6", expected: "1 000 publications, 1 000 different entity-tags"
  ) { context in
    let count = 1_000
    let results = await withTaskGroup(of: [(String, String?, Int?)].self) { group in
      for lane in 0..<20 {
        group.addTask {
          var answers: [(String, String?, Int?)] = []
          for number in stride(from: lane, to: count, by: 20) {
            let aor = context.aor("unique", number)
            let answer = await context.exchange(context.initial(aor))
            answers.append((aor, answer.entityTag, answer.status))
          }
          return answers
        }
      }
      return await group.reduce(into: []) { $0 += $1 }
    }
    let tags = results.compactMap(\.1)
    let distinct = Set(tags).count
    await withTaskGroup(of: Void.self) { group in
      for lane in 0..<20 {
        group.addTask {
          for (aor, tag, _) in results.enumerated().filter({ $0.offset % 20 == lane }).map(\.element) {
            await context.cleanUp(aor, tag: tag)
          }
        }
      }
    }
    let refused = results.filter { !(200..<300).contains($0.2 ?? 0) }.count
    let verdict: ProbeVerdict = refused == 0 && distinct == count ? .pass : .fail
    return .init(
      verdict, observed: "\(count - refused) answered 2xx, \(distinct) different entity-tags",
      sent: "\(count) initial publications, 20 at a time")
  }

  // MARK: Helpers

  /// Runs `body` with a fresh publication of its own; skipped when the initial one fails.
  static func afterInitial(
    _ context: ProbeContext, _ name: String, _ body: (String, String) async -> ProbeCheck.Outcome
  ) async -> ProbeCheck.Outcome {
    let aor = context.aor(name)
    let (answer, tag) = await context.establish(aor)
    guard let tag else {
      return .init(.skip, observed: "the initial publication got \(answer.text)", sent: "initial")
    }
    return await body(aor, tag)
  }

  /// Pass when the final response has this status.
  static func status(_ answer: ProbeAnswer, _ expected: Int, sent request: ProbeRequest) -> ProbeCheck.Outcome
  {
    .init(answer.status == expected ? .pass : .fail, observed: answer.text, sent: request.summary)
  }
}
