import Foundation

/// Turns a recorded body into a profile's body template: the document's structure is kept as
/// recorded, and what is the publisher's own or changes with its state becomes a placeholder
/// (see `BodyTemplate`): the address (`{aor}`), PIDF's basic status (`{status}`) and note
/// (`{note}`, which also carries a watcher's propagation marker), dialog-info's version
/// (`{version}`), RPID's activity, mood and place-type (`{activity}`, `{mood}`, `{place}`), and
/// an element id made of the publisher's number (`{n}`).
public enum BodyTemplateLearner {
  /// A template from `body`, recorded by the publisher of `aor` (`user@host`).
  public static func template(from body: String, aor: String) -> String {
    var text = body
    if !aor.isEmpty { text = text.replacingOccurrences(of: aor, with: "{aor}") }
    for (pattern, replacement) in substitutions {
      text = replace(pattern, in: text, with: replacement)
    }
    // An element id made of the publisher's number (a dialog `d7` of user `dlg7`) is its own.
    let user = aor.split(separator: "@").first ?? ""
    let number = String(user.reversed().prefix { $0.isASCII && $0.isNumber }.reversed())
    if !number.isEmpty {
      text = replace(#"(\sid=")([A-Za-z_-]*)"# + number + #"(")"#, in: text, with: "$1$2{n}$3")
    }
    return text
  }

  /// Regular expressions and their replacements, in order.
  static let substitutions: [(String, String)] = [
    (#"(<([A-Za-z0-9_-]+:)?basic\s*>)\s*(open|closed)\s*(</([A-Za-z0-9_-]+:)?basic\s*>)"#, "$1{status}$4"),
    (#"(<([A-Za-z0-9_-]+:)?note(\s[^>]*)?>)[^<]*(</([A-Za-z0-9_-]+:)?note\s*>)"#, "$1{note}$4"),
    (#"(<([A-Za-z0-9_-]+:)?dialog-info\b[^>]*\sversion=")[0-9]+(")"#, "$1{version}$3"),
    (#"(<([A-Za-z0-9_-]+:)?activities\s*>\s*<([A-Za-z0-9_-]+:)?)[A-Za-z-]+(\s*/>)"#, "$1{activity}$4"),
    (#"(<([A-Za-z0-9_-]+:)?mood\s*>\s*<([A-Za-z0-9_-]+:)?)[A-Za-z-]+(\s*/>)"#, "$1{mood}$4"),
    (#"(<([A-Za-z0-9_-]+:)?place-type\s*>\s*<([A-Za-z0-9_-]+:)?)[A-Za-z-]+(\s*/>)"#, "$1{place}$4"),
  ]

  private static func replace(_ pattern: String, in text: String, with template: String) -> String {
    guard let expression = try? NSRegularExpression(pattern: pattern) else { return text }
    let range = NSRange(text.startIndex..., in: text)
    return expression.stringByReplacingMatches(in: text, range: range, withTemplate: template)
  }

  /// The recorded body's form with everything that varies between publishers and versions
  /// taken out: bodies with the same form are one template.
  static func form(of template: String) -> String {
    template.filter { !$0.isWhitespace }
  }
}
