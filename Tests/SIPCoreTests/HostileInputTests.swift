import Testing

@testable import SIPCore

/// Every hostile input gives a typed error (never a trap, never a silent half-parse).
@Suite("Hostile input")
struct HostileInputTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var bytes: [UInt8]
    var framing: SIPFraming
    var expected: @Sendable (SIPParseError.Kind) -> Bool
    var testDescription: String { name }
  }

  static let head = "PUBLISH sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nCSeq: 1 PUBLISH\r\n"

  static let cases: [Case] = [
    Case(name: "no Content-Length on a stream", bytes: Array((head + "\r\nbody").utf8), framing: .stream) {
      $0 == .missingContentLength
    },
    Case(
      name: "negative Content-Length", bytes: Array((head + "Content-Length: -5\r\n\r\n").utf8),
      framing: .stream
    ) {
      if case .invalidContentLength = $0 { return true } else { return false }
    },
    Case(
      name: "huge Content-Length", bytes: Array((head + "Content-Length: 99999999999999999999\r\n\r\n").utf8),
      framing: .stream
    ) {
      if case .invalidContentLength = $0 { return true } else { return false }
    },
    Case(
      name: "Content-Length over the size limit", bytes: Array((head + "l: 70000\r\n\r\n").utf8),
      framing: .datagram
    ) {
      if case .invalidContentLength = $0 { return true } else { return false }
    },
    Case(
      name: "conflicting Content-Length", bytes: Array((head + "l: 1\r\nContent-Length: 2\r\n\r\nab").utf8),
      framing: .datagram
    ) { $0 == .conflictingContentLength },
    Case(
      name: "missing CRLF after headers", bytes: Array((head + "Content-Length: 0").utf8), framing: .datagram
    ) {
      $0 == .unterminatedHeaders
    },
    Case(
      name: "binary garbage", bytes: [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03],
      framing: .datagram
    ) {
      if case .binaryData = $0 { return true } else { return false }
    },
    Case(
      name: "NUL inside a header", bytes: Array((head + "Event: pres\u{0}ence\r\n\r\n").utf8),
      framing: .datagram
    ) {
      $0 == .binaryData(0)
    },
    Case(
      name: "truncated body", bytes: Array((head + "Content-Length: 100\r\n\r\nshort").utf8),
      framing: .datagram
    ) {
      $0 == .truncatedBody(expected: 100, available: 5)
    },
    Case(
      name: "10 000 headers",
      bytes: Array((head + String(repeating: "X:b\r\n", count: 10_000) + "l: 0\r\n\r\n").utf8),
      framing: .datagram
    ) {
      if case .tooManyHeaders = $0 { return true } else { return false }
    },
    Case(
      name: "line longer than the limit",
      bytes: Array((head + "X: " + String(repeating: "a", count: 9000) + "\r\n\r\n").utf8),
      framing: .datagram
    ) {
      if case .lineTooLong = $0 { return true } else { return false }
    },
    Case(name: "empty input", bytes: Array("\r\n\r\n".utf8), framing: .datagram) { $0 == .empty },
    Case(name: "start line without version", bytes: Array("PUBLISH sip:a@b\r\n\r\n".utf8), framing: .datagram)
    {
      if case .malformedStartLine = $0 { return true } else { return false }
    },
    Case(name: "status code out of range", bytes: Array("SIP/2.0 999 Huh\r\n\r\n".utf8), framing: .datagram) {
      if case .invalidStatusCode = $0 { return true } else { return false }
    },
    Case(name: "status code not numeric", bytes: Array("SIP/2.0 2x0 OK\r\n\r\n".utf8), framing: .datagram) {
      if case .invalidStatusCode = $0 { return true } else { return false }
    },
    Case(name: "header without colon", bytes: Array((head + "Garbage line\r\n\r\n").utf8), framing: .datagram)
    {
      if case .malformedHeader = $0 { return true } else { return false }
    },
    Case(
      name: "continuation before any header", bytes: Array("SIP/2.0 200 OK\r\n folded\r\n\r\n".utf8),
      framing: .datagram
    ) {
      $0 == .unexpectedContinuation
    },
    Case(
      name: "message over the size limit",
      bytes: Array((head + "\r\n" + String(repeating: "x", count: 70_000)).utf8),
      framing: .datagram
    ) {
      if case .messageTooLarge = $0 { return true } else { return false }
    },
  ]

  @Test(arguments: cases)
  func givesATypedError(_ testCase: Case) {
    do {
      _ = try SIPParser().parse(testCase.bytes, framing: testCase.framing)
      Issue.record("parsed without error")
    } catch {
      #expect(testCase.expected(error.kind), "got \(error)")
      #expect(!error.description.isEmpty)
    }
  }

  @Test func errorsNameTheLineAndByte() {
    let text = "SIP/2.0 200 OK\r\nCSeq: 1 PUBLISH\r\nBroken\r\n\r\n"
    do {
      _ = try SIPParser().parse(Array(text.utf8))
      Issue.record("parsed without error")
    } catch {
      #expect(error.line == 3)
      #expect(error.offset == 33)
      #expect(error.description == "line 3, byte 33: malformed header line 'Broken'")
    }
  }

  @Test func everyPrefixOfAMessageFailsCleanlyOrParses() {
    let bytes = Array(SIPParserTests.publish.utf8)
    for length in 0...bytes.count {
      _ = try? SIPParser().parse(Array(bytes[0..<length]), framing: .stream)
      _ = try? SIPParser().parse(Array(bytes[0..<length]), framing: .datagram)
    }
  }

  /// Random bytes, and valid messages with random bytes overwritten, from a seeded generator (the
  /// same inputs every run; `scripts/fuzz.sh` explores further): every failure is a parse error
  /// that points inside the input, and the rare success is a message.
  @Test func randomAndMutatedBytesFailWithAPlaceInTheInput() {
    var generator = SplitMix64(seed: 20_261_130)
    let valid = Array(
      ("PUBLISH sip:a@h SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bK1\r\nCall-ID: c\r\n"
        + "CSeq: 1 PUBLISH\r\nContent-Length: 4\r\n\r\nbody").utf8)
    for round in 0..<4_000 {
      var bytes: [UInt8]
      if round.isMultiple(of: 2) {
        bytes = (0..<Int.random(in: 0..<300, using: &generator)).map { _ in
          UInt8.random(in: 0...255, using: &generator)
        }
      } else {
        bytes = valid
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
          bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(
            in: 0...255, using: &generator)
        }
      }
      do {
        let message = try SIPParser().parse(bytes)
        #expect(message.method != nil || message.statusCode != nil)
      } catch {
        #expect(error.offset >= 0 && error.offset <= bytes.count, "\(error) for \(bytes)")
        #expect(error.line >= 0)
      }
      var framer = SIPStreamFramer()
      framer.append(bytes)
      _ = try? framer.nextMessage()
    }
  }
}
