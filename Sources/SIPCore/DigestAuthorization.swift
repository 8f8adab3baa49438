import Crypto

/// Computes and checks digest responses (RFC 2617 with qop=auth, RFC 8760 for SHA-256): the
/// client side builds an `Authorization`/`Proxy-Authorization` value from a challenge and
/// credentials; the server side recomputes the response to verify one.
public enum DigestAuthorization {
  /// The header value answering `challenge` for a request `method uri`, with nonce count `nc`.
  public static func header(
    answering challenge: DigestChallenge, method: String, uri: String, username: String, password: String,
    nonceCount: UInt32, cnonce: String
  ) -> String {
    let useQop = challenge.qop.contains("auth")
    let nc = hex8(nonceCount)
    let response = self.response(
      algorithm: challenge.algorithm, username: username, realm: challenge.realm, password: password,
      method: method, uri: uri, nonce: challenge.nonce, nc: useQop ? nc : nil, cnonce: useQop ? cnonce : nil)
    var text =
      "Digest username=\"\(username)\", realm=\"\(challenge.realm)\", nonce=\"\(challenge.nonce)\", "
      + "uri=\"\(uri)\", response=\"\(response)\", algorithm=\(challenge.algorithm.token)"
    if useQop { text += ", qop=auth, nc=\(nc), cnonce=\"\(cnonce)\"" }
    if let opaque = challenge.opaque { text += ", opaque=\"\(opaque)\"" }
    return text
  }

  /// The `response` value: H(H(A1):nonce:nc:cnonce:qop:H(A2)), or H(H(A1):nonce:H(A2)) without qop.
  public static func response(
    algorithm: DigestAlgorithm, username: String, realm: String, password: String, method: String,
    uri: String,
    nonce: String, nc: String?, cnonce: String?
  ) -> String {
    let ha1 = hash(algorithm, "\(username):\(realm):\(password)")
    let ha2 = hash(algorithm, "\(method):\(uri)")
    if let nc, let cnonce {
      return hash(algorithm, "\(ha1):\(nonce):\(nc):\(cnonce):auth:\(ha2)")
    }
    return hash(algorithm, "\(ha1):\(nonce):\(ha2)")
  }

  /// Lower-case hex of the hash of `text`.
  public static func hash(_ algorithm: DigestAlgorithm, _ text: String) -> String {
    let bytes = Array(text.utf8)
    switch algorithm {
    case .md5: return hex(Insecure.MD5.hash(data: bytes))
    case .sha256: return hex(SHA256.hash(data: bytes))
    }
  }

  static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in digest {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func hex8(_ value: UInt32) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 8 - text.count)) + text
  }
}
