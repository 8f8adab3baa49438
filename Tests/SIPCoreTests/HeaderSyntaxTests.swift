import Testing

@testable import SIPCore

/// The grammar checks scan bytes; what they accept must stay what the readers accept.
@Suite("Header grammar checks")
struct HeaderSyntaxTests {
  /// A Via passes exactly when ``Via`` reads it, its transport is a token and its parameters are
  /// well formed: the byte check and the reader agree on the head, the sent-by and the port.
  @Test(arguments: [
    "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK1", "sip/2.0/udp h", "SIP/2.0/TCP [fd00::1]:5060;rport",
    "SIP/2.0/UDP [fd00::1]", "SIP/2.0/UDP [fd00::1]x", "SIP/2.0/UDP [fd00::1", "SIP/2.0/UDP h:65535",
    "SIP/2.0/UDP h:65536", "SIP/2.0/UDP h:", "SIP/2.0/UDP :5060", "SIP/2.0/UDP h:123456", "SIP/2.0/UDP h:5x",
    "SIP/2.0/ h", "SIP/2.0/X/UDP h", "SIP/2.0UDP h", "SIP/2.0/UDP", "SIP/2.0/UDP\th ;branch=1",
    "SIP/2.0/U(P h", "SIP/2.0/UDP  h  ;rport", "SIP/3.0/UDP h", "SIP/2.0/UDP a b:5060",
  ])
  func viaCheckAgreesWithTheReader(text: String) {
    let parameters = text.utf8.firstIndex(of: UInt8(ascii: ";")).map { text[$0...] } ?? ""
    let readable = Via(text).map { HeaderSyntax.isToken($0.transport) } ?? false
    #expect(HeaderSyntax.isVia(text) == (readable && HeaderSyntax.isParameterList(parameters)), "\(text)")
  }

  @Test func tokensAndQuotedParameters() {
    #expect(HeaderSyntax.isToken("a-b.c!%*_+`'~"))
    #expect(!HeaderSyntax.isToken("a b") && !HeaderSyntax.isToken(""))
    #expect(HeaderSyntax.isParameterList(";a=\"x;y\\\"z\";b"[...]))
    #expect(!HeaderSyntax.isParameterList(";a=\"x"[...]) && !HeaderSyntax.isParameterList("a"[...]))
    #expect(HeaderSyntax.isCallID("x@y") && !HeaderSyntax.isCallID("x@y@z") && !HeaderSyntax.isCallID("x@"))
    #expect(HeaderSyntax.isMediaType("a/b;c=d") && !HeaderSyntax.isMediaType("a/b/c"))
  }
}
