import SIPCore

/// Writes a NOTIFY in a subscription's dialog (RFC 6665 §4.2.2, RFC 3856): addressed to the
/// watcher's Contact, From the resource with the compositor's tag, To the watcher with its tag,
/// the subscription's state, and the composed state as the body. Pure.
public enum NotifyWriter {
  /// What the NOTIFY says of the subscription.
  public enum State: Equatable, Sendable {
    /// Active, with the seconds left.
    case active(expires: UInt32)
    /// Ended (its time ran out, or the watcher ended it with Expires 0).
    case terminated
  }

  public static func write(
    _ subscription: Subscription, state: State, document: PresenceComposer.Document?, cseq: UInt32,
    branch: String
  ) -> [UInt8] {
    let route = subscription.route
    var text = "NOTIFY \(subscription.remoteTarget) SIP/2.0\r\n"
    text += "Via: SIP/2.0/\(route.transport.uppercased()) \(route.sentBy);branch=\(branch);rport\r\n"
    text += "Max-Forwards: 70\r\n"
    text += "From: \(subscription.resourceAddress);tag=\(subscription.dialog.notifierTag)\r\n"
    text += "To: \(subscription.watcher)\r\n"
    text += "Call-ID: \(subscription.dialog.callID)\r\n"
    text += "CSeq: \(cseq) NOTIFY\r\n"
    text += "Event: \(subscription.key.event)\r\n"
    switch state {
    case .active(let expires): text += "Subscription-State: active;expires=\(expires)\r\n"
    case .terminated: text += "Subscription-State: terminated;reason=timeout\r\n"
    }
    text += "Contact: <sip:\(route.sentBy);transport=\(route.transport)>\r\n"
    let body = document?.body ?? []
    if let document { text += "Content-Type: \(document.contentType)\r\n" }
    text += "Server: pubsim\r\nContent-Length: \(body.count)\r\n\r\n"
    return Array(text.utf8) + body
  }
}
