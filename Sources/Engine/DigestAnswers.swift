import Publication
import SIPCore

/// The digest challenge each challenged publisher answers, with its nonce count: after a 401 or
/// 407, every later request of that publisher carries credentials for the same nonce with the
/// next count (RFC 7616 §3.4), so the server challenges once rather than every time. Kept apart
/// from the publishers' slots: a million publishers without authentication then hold nothing.
struct DigestAnswers {
  struct State {
    var challenge: DigestChallenge
    var isProxy: Bool
    var nonceCount: UInt32 = 0
  }

  private var states: [Int32: State] = [:]

  /// The Authorization (or Proxy-Authorization) header answering the publisher's current
  /// challenge; nil when it has none or no password. `uri` is the Request-URI; it and `cnonce`
  /// are asked for only when needed.
  mutating func authorization(
    for request: PublisherStateMachine.Request, publisher: Int, identity: PublisherIdentity,
    uri: @autoclosure () -> String,
    cnonce: () -> String
  ) -> (name: String, value: String)? {
    // Without any challenge met there is nothing to answer (the usual case: no lookup per send).
    if states.isEmpty && request.challenge == nil { return nil }
    let key = Int32(publisher)
    if request.startsAuthenticationOver { states[key] = nil }
    if let challenge = request.challenge, let parsed = DigestChallenge(challenge.value) {
      states[key] = State(challenge: parsed, isProxy: challenge.isProxy)
    }
    guard var state = states[key], let password = identity.password else { return nil }
    state.nonceCount &+= 1
    states[key] = state
    let value = DigestAuthorization.header(
      answering: state.challenge, method: "PUBLISH", uri: uri(), username: identity.user,
      password: password, nonceCount: state.nonceCount, cnonce: cnonce())
    return (state.isProxy ? "Proxy-Authorization" : "Authorization", value)
  }
}
