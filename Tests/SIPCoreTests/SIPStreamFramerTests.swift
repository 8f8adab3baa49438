import Testing

@testable import SIPCore

@Suite("Cutting messages from a stream")
struct SIPStreamFramerTests {
  static func message(_ number: Int, body: String = "") -> String {
    "PUBLISH sip:u\(number)@h SIP/2.0\r\nCSeq: \(number) PUBLISH\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
  }

  static let stream = Array(
    (message(1, body: "<a/>") + "\r\n\r\n" + message(2) + message(3, body: "xyz")).utf8)

  @Test func coalescedMessagesComeOutOneByOne() throws {
    var framer = SIPStreamFramer()
    framer.append(Self.stream)
    var sequences: [UInt32] = []
    while let message = try framer.nextMessage() { sequences.append(message.cseq?.sequence ?? 0) }
    #expect(sequences == [1, 2, 3])
    #expect(framer.bufferedByteCount == 0)
  }

  @Test func splitAtEveryByteGivesTheSameMessages() throws {
    for split in 1..<Self.stream.count {
      var framer = SIPStreamFramer()
      var bodies: [String] = []
      framer.append(Self.stream[0..<split])
      while let message = try framer.nextMessage() { bodies.append(message.bodyText) }
      framer.append(Self.stream[split...])
      while let message = try framer.nextMessage() { bodies.append(message.bodyText) }
      #expect(bodies == ["<a/>", "", "xyz"], "split at \(split)")
    }
  }

  @Test func oneByteAtATime() throws {
    var framer = SIPStreamFramer()
    var count = 0
    for byte in Self.stream {
      framer.append([byte])
      while try framer.nextMessage() != nil { count += 1 }
    }
    #expect(count == 3)
  }

  /// Content-Length in its compact form and any case, among other headers starting with the
  /// same letters (Call-ID, Contact, a `c`-named extension): the body is cut at its length.
  @Test(arguments: ["l: 3", "L:3", "CONTENT-LENGTH : 3", "content-length:\t3"])
  func contentLengthInAnyFormIsFound(header: String) throws {
    let text =
      "PUBLISH sip:u@h SIP/2.0\r\nCall-ID: l: 9\r\nContact: <sip:l@h>\r\nCSeq: 1 PUBLISH\r\n"
      + "Cx-Length: 7\r\nLx: 8\r\n\(header)\r\n\r\nabcPUBLISH sip:v@h SIP/2.0\r\nCSeq: 2 PUBLISH\r\nl: 0\r\n\r\n"
    var framer = SIPStreamFramer()
    framer.append(Array(text.utf8))
    let first = try #require(try framer.nextMessage())
    #expect(first.bodyText == "abc")
    #expect(try framer.nextMessage()?.cseq?.sequence == 2)
  }

  @Test func missingContentLengthIsAnError() {
    var framer = SIPStreamFramer()
    framer.append(Array("SIP/2.0 200 OK\r\nCSeq: 1 PUBLISH\r\n\r\n".utf8))
    #expect(throws: SIPParseError(.missingContentLength, line: 0, offset: 0)) { try framer.nextMessage() }
  }

  @Test func endlessHeaderLineIsBounded() {
    var framer = SIPStreamFramer(limits: SIPLimits(maxLineLength: 1024))
    framer.append(Array("SIP/2.0 200 OK\r\nX: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 2000))
    #expect(throws: SIPParseError.self) { try framer.nextMessage() }
  }

  @Test func endlessHeaderSectionIsBounded() {
    var framer = SIPStreamFramer(limits: SIPLimits(maxMessageSize: 4096))
    framer.append(Array("SIP/2.0 200 OK\r\n".utf8))
    for _ in 0..<1000 { framer.append(Array("X: a\r\n".utf8)) }
    #expect(throws: SIPParseError.self) { try framer.nextMessage() }
  }

  /// A stream whose first line is neither a request nor a status line is refused at once,
  /// not buffered up to the size limit; either kind of start line in any case is taken.
  @Test(arguments: [
    "garbage \u{1}\u{2}\r\n", "HTTP/1.1 200 OK\r\n", "SIP/2.0\r\n", "PUBLISH sip:a SIP/3.0\r\n",
  ])
  func streamNotStartingWithAStartLineIsRefused(head: String) {
    var framer = SIPStreamFramer()
    framer.append(Array(head.utf8))
    #expect(throws: SIPParseError.self) { try framer.nextMessage() }
  }

  @Test func startLinesInAnyCaseAreTaken() throws {
    for start in ["sip/2.0 200 OK", "PUBLISH sip:a@b sip/2.0", "OPTIONS sip:b SIP/2.0"] {
      var framer = SIPStreamFramer()
      framer.append(Array("\(start)\r\nContent-Length: 0\r\n\r\n".utf8))
      #expect(try framer.nextFrame() != nil, "\(start)")
    }
  }

  @Test func incompleteBodyWaitsForMoreBytes() throws {
    var framer = SIPStreamFramer()
    framer.append(Array(Self.message(9, body: "0123456789").utf8.dropLast(3)))
    #expect(try framer.nextMessage() == nil)
    framer.append(Array("789".utf8))
    #expect(try framer.nextMessage()?.bodyText == "0123456789")
  }
}
