import CZlib
import Histogram

/// HdrHistogram's V2 encoding of a ``LatencyHistogram``, compressed as the HdrHistogram log
/// format carries it (what Java's `encodeIntoCompressedByteBuffer` writes, read by every
/// HdrHistogram library: HistogramLogProcessor, hdr-plot, Python's hdrh). hdrhistogram-swift
/// has no encoder, so this is one: a 40-byte header, then the counts array as ZigZag LEB128
/// with runs of zeros as negative lengths, the whole deflated by zlib behind an 8-byte header.
public enum HdrHistogramCodec {
  static let encodingCookie: UInt32 = 0x1c84_9313
  static let compressedCookie: UInt32 = 0x1c84_9314

  /// The compressed encoding (what a log line holds in base64).
  public static func compressed(_ latency: LatencyHistogram) -> [UInt8] {
    let plain = encoded(latency)
    var size = compressBound(uLong(plain.count))
    var deflated = [UInt8](repeating: 0, count: Int(size))
    let status = deflated.withUnsafeMutableBufferPointer { target in
      plain.withUnsafeBufferPointer { source in
        compress2(target.baseAddress, &size, source.baseAddress, uLong(source.count), Z_DEFAULT_COMPRESSION)
      }
    }
    precondition(status == Z_OK, "zlib compress2 failed (\(status)) on a buffer of its own bound")
    var bytes: [UInt8] = []
    bytes.reserveCapacity(8 + Int(size))
    append(compressedCookie, to: &bytes)
    append(UInt32(size), to: &bytes)
    return bytes + deflated.prefix(Int(size))
  }

  /// The uncompressed V2 encoding.
  public static func encoded(_ latency: LatencyHistogram) -> [UInt8] {
    let histogram = latency.histogram
    let layout = Layout(digits: Int(histogram.numberOfSignificantValueDigits.rawValue))
    var counts: [UInt64] = []
    for bucket in histogram.recordedValues() {
      let index = layout.index(of: bucket.value)
      if counts.count <= index { counts += Array(repeating: 0, count: index + 1 - counts.count) }
      counts[index] += UInt64(bucket.count)
    }
    var payload: [UInt8] = []
    var index = 0
    while index < counts.count {
      let count = counts[index]
      index += 1
      guard count == 0 else {
        putZigZag(Int64(clamping: count), into: &payload)
        continue
      }
      var zeros: Int64 = 1
      while index < counts.count && counts[index] == 0 {
        zeros += 1
        index += 1
      }
      putZigZag(zeros > 1 ? -zeros : 0, into: &payload)
    }
    var bytes: [UInt8] = []
    append(encodingCookie, to: &bytes)
    append(UInt32(payload.count), to: &bytes)
    append(UInt32(0), to: &bytes)  // normalizing index offset
    append(UInt32(layout.digits), to: &bytes)
    append(UInt64(histogram.lowestDiscernibleValue), to: &bytes)
    append(histogram.highestTrackableValue, to: &bytes)
    append(Double(1).bitPattern, to: &bytes)  // integer-to-double conversion ratio
    return bytes + payload
  }

  /// Where a value's count sits in HdrHistogram's counts array (lowest discernible value 1).
  struct Layout {
    let digits: Int
    let subBucketHalfCountMagnitude: Int
    let subBucketHalfCount: Int
    let subBucketMask: UInt64
    let leadingZeroCountBase: Int

    init(digits: Int) {
      self.digits = digits
      var largest = 2
      for _ in 0..<digits { largest *= 10 }
      let subBucketCountMagnitude = Int((Double.log2(Double(largest))).rounded(.up))
      subBucketHalfCountMagnitude = max(subBucketCountMagnitude, 1) - 1
      subBucketHalfCount = 1 << subBucketHalfCountMagnitude
      subBucketMask = UInt64((1 << subBucketCountMagnitude) - 1)
      leadingZeroCountBase = 64 - subBucketCountMagnitude
    }

    func index(of value: UInt64) -> Int {
      let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
      let subBucket = Int(value >> UInt64(bucket))
      return ((bucket + 1) << subBucketHalfCountMagnitude) + (subBucket - subBucketHalfCount)
    }
  }

  /// ZigZag, then LEB128 in at most nine bytes (the ninth holds eight bits), as HdrHistogram's
  /// ZigZagEncoding writes a long.
  static func putZigZag(_ value: Int64, into bytes: inout [UInt8]) {
    var rest = UInt64(bitPattern: (value << 1) ^ (value >> 63))
    for _ in 0..<8 {
      guard rest >> 7 != 0 else {
        bytes.append(UInt8(rest))
        return
      }
      bytes.append(UInt8(rest & 0x7F) | 0x80)
      rest >>= 7
    }
    bytes.append(UInt8(truncatingIfNeeded: rest))
  }

  private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
  }
}
