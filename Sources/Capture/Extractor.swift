/// Reads one or more captures and builds their PUBLISH picture. Several captures are merged in
/// time order (frame by frame, as if they were one), so a trace split by a rotating tcpdump or
/// taken on two interfaces reads as a whole.
public enum Extractor {
  public struct Result {
    public var summary: ExtractionSummary
    public var tracker: PublishTracker
  }

  /// - Parameters:
  ///   - keepsRequests: keep each PUBLISH request's bytes, as a trace needs (a summary does not).
  ///   - progress: called now and then with the fraction of frames read (by file).
  public static func extract(
    _ paths: [String], keepsRequests: Bool = true, progress: ((Double) -> Void)? = nil
  ) throws(CaptureError) -> Result {
    let files = try paths.map { (path: String) throws(CaptureError) -> CaptureFile in
      try CaptureFile(path: path)
    }
    var decoder = PacketDecoder(keepsRequests: keepsRequests)
    let bytes = files.reduce(Int64(0)) { $0 + $1.fileSize() }
    decoder.reserveCapacity(captureBytes: Int(bytes))
    var warnings: [String] = []
    if files.count == 1 {
      let file = files[0]
      if let warning = file.forEachPacket(progress: progress, { decoder.add($0, linkType: file.linkType) }) {
        // Damage before the first frame leaves nothing to report: that is an error, not a result.
        guard decoder.packets > 0 else {
          let reason =
            warning.hasPrefix(file.path + ": ") ? String(warning.dropFirst(file.path.count + 2)) : warning
          throw CaptureError(file: file.path, message: "nothing could be read: " + reason)
        }
        warnings.append(warning)
      }
      if let warning = file.timestampWarning { warnings.append(warning) }
    } else {
      warnings += mergeInTimeOrder(files, into: &decoder)
    }
    warnings += decoder.finish()
    progress?(1)
    return Result(
      summary: ExtractionSummary(packets: decoder.packets, tracker: decoder.tracker, warnings: warnings),
      tracker: decoder.tracker)
  }

  /// Reads every file's frames and feeds them in timestamp order (stable per file).
  private static func mergeInTimeOrder(_ files: [CaptureFile], into decoder: inout PacketDecoder) -> [String]
  {
    struct Frame {
      var file: Int
      var timestamp: UInt64
      var bytes: [UInt8]
      var originalLength: Int
    }
    var frames: [Frame] = []
    var warnings: [String] = []
    for (index, file) in files.enumerated() {
      let warning = file.forEachPacket { packet in
        frames.append(
          Frame(
            file: index, timestamp: packet.timestamp, bytes: Array(packet.bytes),
            originalLength: packet.originalLength))
      }
      if let warning { warnings.append(warning) }
      if let warning = file.timestampWarning { warnings.append(warning) }
    }
    let ordered = frames.enumerated().sorted {
      ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset)
    }
    for (number, entry) in ordered.enumerated() {
      entry.element.bytes.withUnsafeBytes { raw in
        decoder.add(
          CapturedPacket(
            number: number + 1, timestamp: entry.element.timestamp, bytes: raw,
            originalLength: entry.element.originalLength),
          linkType: files[entry.element.file].linkType)
      }
    }
    return warnings
  }
}
