import Testing

@testable import Transport

@Suite("Reading DNS answers (RFC 1035, SRV, NAPTR)")
struct DNSAnswerTests {
  /// A name in wire form.
  static func name(_ text: String) -> [UInt8] {
    text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
  }

  static func uint16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

  /// A response with one question and the given answer records (owner compressed to the question).
  static func message(question: String, type: UInt16, records: [[UInt8]]) -> [UInt8] {
    var bytes: [UInt8] = [0x12, 0x34, 0x81, 0x80] + uint16(1) + uint16(UInt16(records.count)) + [0, 0, 0, 0]
    bytes += name(question) + uint16(type) + uint16(1)
    for data in records {
      bytes += [0xC0, 12] + uint16(type) + uint16(1) + [0, 0, 0, 60] + uint16(UInt16(data.count)) + data
    }
    return bytes
  }

  @Test func readsSRVRecordsWithAndWithoutCompressedTargets() throws {
    let plain = Self.uint16(10) + Self.uint16(5) + Self.uint16(5060) + Self.name("a.example.test")
    // The second target points back into the question's name ("example.test" at offset 12 + 10).
    let compressed = Self.uint16(20) + Self.uint16(0) + Self.uint16(5070) + [1, 0x62, 0xC0, 22]
    let answer = try DNSAnswer(
      Self.message(question: "_sip._udp.example.test", type: 33, records: [plain, compressed]))
    #expect(
      answer.srv == [
        .init(name: "_sip._udp.example.test", priority: 10, weight: 5, port: 5060, target: "a.example.test"),
        .init(name: "_sip._udp.example.test", priority: 20, weight: 0, port: 5070, target: "b.example.test"),
      ])
  }

  @Test func readsNAPTRRecords() throws {
    let data =
      Self.uint16(10) + Self.uint16(50) + [1, 0x73] + [7] + Array("SIP+D2U".utf8) + [0]
      + Self.name("_sip._udp.example.test")
    let answer = try DNSAnswer(Self.message(question: "example.test", type: 35, records: [data]))
    #expect(
      answer.naptr == [
        .init(
          order: 10, preference: 50, flags: "s", service: "SIP+D2U", replacement: "_sip._udp.example.test")
      ])
  }

  @Test(arguments: [
    ([UInt8](), "message ends early"),
    ([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 0x61], "label runs past the message"),
    ([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12], "bad name compression pointer"),
    (
      [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 33, 0, 1, 0, 0, 0, 0, 0xFF, 0xFF],
      "record data runs past the message"
    ),
  ])
  func refusesMalformedAnswersWithTheOffset(bytes: [UInt8], reason: String) {
    #expect {
      try DNSAnswer(bytes)
    } throws: { error in
      (error as? DNSAnswer.ParseError)?.reason == reason
    }
  }
}
