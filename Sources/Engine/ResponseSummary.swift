import Publication
import SIPCore

/// What the engine reads from a response: the transaction it answers and what the publisher
/// state machine needs. Malformed values (a non-numeric Expires, say) read as absent.
struct ResponseSummary {
  var branch: String
  var statusCode: Int
  var stateMachineResponse: PublisherStateMachine.Response

  init?(_ message: SIPMessage) {
    guard let code = message.statusCode, let branch = message.topVia?.branch,
      message.cseq?.method == .publish
    else { return nil }
    self.branch = branch
    statusCode = code
    let headers = message.headers
    var challenge: PublisherStateMachine.Challenge?
    if code == 401, let value = headers[.wwwAuthenticate] {
      challenge = .init(value: value, isProxy: false)
    } else if code == 407, let value = headers[.proxyAuthenticate] {
      challenge = .init(value: value, isProxy: true)
    }
    stateMachineResponse = PublisherStateMachine.Response(
      statusCode: code, entityTag: headers[.sipETag].map { $0.trimmingSIPWhitespace() },
      expires: headers[.expires].flatMap(PublishRequest.deltaSeconds),
      minExpires: headers[.minExpires].flatMap(PublishRequest.deltaSeconds), challenge: challenge)
  }
}
