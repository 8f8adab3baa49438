/// A look at a profile's text before YAML parsing, refusing what no profile needs and what makes
/// the parser slow beyond measure: explicit complex keys (`? `) and flow collections nested more
/// than eight deep. Yams compares complex keys recursively when it checks for duplicates, and
/// its time then depends on the process's random hash seed: the fuzzer found a 2 KB profile
/// that parses in 30 ms in most processes and runs for over a minute in some.
enum YAMLShape {
  static let deepestFlow = 8

  /// The first problem with its 1-based line and column, or nil.
  static func problem(_ text: String) -> (line: Int, column: Int, message: String)? {
    var line = 1
    var column = 0
    var depth = 0
    var quote: Character?
    // In double quotes a backslash escapes the next character (itself included); in single
    // quotes `''` is a quote.
    var escaped = false
    var closedSingleQuote = false
    var inComment = false
    var atNodeStart = true  // only indentation, `- `, `[`, `{` or `,` so far on this line
    var previous: Character = "\n"
    for character in text {
      column += 1
      defer { previous = character }
      if character == "\n" {
        line += 1
        column = 0
        inComment = false
        atNodeStart = true
        closedSingleQuote = false
        escaped = false
        continue
      }
      if inComment { continue }
      if let open = quote {
        if open == "'" {
          if character == "'" {
            quote = nil
            closedSingleQuote = true
          }
        } else if escaped {
          escaped = false
        } else if character == "\\" {
          escaped = true
        } else if character == "\"" {
          quote = nil
        }
        continue
      }
      if closedSingleQuote {
        closedSingleQuote = false
        if character == "'" {
          quote = "'"
          continue
        }
      }
      switch character {
      case "#" where previous == " " || previous == "\t" || column == 1:
        inComment = true
      case "\"", "'":
        if atNodeStart || previous == " " || previous == ":" { quote = character }
        atNodeStart = false
      case "[", "{":
        depth += 1
        if depth > deepestFlow {
          return (line, column, "flow collections nested more than \(deepestFlow) deep")
        }
        atNodeStart = true
      case "]", "}":
        depth = max(depth - 1, 0)
        atNodeStart = false
      case ",":
        atNodeStart = depth > 0
      case "?" where atNodeStart:
        return (line, column, "explicit keys (`? `) are not used in profiles")
      case " ", "\t", "-":
        break
      default:
        atNodeStart = false
      }
    }
    return nil
  }
}
