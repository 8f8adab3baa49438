import ArgumentParser
import SIPCore

/// A duration flag's value, parsed once (`500ms`, `30s`, `2m`), with the text as the user wrote
/// it for messages.
struct DurationValue {
  var nanoseconds: UInt64
  var text: String

  init(nanoseconds: UInt64, text: String) {
    self.nanoseconds = nanoseconds
    self.text = text
  }

  /// Parses a flag's value; the error is the reason alone (the parser names the flag and value).
  init(_ text: String) throws {
    guard let nanoseconds = DurationText.nanoseconds(text) else {
      throw ValidationError("not a duration such as 500ms, 30s or 2m")
    }
    self.init(nanoseconds: nanoseconds, text: text)
  }
}
