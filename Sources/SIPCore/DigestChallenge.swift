/// A digest challenge from `WWW-Authenticate` (401) or `Proxy-Authenticate` (407), RFC 2617 /
/// RFC 8760: `Digest realm="example.com", nonce="abc", qop="auth", algorithm=SHA-256`.
public struct DigestChallenge: Equatable, Sendable {
  public var realm: String
  public var nonce: String
  public var opaque: String?
  /// `MD5` (the default) or `SHA-256`.
  public var algorithm: DigestAlgorithm
  /// Offered qop values (`auth`, `auth-int`); empty for the RFC 2069 form.
  public var qop: [String]
  /// The nonce was stale: the credentials were right, retry with the new nonce.
  public var stale: Bool

  public init(
    realm: String, nonce: String, opaque: String? = nil, algorithm: DigestAlgorithm = .md5,
    qop: [String] = ["auth"],
    stale: Bool = false
  ) {
    self.realm = realm
    self.nonce = nonce
    self.opaque = opaque
    self.algorithm = algorithm
    self.qop = qop
    self.stale = stale
  }

  /// Reads a challenge header value; nil unless it is a Digest challenge with realm and nonce
  /// and a supported algorithm.
  public init?(_ header: String) {
    guard let parameters = DigestParameters.parse(header), let realm = parameters["realm"],
      let nonce = parameters["nonce"]
    else { return nil }
    guard let algorithm = DigestAlgorithm(token: parameters["algorithm"] ?? "MD5") else { return nil }
    self.init(
      realm: realm, nonce: nonce, opaque: parameters["opaque"], algorithm: algorithm,
      qop: (parameters["qop"] ?? "").split(separator: ",").map { String($0).trimmingSIPWhitespace() }
        .filter { !$0.isEmpty },
      stale: parameters["stale"]?.lowercased() == "true")
  }

  /// The challenge as a header value.
  public var headerValue: String {
    var text = "Digest realm=\"\(realm)\", nonce=\"\(nonce)\""
    if let opaque { text += ", opaque=\"\(opaque)\"" }
    if !qop.isEmpty { text += ", qop=\"\(qop.joined(separator: ","))\"" }
    text += ", algorithm=\(algorithm.token)"
    if stale { text += ", stale=true" }
    return text
  }
}

/// The hash a digest exchange uses.
public enum DigestAlgorithm: String, Sendable, Equatable, CaseIterable {
  case md5
  case sha256

  public init?(token: String) {
    switch token.uppercased() {
    case "MD5": self = .md5
    case "SHA-256": self = .sha256
    default: return nil
    }
  }

  public var token: String { self == .md5 ? "MD5" : "SHA-256" }
}

/// `name=value, name="quoted value"` lists after the `Digest` scheme.
public enum DigestParameters {
  /// Lower-cased names to unquoted values; nil unless the scheme is Digest.
  public static func parse(_ header: String) -> [String: String]? {
    let trimmed = header.trimmingSIPWhitespace()
    guard trimmed.utf8.count > 7,
      trimmed.utf8.prefix(7).elementsEqual("digest ".utf8, by: { $0 | 0x20 == $1 })
    else {
      return nil
    }
    var result: [String: String] = [:]
    for part in SIPHeaders.splitList(String(trimmed.dropFirst(7))) {
      let (name, value) = SIPParameters.parse(Substring(part))
      result[name.lowercased()] = value ?? ""
    }
    return result
  }
}
