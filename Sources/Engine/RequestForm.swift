import SIPCore

/// A recorded request's form, as replay sends it again: its header lines in recorded order,
/// names as written (compact or long, any case), every header pubsim need not touch kept
/// verbatim, absent headers left absent, and marks where the live values go: pubsim's own Via,
/// the live user and domain in the Request-URI, From and To, the live dialog in Call-ID and
/// tags, the live CSeq number, entity-tag, Expires, credentials and Content-Length. Parsed once
/// per recorded request, shared by every copy. Pure.
public struct RequestForm: Sendable, Equatable {
  public enum Line: Sendable, Equatable {
    /// Written as recorded (the whole line).
    case verbatim(String)
    /// pubsim's Via (the first recorded Via; the others are dropped). `lead` is the line's text
    /// up to its value (`v: `).
    case via(lead: String)
    /// From or To with the live user, domain and dialog.
    case address(lead: String, AddressTemplate)
    /// The recorded Call-ID with the live dialog appended.
    case callID(lead: String, recorded: String)
    /// The live CSeq number, then the recorded text after the number (` PUBLISH`).
    case cseq(lead: String, method: String)
    case ifMatch(lead: String)
    case expires(lead: String)
    case contentLength(lead: String)
    /// Where the recording answered a challenge: the live credentials go here, if any.
    case authorization
  }

  /// The Request-URI, cut like an address.
  public var requestURI: AddressTemplate
  public var lines: [Line]
  /// The recorded Call-ID and CSeq number (nil when absent or unreadable).
  public var callID: String?
  public var cseq: UInt32?
  /// Which of the headers with live values the recording carried (the others are added when
  /// the live request needs them: Content-Length only over TCP and TLS).
  public private(set) var has = Present()

  public struct Present: Sendable, Equatable {
    public var via = false
    public var ifMatch = false
    public var expires = false
    public var contentLength = false
    public var authorization = false
  }

  /// The form of a request recorded with `requestURI` and these header lines (as
  /// ``SIPHeadLines/lines(of:)`` gives them). nil when the Request-URI is not a SIP URI, or a
  /// header every request needs (From, To, Call-ID, a CSeq with a number) is missing or
  /// unreadable: such a request is sent in pubsim's own form.
  public init?(requestURI recordedURI: String, headerLines: [String], publisherUser: String) {
    guard let uri = AddressTemplate(recordedURI, publisherUser: publisherUser) else { return nil }
    requestURI = uri
    lines = []
    for line in headerLines {
      guard let (name, valueStart) = SIPHeadLines.split(line) else { continue }
      let lead = String(line[..<valueStart])
      let value = String(line[valueStart...]).trimmingSIPWhitespace()
      switch SIPHeaderName(name) {
      case .via:
        if !has.via { lines.append(.via(lead: lead)) }
        has.via = true
      case .from, .to:
        if let address = AddressTemplate(value, publisherUser: publisherUser) {
          lines.append(.address(lead: lead, address))
        } else {
          lines.append(.verbatim(line))
        }
      case .callID:
        callID = value
        lines.append(.callID(lead: lead, recorded: value))
      case .cseq:
        let digits = value.prefix { $0.isASCII && $0.isNumber }
        cseq = UInt32(digits)
        lines.append(.cseq(lead: lead, method: String(value.dropFirst(digits.count))))
      case .sipIfMatch:
        has.ifMatch = true
        lines.append(.ifMatch(lead: lead))
      case .expires:
        has.expires = true
        lines.append(.expires(lead: lead))
      case .contentLength:
        has.contentLength = true
        lines.append(.contentLength(lead: lead))
      case .authorization, .proxyAuthorization:
        if !has.authorization { lines.append(.authorization) }
        has.authorization = true
      default: lines.append(.verbatim(line))
      }
    }
    let addresses = lines.reduce(0) { count, line in if case .address = line { count + 1 } else { count } }
    guard addresses >= 2, callID != nil, cseq != nil else { return nil }
  }

}

/// A request the workload has the engine write in a recorded form rather than pubsim's own:
/// the form, the live dialog (appended to the recorded Call-ID and tags, so that copies, loops
/// and runs never collide) and the CSeq number the workload keeps for that dialog.
public struct RecordedRequest: Sendable {
  public var form: RequestForm
  public var dialog: String
  public var cseq: UInt32

  public init(form: RequestForm, dialog: String, cseq: UInt32) {
    self.form = form
    self.dialog = dialog
    self.cseq = cseq
  }

  /// The Request-URI the request is sent to (what a digest answer names).
  public func requestURI(user: String, domain: String) -> String {
    form.requestURI.text(user: user, domain: domain, dialog: dialog)
  }
}
