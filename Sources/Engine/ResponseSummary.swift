import Publication
import SIPCore

/// What the engine reads from a response, in one pass with ``PublishScan`` (no full parse): the
/// transaction it answers and what the publisher state machine needs. Malformed values (a
/// non-numeric Expires, say) read as absent.
struct ResponseSummary {
  var branch: String
  var statusCode: Int
  var stateMachineResponse: PublisherStateMachine.Response

  init?(_ bytes: UnsafeRawBufferPointer) {
    guard let scan = PublishScan.scan(bytes), case .response(let code) = scan.kind, !scan.branch.isEmpty
    else {
      return nil
    }
    branch = scan.branch
    statusCode = code
    var challenge: PublisherStateMachine.Challenge?
    if code == 401, let value = scan.wwwAuthenticate {
      challenge = .init(value: value, isProxy: false)
    } else if code == 407, let value = scan.proxyAuthenticate {
      challenge = .init(value: value, isProxy: true)
    }
    stateMachineResponse = PublisherStateMachine.Response(
      statusCode: code, entityTag: scan.entityTag, expires: scan.expires, minExpires: scan.minExpires,
      challenge: challenge)
  }
}
