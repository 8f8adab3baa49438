import Benchmark
@_spi(Benchmarks) import Engine
import Measurements
import NIOCore
import NIOEmbedded
import Profiles
import Publication
import SIPCore
import Transport

/// The per-message work of a load run, one piece at a time, with allocation counts: writing a
/// PUBLISH, reading its response, scanning a captured PUBLISH, parsing one fully, recording a
/// latency, and one whole shard tick over a loopback socket. Run with `swift package benchmark` (README, Benchmarks); CI only builds them.
let benchmarks: @Sendable () -> Void = {
  // A thousand operations a sample, so that the figures are per thousand (K) and the
  // framework's own work per sample does not count.
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .mallocCountTotal, .instructions], scalingFactor: .kilo, maxDuration: .seconds(1),
    maxIterations: 100_000)

  let identity = PublisherIdentity(
    user: "user1234", domain: "example.com", number: 1234, runTag: "k3j9", event: "presence",
    contentType: "application/pidf+xml", password: nil)
  let body = BodyTemplate.defaults(for: "presence").template.render(aor: identity.aor, version: 3)
  let writer = RequestWriter(transport: .udp, sentBy: "127.0.0.1:40000")
  let refresh = PublisherStateMachine.Request(
    operation: .modify, ifMatch: "a1b2c3d4.17", expires: 3600, intendedAt: 0)
  var written = ByteBuffer()
  writer.write(
    .init(
      request: refresh, cseq: 7, branch: BranchCode(run: 9, shard: 1, slot: 42, generation: 3), body: body),
    for: identity, into: &written)
  let request = Array(written.readableBytesView)
  let response = Array(
    ("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK-9-1-16-3;rport=40000;received=127.0.0.1\r\n"
      + "From: <sip:user1234@example.com>;tag=p1234\r\nTo: <sip:user1234@example.com>;tag=x9\r\n"
      + "Call-ID: pubsim-k3j9-1234\r\nCSeq: 7 PUBLISH\r\nSIP-ETag: a1b2c3d4.18\r\nExpires: 3600\r\n"
      + "Content-Length: 0\r\n\r\n").utf8)

  Benchmark("Write a PUBLISH (modify, PIDF body)") { benchmark in
    var buffer = ByteBuffer()
    buffer.reserveCapacity(1_024)
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      buffer.clear()
      writer.write(
        .init(
          request: refresh, cseq: 7, branch: BranchCode(run: 9, shard: 1, slot: 42, generation: 3), body: body
        ),
        for: identity, into: &buffer)
      blackHole(buffer.readableBytes)
    }
  }

  Benchmark("Render a PIDF body (BodyTemplate)") { benchmark in
    for version in benchmark.scaledIterations {
      blackHole(BodyTemplate.pidf.render(aor: identity.aor, version: version, number: 1234))
    }
  }

  Benchmark("Read a 200 response (ResponseSummary)") { benchmark in
    response.withUnsafeBytes { bytes in
      for _ in benchmark.scaledIterations { blackHole(ResponseSummary(bytes)) }
    }
  }

  Benchmark("Scan a captured PUBLISH (PublishScan)") { benchmark in
    request.withUnsafeBytes { bytes in
      for _ in benchmark.scaledIterations { blackHole(PublishScan.fields(bytes)) }
    }
  }

  Benchmark("Parse a PUBLISH fully (SIPParser)") { benchmark in
    let parser = SIPParser()
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations { blackHole(try? parser.parse(request)) }
  }

  Benchmark("Record a latency (HdrHistogram)") { benchmark in
    var histogram = LatencyHistogram()
    var value: UInt64 = 1_000
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      value = value &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      histogram.record(nanoseconds: 50_000 + value % 5_000_000)
    }
    blackHole(histogram)
  }

  // A shard's whole tick with 16 transactions in each direction (24 000 transactions a second
  // over 1 ms ticks is 24 a tick): the answers waiting read and matched, their latencies
  // recorded, 16 refreshes written, their transactions opened and timed, and one sendmmsg. The
  // in-process responder's turn (one recvmmsg, 16 answers copied, one sendmmsg) is timed with
  // it; the event loop's wake-up is not.
  Benchmark("One shard tick (16 refreshes out, 16 answers in)") { benchmark in
    let responder = try Responder()
    let socket = try TimestampedDatagramSocket(target: responder.address, localHost: "127.0.0.1")
    let shardAddress = try SocketAddress(ipAddress: "127.0.0.1", port: socket.localPort)
    let ticker = ShardTicker(
      workload: TickWorkload(perTick: 16, population: 4_096), socket: socket, target: responder.address,
      loop: EmbeddedEventLoop())
    ticker.tick()
    let first = responder.answerAll(to: shardAddress)
    ticker.tick()
    precondition(
      ticker.completed > 0, "the shard was never answered (\(first) answers sent, \(ticker.sent) sent)")
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      ticker.tick()
      responder.answerAll(to: shardAddress)
    }
    benchmark.stopMeasurement()
    precondition(ticker.completed > 0, "the shard was never answered")
  }
}
