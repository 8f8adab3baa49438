import Measurements
import NIOCore
import NIOHTTP1
import NIOPosix
import Transport

/// Serves `GET /metrics` in Prometheus text format on the address given to `--metrics-listen`
/// (loopback unless told otherwise) for as long as a run goes on.
final class MetricsHTTPServer: Sendable {
  private let group: MultiThreadedEventLoopGroup
  private let channel: Channel

  private init(group: MultiThreadedEventLoopGroup, channel: Channel) {
    self.group = group
    self.channel = channel
  }

  /// The bound port (useful with port 0).
  var port: Int { channel.localAddress?.port ?? 0 }

  static func start(host: String, port: Int, exporter: PrometheusExporter) async throws -> MetricsHTTPServer {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    do {
      let channel = try await ServerBootstrap(group: group)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
          channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
            try channel.pipeline.syncOperations.addHandler(MetricsHandler(exporter: exporter))
          }
        }
        .bind(host: host, port: port).get()
      return MetricsHTTPServer(group: group, channel: channel)
    } catch {
      try? await group.shutdownGracefully()
      throw error
    }
  }

  func stop() async {
    try? await channel.close()
    try? await group.shutdownGracefully()
  }
}

/// Answers one HTTP request: the metrics at `/metrics`, 404 elsewhere.
private final class MetricsHandler: ChannelInboundHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let exporter: PrometheusExporter
  private var path = ""

  init(exporter: PrometheusExporter) {
    self.exporter = exporter
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head):
      path = head.method == .GET ? head.uri : ""
    case .body:
      break
    case .end:
      let found = path == "/metrics" || path.hasPrefix("/metrics?")
      let body = found ? exporter.text() : Array("not found: try /metrics\n".utf8)
      var headers = HTTPHeaders()
      headers.add(name: "Content-Type", value: found ? "text/plain; version=0.0.4" : "text/plain")
      headers.add(name: "Content-Length", value: String(body.count))
      let head = HTTPResponseHead(version: .http1_1, status: found ? .ok : .notFound, headers: headers)
      context.write(wrapOutboundOut(.head(head)), promise: nil)
      context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
      context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
  }
}
