import Testing

@testable import Measurements

/// HdrHistogram's V2 encoding as pubsim writes it (the interop tests read it back with
/// HdrHistogram's own Python library): the counts array layout, ZigZag LEB128 and the header.
@Suite("HdrHistogram encoding")
struct HdrHistogramCodecTests {
  @Test func valuesLandWhereHdrHistogramKeepsThem() {
    let three = HdrHistogramCodec.Layout(digits: 3)
    #expect(three.index(of: 1) == 1)
    #expect(three.index(of: 2047) == 2047)
    #expect(three.index(of: 2048) == 2048)
    #expect(three.index(of: 4096) == 3072)
    let two = HdrHistogramCodec.Layout(digits: 2)
    #expect(two.index(of: 255) == 255)
    #expect(two.index(of: 256) == 256)
  }

  @Test func zigZagLEB128MatchesHdrHistogram() {
    func bytes(_ value: Int64) -> [UInt8] {
      var out: [UInt8] = []
      HdrHistogramCodec.putZigZag(value, into: &out)
      return out
    }
    #expect(bytes(0) == [0])
    #expect(bytes(-1) == [1])
    #expect(bytes(1) == [2])
    #expect(bytes(64) == [0x80, 0x01])
    #expect(bytes(-3) == [5])
    #expect(bytes(Int64.max).count == 9)
  }

  @Test func theEncodingStartsWithHdrHistogramsHeader() {
    var latency = LatencyHistogram()
    for micros in [100, 100, 250, 10_000] { latency.record(nanoseconds: UInt64(micros) * 1_000) }
    let plain = HdrHistogramCodec.encoded(latency)
    #expect(Array(plain.prefix(4)) == [0x1c, 0x84, 0x93, 0x13])
    #expect(Array(plain[12..<16]) == [0, 0, 0, 3], "three significant digits")
    let payloadLength = plain[4..<8].reduce(0) { $0 << 8 | Int($1) }
    #expect(payloadLength == plain.count - 40)
    let compressed = HdrHistogramCodec.compressed(latency)
    #expect(Array(compressed.prefix(4)) == [0x1c, 0x84, 0x93, 0x14])
    #expect(compressed[8] == 0x78, "a zlib stream follows")
  }
}
