import NIOSSL

/// TLS for `sips:` URIs (and `;transport=tls`): what a client trusts and what a server presents.
/// A context is made once and shared by every connection of a run or a server.
public enum TLSContexts {
  /// A client's context: the system's trust roots plus the certificates in `caFile`, or, when
  /// `verifiesPeer` is false (a test server's self-signed certificate), no verification at all.
  public static func client(_ options: TLSClientOptions) throws -> NIOSSLContext {
    var configuration = TLSConfiguration.makeClientConfiguration()
    if options.verifiesPeer {
      if let caFile = options.caFile { configuration.additionalTrustRoots = [.file(caFile)] }
    } else {
      configuration.certificateVerification = .none
    }
    return try NIOSSLContext(configuration: configuration)
  }

  /// A server's context from a PEM certificate chain and its PEM private key.
  public static func server(certificateFile: String, keyFile: String) throws -> NIOSSLContext {
    let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map {
      NIOSSLCertificateSource.certificate($0)
    }
    let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
    let configuration = TLSConfiguration.makeServerConfiguration(
      certificateChain: chain, privateKey: .privateKey(key))
    return try NIOSSLContext(configuration: configuration)
  }

  /// The name a client sends (SNI) and checks the certificate against: nil for an IP literal,
  /// which TLS cannot carry as a name, and which is then checked against the certificate's IP
  /// addresses.
  public static func serverName(for host: String) -> String? {
    let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
    let isIPv4 = bare.split(separator: ".").count == 4 && bare.allSatisfy { $0.isNumber || $0 == "." }
    return isIPv4 || bare.contains(":") ? nil : bare
  }

  /// A TLS failure in a user's words, with what to do about it; nil for other errors.
  public static func reason(_ error: Error) -> String? {
    let text: String
    switch error {
    case let error as TLSHandshakeWaiter.Closed: return error.description
    case let error as NIOSSLExtraError where error == .failedToValidateHostname:
      return "TLS: the server's certificate is for another name or address"
    case let error as NIOSSLError: text = "\(error)"
    case let error as NIOSSLExtraError: text = "\(error)"
    case let error as BoringSSLError: text = "\(error)"
    default: return nil
    }
    if text.contains("CERTIFICATE_VERIFY_FAILED") {
      return "TLS: the server's certificate is not trusted (--tls-ca FILE trusts its issuer, "
        + "--tls-insecure skips the check)"
    }
    // BoringSSL's reason is the token after "OPENSSL_internal:" ("WRONG_VERSION_NUMBER").
    if let range = text.range(of: "OPENSSL_internal:") {
      let token = text[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
      return "TLS handshake failed: \(token.lowercased().replacingOccurrences(of: "_", with: " "))"
    }
    return "TLS: \(text)"
  }
}
