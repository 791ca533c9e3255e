import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A small HTTP/1.1 server for the demo's simulated services and for tests: each request, body
/// collected, goes to an async handler whose answer is written back (keep-alive honoured); over
/// TLS when given a configuration (tests of private CAs and client certificates).
public final class HTTPServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var uri: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    public typealias Handler = @Sendable (Request) async -> Response

    public let port: Int
    private let requestCount = Mutex(0)
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let serverChannel: any Channel

    private init(port: Int, serverChannel: any Channel) {
        self.port = port
        self.serverChannel = serverChannel
    }

    /// How many requests were answered.
    public var requests: Int { requestCount.withLock { $0 } }

    public static func start(
        host: String = "127.0.0.1", port: Int = 0, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        tls: TLSConfiguration? = nil, handler: @escaping Handler
    ) async throws -> HTTPServer {
        let context = try tls.map { try NIOSSLContext(configuration: $0) }
        let server = try await ServerBootstrap.testServer(group: group)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        let httpServer = HTTPServer(port: server.channel.localAddress?.port ?? port, serverChannel: server.channel)
        let task = Task<Void, Never> {
            await withDiscardingTaskGroup { group in
                try? await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await httpServer.serve(connection, handler: handler) }
                    }
                }
            }
        }
        httpServer.task.withLock { $0 = task }
        return httpServer
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, handler: Handler) async {
        try? await connection.executeThenClose { input, output in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in input {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body = []
                case .body(let buffer):
                    body += buffer.readableBytesView
                case .end:
                    guard let requestHead = head else { continue }
                    let request = Request(
                        method: requestHead.method.rawValue, uri: requestHead.uri,
                        headers: requestHead.headers.map { ($0.name, $0.value) }, body: body)
                    let response = await handler(request)
                    requestCount.withLock { $0 += 1 }
                    var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
                    headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
                    let keepAlive = requestHead.isKeepAlive
                    if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
                    try await output.write(.head(HTTPResponseHead(
                        version: requestHead.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)))
                    if !response.body.isEmpty { try await output.write(.body(.byteBuffer(ByteBuffer(bytes: response.body)))) }
                    try await output.write(.end(nil))
                    if !keepAlive { return }
                }
            }
        }
    }

    /// Stops accepting and closes every connection.
    public func stop() async {
        let task = self.task.withLock { $0 }
        task?.cancel()
        try? await serverChannel.close()
        await task?.value
    }
}
