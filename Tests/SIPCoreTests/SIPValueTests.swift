import Testing

@testable import SIPCore

@Suite("URIs, Via, CSeq, name-addr, durations")
struct SIPValueTests {
  @Test(arguments: [
    ("sip:alice@example.com", "alice" as String?, "example.com", nil as Int?, false),
    ("sip:127.0.0.1:5060", nil, "127.0.0.1", 5060, false),
    ("sips:bob@[::1]:5071;transport=tcp", "bob", "::1", 5071, true),
    ("SIP:carol@Example.COM;user=phone", "carol", "Example.COM", nil, false),
  ])
  func parsesURIs(text: String, user: String?, host: String, port: Int?, secure: Bool) throws {
    let uri = try SIPURI.parse(text)
    #expect(uri.user == user)
    #expect(uri.host == host)
    #expect(uri.port == port)
    #expect(uri.isSecure == secure)
  }

  @Test func addressOfRecordIgnoresPortAndParameters() {
    #expect(SIPURI("sip:alice@Example.com:5070;transport=tcp")?.addressOfRecord == "alice@example.com")
  }

  @Test(arguments: ["http://x", "sip:", "sip:@host", "sip:host:99999", "sip:[::1", "alice@example.com"])
  func rejectsBadURIs(text: String) {
    #expect(SIPURI(text) == nil)
    #expect(SIPURI.addressOfRecord(of: text) == nil)
  }

  /// The address-of-record read without the parameters (and, from ASCII, in one string) is the
  /// parsed URI's.
  @Test(arguments: [
    "sip:alice@Example.COM:5070;transport=tcp", " SIPS:Bob@h ", "sip:h.example", "sip:[FD00::1]:5060",
    "sip:a@b?subject=x", "sip:a;b@c", "sip:u@Hôte.example", "sip:Ünïcode@x", "sip:a@b@c;lr",
  ])
  func addressOfRecordAloneIsTheParsedURIs(text: String) {
    #expect(SIPURI.addressOfRecord(of: text) == SIPURI(text)?.addressOfRecord)
  }

  @Test func parsesVia() {
    let via = Via("SIP/2.0/udp 10.0.0.1:5080;branch=z9hG4bK77;rport;received=1.2.3.4")
    #expect(via?.transport == "UDP")
    #expect(via?.sentBy == "10.0.0.1:5080")
    #expect(via?.branch == "z9hG4bK77")
    #expect(via?.hasRPort == true)
    #expect(via?.parameter("received") == "1.2.3.4")
    #expect(Via("garbage") == nil)
  }

  @Test func viaParametersCanBeStamped() {
    var via = Via("SIP/2.0/UDP [2001:db8::1]:5080;branch=z9hG4bK1;rport")
    via?.setParameter("rport", "6000")
    via?.setParameter("received", "2001:db8::1")
    #expect(via?.text == "SIP/2.0/UDP [2001:db8::1]:5080;branch=z9hG4bK1;rport=6000;received=2001:db8::1")
  }

  @Test func parsesCSeq() {
    #expect(CSeq("  314159 PUBLISH") == CSeq(314_159, .publish))
    #expect(CSeq("x PUBLISH") == nil)
    #expect(CSeq("99999999999 PUBLISH") == nil)
    #expect(CSeq("1") == nil)
    #expect(CSeq("7\tPUBLISH ") == CSeq(7, .publish))
    #expect(CSeq("7 PUB LISH") == nil)
    #expect(CSeq("4294967295 X") == CSeq(4_294_967_295, SIPMethod("X")))
    #expect(CSeq("4294967296 X") == nil)
  }

  @Test func parsesNameAddresses() {
    #expect(NameAddress("\"A, B\" <sip:a@b;lr>;tag=x1")?.tag == "x1")
    #expect(NameAddress("\"A, B\" <sip:a@b;lr>;tag=x1")?.uri == "sip:a@b;lr")
    #expect(NameAddress("sip:a@b;tag=9")?.uri == "sip:a@b")
    #expect(NameAddress("<sip:a@b>")?.tag == nil)
  }

  @Test(arguments: [
    ("5ms", 5_000_000 as UInt64?), ("250us", 250_000), ("1.5s", 1_500_000_000), ("2", 2_000_000_000),
    ("1m", 60_000_000_000), ("-1s", nil), ("soon", nil),
  ])
  func readsDurations(text: String, nanoseconds: UInt64?) {
    #expect(DurationText.nanoseconds(text) == nanoseconds)
  }

  /// A server's Via goes back as it came, with `rport` and `received` filled in (RFC 3581):
  /// parameters keep their order, spelling and quotes.
  @Test(
    arguments: [
      (
        "SIP/2.0/UDP h:5060;rport;branch=z9hG4bK1", "10.0.0.9", 4000,
        "SIP/2.0/UDP h:5060;rport=4000;branch=z9hG4bK1;received=10.0.0.9"
      ),
      (
        "SIP/2.0/UDP h;branch=z9hG4bK1;RPort=1;x=\"a;b\"", nil, 4000,
        "SIP/2.0/UDP h;branch=z9hG4bK1;rport=4000;x=\"a;b\""
      ),
      ("SIP/2.0/UDP h;Received=1.2.3.4;branch=b", "fd00::1", nil, "SIP/2.0/UDP h;received=fd00::1;branch=b"),
      ("SIP/2.0/TCP h", "10.0.0.9", nil, "SIP/2.0/TCP h;received=10.0.0.9"),
    ] as [(String, String?, Int?, String)])
  func viaIsStampedInPlace(original: String, received: String?, rport: Int?, expected: String) {
    #expect(Via.stamped(original, received: received, rport: rport) == expected)
  }

  /// The byte check behind a response's To tag agrees with reading the name-addr.
  @Test(arguments: [
    "<sip:a@h>;tag=1", "<sip:a@h>", "sip:a@h;tag=x", "sip:a@h", "\"A\" <sip:a@h> ; TAG = 2", "<sip:a@h>;tag",
    "<sip:a@h>;tag=1;tag", "<sip:a@h>;tag;tag=", "<>;tag=1", "< >;tag=1", "<sip:a@h;tag=1>", ";tag=1", "",
    "<sip:a@h;tag=1", "sip:a@h;x=1;;tag=2", "<sip:a@h>;tags=1",
  ])
  func toTagCheckAgreesWithTheReader(text: String) {
    #expect(NameAddress.hasTag(text) == (NameAddress(text)?.tag != nil), "\(text)")
  }

  /// A `;` inside a quoted parameter value does not end it: the Via reader, the grammar check
  /// and the server's stamping all see one parameter.
  @Test func aQuotedSemicolonDoesNotEndAViaParameter() {
    let text = "SIP/2.0/UDP h;branch=z9hG4bK1;x=\"a;rport;branch=b\""
    let via = Via(text)
    #expect(via?.hasRPort == false && via?.branch == "z9hG4bK1")
    #expect(via?.parameter("x") == "a;rport;branch=b")
    #expect(HeaderSyntax.isVia(text))
  }
}
