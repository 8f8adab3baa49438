/// Why a capture cannot be read at all (a file that is not a capture, an unsupported link type).
/// Damage inside a readable capture is not an error: it becomes a warning and the rest is read.
public struct CaptureError: Error, CustomStringConvertible, Equatable, Sendable {
  public var file: String
  public var message: String

  public init(file: String, message: String) {
    self.file = file
    self.message = message
  }

  public var description: String { "\(file): \(message)" }
}
