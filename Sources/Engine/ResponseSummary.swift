import Publication
import SIPCore

/// What the engine reads from a response, in one pass with ``PublishScan/fields(_:)`` (no full
/// parse, and text made only of what is used: the branch, the entity-tag, a challenge): the
/// transaction it answers and what the publisher state machine needs. Malformed values (a
/// non-numeric Expires, say) read as absent.
public struct ResponseSummary {
  /// Where the top Via's branch lies in the response's bytes.
  public var branch: Range<Int>
  public var statusCode: Int
  public var stateMachineResponse: PublisherStateMachine.Response

  public init?(_ bytes: UnsafeRawBufferPointer) {
    var fields = PublishScan.Fields()
    guard PublishScan.read(bytes, into: &fields), case .response(let code) = fields.kind,
      let branch = fields.branch, !branch.isEmpty
    else {
      return nil
    }
    self.branch = branch
    statusCode = code
    var challenge: PublisherStateMachine.Challenge?
    if code == 401, let value = fields.wwwAuthenticate {
      challenge = .init(value: PublishScan.text(bytes, value), isProxy: false)
    } else if code == 407, let value = fields.proxyAuthenticate {
      challenge = .init(value: PublishScan.text(bytes, value), isProxy: true)
    }
    stateMachineResponse = PublisherStateMachine.Response(
      statusCode: code, entityTag: fields.entityTag.map { PublishScan.text(bytes, $0) },
      expires: fields.expires,
      minExpires: fields.minExpires, challenge: challenge, retryAfter: fields.retryAfter)
  }
}
