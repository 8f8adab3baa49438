/// How a client treats a TLS server's certificate (`--tls-ca`, `--tls-insecure`).
public struct TLSClientOptions: Sendable, Equatable {
  /// PEM certificates trusted besides the system's.
  public var caFile: String?
  /// False to accept any certificate (a test server's self-signed one).
  public var verifiesPeer: Bool

  public init(caFile: String? = nil, verifiesPeer: Bool = true) {
    self.caFile = caFile
    self.verifiesPeer = verifiesPeer
  }
}
