import Profiles
import SIPCore

/// What every check works with: the client, the event package and body to publish, the domain
/// of the resources, credentials for a server that challenges, and how long a check may wait
/// for state to expire. Each check publishes to resources of its own, so that checks do not
/// disturb each other (with credentials, to the credentials' users).
public struct ProbeContext: Sendable {
  public let client: ProbeClient
  public let event: String
  public let domain: String
  /// user → password; a challenge is answered when the resource's user has one.
  public let credentials: [String: String]
  /// The longest granted lifetime the expiry check waits out.
  public let longestExpiryWait: Duration
  private let template: BodyTemplate
  public let contentType: String

  public init(
    client: ProbeClient, event: String, domain: String, credentials: [String: String] = [:],
    longestExpiryWait: Duration = .seconds(10)
  ) {
    self.client = client
    self.event = event
    self.domain = domain
    self.credentials = credentials
    self.longestExpiryWait = longestExpiryWait
    (template, contentType) = BodyTemplate.defaults(for: event)
  }

  /// A resource for a check (`probe-<name>-<n>@domain`), or a credential's user when the server
  /// needs authentication.
  public func aor(_ name: String, _ number: Int = 0) -> String {
    let users = credentials.keys.sorted()
    guard users.isEmpty else {
      let pick = name.utf8.reduce(number) { $0 &+ Int($1) }
      return "\(users[pick % users.count])@\(domain)"
    }
    return "probe-\(name)-\(number)@\(domain)"
  }

  public func body(for aor: String, version: Int) -> [UInt8] {
    template.render(aor: aor, version: version)
  }

  /// An initial publication with a body.
  public func initial(_ aor: String, expires: UInt32? = 60) -> ProbeRequest {
    .publish(
      aor: aor, event: event, expires: expires, body: body(for: aor, version: 0), contentType: contentType)
  }

  /// A conditional request: refresh (no body), modify (a body of `version`) or remove.
  public func conditional(_ aor: String, tag: String, expires: UInt32? = 60, version: Int? = nil)
    -> ProbeRequest
  {
    let body = version.map { self.body(for: aor, version: $0) } ?? []
    return .publish(
      aor: aor, event: event, ifMatch: tag, expires: expires, body: body, contentType: contentType)
  }

  /// Sends a request; a 401 or 407 is answered once with the resource's credentials.
  public func exchange(_ request: ProbeRequest, id: ProbeTransactionID? = nil) async -> ProbeAnswer {
    let id = id ?? client.newID()
    let answer = await client.exchange(request, id: id)
    guard let retry = answering(answer, to: request) else { return answer }
    var next = id
    next.branch = client.newID().branch
    return await client.exchange(retry, id: next)
  }

  /// The request with the credentials that answer a 401 or 407 to it; nil for any other
  /// answer, or when the resource's user has no password here.
  public func answering(_ answer: ProbeAnswer, to request: ProbeRequest) -> ProbeRequest? {
    guard let status = answer.status, status == 401 || status == 407,
      let challengeText = answer.header(status == 401 ? .wwwAuthenticate : .proxyAuthenticate),
      let challenge = DigestChallenge(challengeText),
      let user = request.aor.split(separator: "@").first.map(String.init),
      let password = credentials[user]
    else { return nil }
    let value = DigestAuthorization.header(
      answering: challenge, method: request.method, uri: "sip:" + request.aor, username: user,
      password: password, nonceCount: 1, cnonce: String(UInt32.random(in: 0...UInt32.max), radix: 16))
    return request.with(status == 401 ? "Authorization" : "Proxy-Authorization", value)
  }

  /// An initial publication made for a check that needs a live one: its answer and entity-tag.
  public func establish(_ aor: String, expires: UInt32? = 60) async -> (answer: ProbeAnswer, tag: String?) {
    let answer = await exchange(initial(aor, expires: expires))
    return (answer, answer.isSuccess ? answer.entityTag : nil)
  }

  /// Removes a publication a check made (best effort: the answer does not matter).
  public func cleanUp(_ aor: String, tag: String?) async {
    guard let tag else { return }
    _ = await exchange(conditional(aor, tag: tag, expires: 0))
  }
}
