import Engine
import Publication

/// One recorded PUBLISH transaction, as replay sends it and compares it.
public struct ReplayStep: Sendable, Equatable {
  /// Nanoseconds after the start of the replayed window, at recorded speed.
  public var offset: UInt64
  /// The operation as recorded (nil: none of RFC 3903's four, sent as recorded all the same).
  public var operation: PublishOperation?
  public var expires: UInt32
  /// Whether the recorded request had an Expires header (``expires`` is the server's usual
  /// default otherwise, for pacing only).
  public var hasExpires: Bool
  /// The recorded SIP-If-Match.
  public var ifMatch: String?
  /// Whether an earlier step of the same publisher received `ifMatch` in the recording (if not,
  /// the recording starts in the middle of this publication's life, or has no responses).
  public var ifMatchIssuedEarlier: Bool
  public var contentType: String?
  public var body: [UInt8]
  /// The recorded final status, its latency, and the entity-tag its 2xx issued.
  public var recordedStatus: Int?
  public var recordedLatencyMicros: UInt64?
  public var recordedTag: String?
  /// The publisher (recorded resource and event package) this step belongs to.
  public var publisher: Int32
  /// The recorded request's form, sent again with the live values; nil: pubsim's own form
  /// (`--normalize`, or a trace without recorded headers).
  public var form: RequestForm?

  public init(
    offset: UInt64, operation: PublishOperation?, expires: UInt32, hasExpires: Bool = true,
    ifMatch: String? = nil,
    ifMatchIssuedEarlier: Bool = false, contentType: String? = nil, body: [UInt8] = [],
    recordedStatus: Int? = nil, recordedLatencyMicros: UInt64? = nil, recordedTag: String? = nil,
    publisher: Int32 = 0, form: RequestForm? = nil
  ) {
    self.form = form
    self.offset = offset
    self.operation = operation
    self.expires = expires
    self.hasExpires = hasExpires
    self.ifMatch = ifMatch
    self.ifMatchIssuedEarlier = ifMatchIssuedEarlier
    self.contentType = contentType
    self.body = body
    self.recordedStatus = recordedStatus
    self.recordedLatencyMicros = recordedLatencyMicros
    self.recordedTag = recordedTag
    self.publisher = publisher
  }

  /// Whether the recording shows the server challenging this request (401 or 407).
  public var wasChallenged: Bool { recordedStatus == 401 || recordedStatus == 407 }
}
