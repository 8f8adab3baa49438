import SIPCore

/// Digest authentication on the compositor's side (`--auth-realm`, `--credentials`): challenges
/// a PUBLISH without valid credentials with 401, and checks answers. Nonces carry their issue
/// time and a keyed hash, so any event loop can verify any nonce without shared state; a nonce
/// older than `nonceLifetime` is answered with a fresh one and `stale=true`.
public struct DigestVerifier: Sendable {
  public var realm: String
  public var algorithm: DigestAlgorithm
  public var passwords: [String: String]
  public var nonceLifetime: UInt64
  private let secret: String

  public init(
    realm: String, algorithm: DigestAlgorithm = .md5, passwords: [String: String],
    nonceLifetime: UInt64 = 300_000_000_000
  ) {
    self.realm = realm
    self.algorithm = algorithm
    self.passwords = passwords
    self.nonceLifetime = nonceLifetime
    secret = String(UInt64.random(in: 0...UInt64.max), radix: 36)
  }

  /// What to do with a request's credentials.
  public enum Verdict: Equatable, Sendable {
    case accepted
    /// Answer 401 with this challenge.
    case challenge(DigestChallenge)
  }

  public func verify(_ message: SIPMessage, now: UInt64) -> Verdict {
    guard let header = message.headers[.authorization], let answer = DigestParameters.parse(header),
      let username = answer["username"], let password = passwords[username], answer["realm"] == realm,
      let nonce = answer["nonce"], let issuedAt = issueTime(of: nonce), let uri = answer["uri"],
      let method = message.method?.rawValue, let response = answer["response"]
    else { return .challenge(challenge(now: now, stale: false)) }
    let qop = answer["qop"]
    let expected = DigestAuthorization.response(
      algorithm: algorithm, username: username, realm: realm, password: password, method: method, uri: uri,
      nonce: nonce, nc: qop == nil ? nil : answer["nc"], cnonce: qop == nil ? nil : answer["cnonce"])
    guard expected == response else { return .challenge(challenge(now: now, stale: false)) }
    guard now < issuedAt + nonceLifetime else { return .challenge(challenge(now: now, stale: true)) }
    return .accepted
  }

  func challenge(now: UInt64, stale: Bool) -> DigestChallenge {
    DigestChallenge(
      realm: realm, nonce: nonce(issuedAt: now), algorithm: algorithm, qop: ["auth"], stale: stale)
  }

  func nonce(issuedAt: UInt64) -> String {
    let time = String(issuedAt, radix: 16)
    return time + "." + String(DigestAuthorization.hash(.sha256, secret + ":" + time).prefix(16))
  }

  func issueTime(of nonce: String) -> UInt64? {
    let parts = nonce.split(separator: ".")
    guard parts.count == 2, let time = UInt64(parts[0], radix: 16), self.nonce(issuedAt: time) == nonce else {
      return nil
    }
    return time
  }
}
