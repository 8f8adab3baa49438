/// The records of a DNS answer message (RFC 1035 §4) that RFC 3263 needs: SRV (RFC 2782) and
/// NAPTR (RFC 3403). The query goes through the system resolver; only the answer is read here.
///
/// An answer comes off the network, so it is untrusted: every read is bounds-checked, a name
/// follows at most 32 compression pointers, and anything malformed is an error naming the byte
/// offset, never a trap.
public struct DNSAnswer: Equatable, Sendable {
  public struct SRV: Equatable, Sendable {
    public var name: String
    public var priority: UInt16
    public var weight: UInt16
    public var port: UInt16
    /// The host serving it, without the trailing dot; "." means the service is not offered.
    public var target: String

    public init(name: String, priority: UInt16, weight: UInt16, port: UInt16, target: String) {
      self.name = name
      self.priority = priority
      self.weight = weight
      self.port = port
      self.target = target
    }
  }

  public struct NAPTR: Equatable, Sendable {
    public var order: UInt16
    public var preference: UInt16
    public var flags: String
    public var service: String
    public var replacement: String

    public init(order: UInt16, preference: UInt16, flags: String, service: String, replacement: String) {
      self.order = order
      self.preference = preference
      self.flags = flags
      self.service = service
      self.replacement = replacement
    }
  }

  public struct ParseError: Error, CustomStringConvertible, Equatable {
    public var offset: Int
    public var reason: String
    public var description: String { "malformed DNS answer at byte \(offset): \(reason)" }
  }

  public var srv: [SRV] = []
  public var naptr: [NAPTR] = []

  public init(srv: [SRV] = [], naptr: [NAPTR] = []) {
    self.srv = srv
    self.naptr = naptr
  }

  /// Reads the answer section of a DNS message.
  public init(_ message: [UInt8]) throws(ParseError) {
    var reader = Reader(bytes: message)
    try reader.skip(4)
    let questions = try reader.uint16()
    let answers = try reader.uint16()
    try reader.skip(4)
    for _ in 0..<questions {
      _ = try reader.name()
      try reader.skip(4)
    }
    for _ in 0..<answers { try readRecord(&reader) }
  }

  private mutating func readRecord(_ reader: inout Reader) throws(ParseError) {
    let owner = try reader.name()
    let type = try reader.uint16()
    try reader.skip(6)
    let length = Int(try reader.uint16())
    let end = reader.offset + length
    guard end <= reader.bytes.count else { throw reader.failure("record data runs past the message") }
    switch type {
    case 33:
      srv.append(
        SRV(
          name: owner, priority: try reader.uint16(), weight: try reader.uint16(), port: try reader.uint16(),
          target: try reader.name()))
    case 35:
      let order = try reader.uint16()
      let preference = try reader.uint16()
      let flags = try reader.characterString()
      let service = try reader.characterString()
      _ = try reader.characterString()
      naptr.append(
        NAPTR(
          order: order, preference: preference, flags: flags, service: service, replacement: try reader.name()
        ))
    default: break
    }
    guard reader.offset <= end else { throw reader.failure("record data longer than its length") }
    reader.offset = end
  }

  /// Bounds-checked reading of a message.
  struct Reader {
    let bytes: [UInt8]
    var offset = 0

    func failure(_ reason: String) -> ParseError { ParseError(offset: offset, reason: reason) }

    mutating func skip(_ count: Int) throws(ParseError) {
      guard offset + count <= bytes.count else { throw failure("message ends early") }
      offset += count
    }

    mutating func uint16() throws(ParseError) -> UInt16 {
      guard offset + 2 <= bytes.count else { throw failure("message ends early") }
      defer { offset += 2 }
      return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func characterString() throws(ParseError) -> String {
      guard offset < bytes.count else { throw failure("message ends early") }
      let length = Int(bytes[offset])
      guard offset + 1 + length <= bytes.count else { throw failure("string runs past the message") }
      defer { offset += 1 + length }
      return String(decoding: bytes[(offset + 1)..<(offset + 1 + length)], as: UTF8.self)
    }

    /// A domain name, following compression pointers (RFC 1035 §4.1.4); "." for the root.
    mutating func name() throws(ParseError) -> String {
      var labels: [String] = []
      var position = offset
      var resume: Int?
      var jumps = 0
      while true {
        guard position < bytes.count else { throw failure("name runs past the message") }
        let length = Int(bytes[position])
        if length & 0xC0 == 0xC0 {
          guard position + 1 < bytes.count, jumps < 32 else { throw failure("bad name compression pointer") }
          if resume == nil { resume = position + 2 }
          position = (length & 0x3F) << 8 | Int(bytes[position + 1])
          jumps += 1
          continue
        }
        guard length & 0xC0 == 0 else { throw failure("unknown label type") }
        if length == 0 { break }
        guard position + 1 + length <= bytes.count, labels.count < 128 else {
          throw failure("label runs past the message")
        }
        labels.append(String(decoding: bytes[(position + 1)..<(position + 1 + length)], as: UTF8.self))
        position += 1 + length
      }
      offset = resume ?? position + 1
      return labels.isEmpty ? "." : labels.joined(separator: ".")
    }
  }
}
