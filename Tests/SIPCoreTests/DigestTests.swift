import Testing

@testable import SIPCore

@Suite("Digest authentication")
struct DigestTests {
  @Test func md5MatchesRFC2617Example() {
    let response = DigestAuthorization.response(
      algorithm: .md5, username: "Mufasa", realm: "testrealm@host.com", password: "Circle Of Life",
      method: "GET",
      uri: "/dir/index.html", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", nc: "00000001", cnonce: "0a4f113b")
    #expect(response == "6629fae49393a05397450978507c4ef1")
  }

  @Test func sha256MatchesRFC7616Example() {
    let response = DigestAuthorization.response(
      algorithm: .sha256, username: "Mufasa", realm: "http-auth@example.org", password: "Circle of Life",
      method: "GET", uri: "/dir/index.html", nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
      nc: "00000001",
      cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")
    #expect(response == "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")
  }

  @Test func challengeRoundTripsAndParsesQuotedLists() {
    let challenge = DigestChallenge(
      "Digest realm=\"pubsim, test\", nonce=\"abc\", qop=\"auth,auth-int\", algorithm=SHA-256, stale=TRUE, opaque=\"o\""
    )
    #expect(challenge?.realm == "pubsim, test")
    #expect(challenge?.qop == ["auth", "auth-int"])
    #expect(challenge?.algorithm == .sha256)
    #expect(challenge?.stale == true)
    #expect(challenge.flatMap { DigestChallenge($0.headerValue) } == challenge)
  }

  @Test(arguments: [
    "Basic realm=\"x\"", "Digest nonce=\"n\"", "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512",
  ])
  func unusableChallengesAreRefused(header: String) {
    #expect(DigestChallenge(header) == nil)
  }

  @Test func headerCarriesNonceCountAndQop() {
    let challenge = DigestChallenge(realm: "r", nonce: "n")
    let header = DigestAuthorization.header(
      answering: challenge, method: "PUBLISH", uri: "sip:a@b", username: "a", password: "p", nonceCount: 3,
      cnonce: "c")
    #expect(header.contains("nc=00000003"))
    #expect(header.contains("qop=auth"))
    #expect(header.hasPrefix("Digest username=\"a\""))
  }
}
