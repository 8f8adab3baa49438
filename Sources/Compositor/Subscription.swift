import NIOCore
import Publication
import SIPCore

/// One watcher's subscription to a resource's state (RFC 6665, RFC 3856): the dialog the
/// SUBSCRIBE set up, what a NOTIFY in it carries in its addresses, when it ends, and where
/// NOTIFYs go. The compositor is the notifier: the watcher's From is the NOTIFY's To, the
/// SUBSCRIBE's To (with the tag the compositor gave) its From.
public struct Subscription: Sendable {
  /// The dialog: Call-ID, the watcher's tag, the compositor's tag.
  public struct Dialog: Hashable, Sendable {
    public var callID: String
    public var watcherTag: String
    public var notifierTag: String
  }

  public var key: PublicationStore.ResourceKey
  public var dialog: Dialog
  /// The SUBSCRIBE's From (the watcher, with its tag) and To (the resource, without a tag).
  public var watcher: String
  public var resourceAddress: String
  /// Where NOTIFYs are addressed: the SUBSCRIBE's Contact URI.
  public var remoteTarget: String
  /// Monotonic nanoseconds at which it ends unless refreshed.
  public var expiresAt: UInt64
  /// How NOTIFYs reach the watcher (the socket the SUBSCRIBE came on).
  public var route: any NotifyRoute
}

/// Where a subscription's NOTIFYs go: the connection (TCP, TLS) or the socket and address (UDP)
/// its SUBSCRIBE came from. Set by the compositor's handlers; sending may happen on any loop.
public protocol NotifyRoute: Sendable {
  /// `udp`, `tcp` or `tls`: the Via transport, and whether NOTIFYs are retransmitted (UDP).
  var transport: String { get }
  /// `host:port` for Via's sent-by.
  var sentBy: String { get }
  /// Sends a request's bytes (from any thread).
  func send(_ bytes: [UInt8])
  /// The loop its retransmissions are timed on.
  var eventLoop: EventLoop { get }
}

extension NotifyRoute {
  /// `host:port` the compositor is reached at on a socket: its bound address, or for a wildcard
  /// bind the loopback address.
  static func sentBy(_ local: SocketAddress?) -> String {
    let port = local?.port ?? 5060
    guard let bound = local?.ipAddress, bound != "0.0.0.0", bound != "::" else {
      return HostPort(host: "127.0.0.1", port: port).description
    }
    return HostPort(host: bound, port: port).description
  }
}

/// A NOTIFY to send: the subscription (its dialog, addresses and route), what it says of the
/// subscription, and the composed state. Its CSeq is taken when it is sent (``NotifySender``).
public struct PendingNotify: Sendable {
  public var subscription: Subscription
  public var state: NotifyWriter.State
  public var document: PresenceComposer.Document?
  /// When it was composed, in its stripe's order (a dialog lives in one stripe): loops send
  /// what they composed after leaving the stripe, so a NOTIFY composed earlier can reach the
  /// sender later, and must not then go out after the newer state.
  public var sequence: UInt64 = 0
}
