import Publication
import SIPCore

/// Builds the PUBLISH picture of a capture from its SIP messages, in time order: transactions
/// keyed by top Via branch and CSeq (retransmissions folded in and counted), final responses
/// matched (provisional ones ignored), each transaction classified by RFC 3903's table, and
/// entity-tag chains linking each publication's life. Pure: no I/O.
public struct PublishTracker: Sendable {
  /// One PUBLISH transaction as recorded.
  public struct Transaction: Sendable {
    public var request: SIPMessage
    public var firstSeen: UInt64
    public var source: SIPEndpointAddress
    public var destination: SIPEndpointAddress
    public var retransmissions = 0
    public var operation: PublishOperation?
    public var event: String?
    public var resource: String
    public var finalStatus: Int?
    public var finalAt: UInt64?
    /// SIP-ETag and Expires of a 2xx.
    public var issuedTag: String?
    public var grantedExpires: UInt32?
    /// The publication's life this transaction belongs to.
    public var chain: Int
    /// Latency as recorded: first request to final response.
    public var latency: UInt64? { finalAt.map { $0 > firstSeen ? $0 - firstSeen : 0 } }
  }

  struct Key: Hashable, Sendable {
    var branch: String
    var callID: String
    var sequence: UInt32
  }

  public private(set) var transactions: [Transaction] = []
  private var index: [Key: Int] = [:]
  private var chainByTag: [String: Int] = [:]
  private var chainCount = 0
  public private(set) var sipMessages = 0
  public private(set) var publishRequestMessages = 0
  public private(set) var publishResponseMessages = 0
  public private(set) var unmatchedResponses = 0
  public private(set) var retransmittedResponses = 0
  /// PUBLISH requests too malformed to classify (counted as transactions with no operation).
  public private(set) var unclassified = 0

  public init() {}

  public mutating func add(
    _ message: SIPMessage, at time: UInt64, from source: SIPEndpointAddress,
    to destination: SIPEndpointAddress
  ) {
    sipMessages += 1
    guard let cseqText = message.headers[.cseq], cseqText.utf8.count >= 9,
      cseqText.utf8.suffix(7).elementsEqual("PUBLISH".utf8), let cseq = CSeq(cseqText),
      cseq.method == .publish,
      let key = Self.key(message, cseq)
    else { return }
    if message.isRequest {
      guard message.method == .publish else { return }
      publishRequestMessages += 1
      addRequest(message, key: key, at: time, from: source, to: destination)
    } else {
      publishResponseMessages += 1
      addResponse(message, key: key, at: time)
    }
  }

  private static func key(_ message: SIPMessage, _ cseq: CSeq) -> Key? {
    guard let callID = message.headers[.callID] else { return nil }
    return Key(branch: message.topViaBranch ?? "", callID: callID, sequence: cseq.sequence)
  }

  private mutating func addRequest(
    _ message: SIPMessage, key: Key, at time: UInt64, from source: SIPEndpointAddress,
    to destination: SIPEndpointAddress
  ) {
    if let existing = index[key] {
      transactions[existing].retransmissions += 1
      return
    }
    let request = try? PublishRequest(message, validating: false)
    if request?.operation == nil { unclassified += 1 }
    let chain: Int
    if let tag = request?.ifMatch, let known = chainByTag[tag] {
      chain = known
    } else {
      chainCount += 1
      chain = chainCount
    }
    index[key] = transactions.count
    transactions.append(
      Transaction(
        request: message, firstSeen: time, source: source, destination: destination,
        operation: request?.operation,
        event: request?.event, resource: request?.resource ?? (message.requestURI ?? ""), chain: chain))
  }

  private mutating func addResponse(_ message: SIPMessage, key: Key, at time: UInt64) {
    guard let status = message.statusCode, status >= 200 else { return }
    guard let position = index[key] else {
      unmatchedResponses += 1
      return
    }
    guard transactions[position].finalStatus == nil else {
      retransmittedResponses += 1
      return
    }
    transactions[position].finalStatus = status
    transactions[position].finalAt = time
    guard (200..<300).contains(status) else { return }
    let tag = message.headers[.sipETag]?.trimmingSIPWhitespace()
    transactions[position].issuedTag = tag
    transactions[position].grantedExpires = message.headers[.expires].flatMap(PublishRequest.deltaSeconds)
    if let tag, transactions[position].operation != .remove {
      chainByTag[tag] = transactions[position].chain
    }
  }

  /// Distinct publication lives seen.
  public var chains: Int { chainCount }
}
