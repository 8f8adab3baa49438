import Publication
import SIPCore

/// The compositor's answer to one request: status, the headers that carry the result
/// (SIP-ETag, Expires, Min-Expires, Allow-Events, ...) and, for PUBLISH, the operation performed.
public struct CompositorDecision: Equatable, Sendable {
  public var statusCode: Int
  public var reason: String
  public var headers: [SIPHeaderField]
  public var operation: PublishOperation?
  /// The To tag the response carries when the request has none: set when it starts a dialog
  /// (SUBSCRIBE), so that the tag is the dialog's; nil: a fresh one.
  public var toTag: String?

  public init(
    _ statusCode: Int, reason: String? = nil, headers: [SIPHeaderField] = [],
    operation: PublishOperation? = nil
  ) {
    self.statusCode = statusCode
    self.reason = reason ?? SIPStatus.reasonPhrase(for: statusCode)
    self.headers = headers
    self.operation = operation
  }

  /// The first value of a header in the decision.
  public subscript(name: SIPHeaderName) -> String? {
    headers.first { $0.name == name }?.value
  }
}
