import AsyncHTTPClient
import Logging
import Foundation
import NIOCore
import NIOSSL
import Synchronization

/// POSTs request bodies to one HTTP(S) endpoint over AsyncHTTPClient's pooled connections and
/// returns whole answers, whatever their status (a SOAP fault may come with 500, 400 or 200).
public final class HTTPTransport: Sendable {
    public struct Configuration: Sendable {
        public var url: String
        public var maxConnections: Int
        public var connectTimeout: TimeAmount
        public var readTimeout: TimeAmount
        /// Answers larger than this are refused (the body is not kept).
        public var maximumResponseSize: Int
        /// For https: whom to trust and who the gateway is (nil: the system's trust store, no client certificate).
        public var tls: TLS?

        public init(url: String, maxConnections: Int = 8, connectTimeout: TimeAmount = .seconds(1),
                    readTimeout: TimeAmount = .seconds(5), maximumResponseSize: Int = 16 << 20, tls: TLS? = nil) {
            self.url = url
            self.maxConnections = maxConnections
            self.connectTimeout = connectTimeout
            self.readTimeout = readTimeout
            self.maximumResponseSize = maximumResponseSize
            self.tls = tls
        }
    }

    /// TLS for backends on a private PKI (their certificate signed by the organisation's own CA)
    /// and for those that require the gateway's certificate (mutual TLS, as X-Road members do).
    /// The backend's certificate is always verified, host name included.
    public struct TLS: Sendable {
        /// The certificates trusted to sign the backend's; nil: the system's trust store.
        public var trustRoots: [NIOSSLCertificate]?
        /// The gateway's certificate chain and key, presented when the backend asks for one.
        public var certificateChain: [NIOSSLCertificate]
        public var privateKey: NIOSSLPrivateKey?

        public struct LoadError: Error, CustomStringConvertible {
            public var file: String
            public var description: String
        }

        /// Reads PEM files: a CA bundle, and the gateway's certificate chain with its key (both or neither).
        public static func load(caFile: String?, certificateFile: String?, privateKeyFile: String?) throws(LoadError) -> TLS {
            func read<T>(_ path: String, _ what: String, _ body: (String) throws -> T) throws(LoadError) -> T {
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw LoadError(file: path, description: "\(path): cannot read the \(what) file")
                }
                do {
                    return try body(path)
                } catch {
                    throw LoadError(file: path, description: "\(path): not a PEM \(what) (\(error))")
                }
            }
            var tls = TLS(trustRoots: nil, certificateChain: [], privateKey: nil)
            if let caFile {
                tls.trustRoots = try read(caFile, "CA certificate") { try NIOSSLCertificate.fromPEMFile($0) }
                if tls.trustRoots?.isEmpty == true { throw LoadError(file: caFile, description: "\(caFile): no certificate in the CA file") }
            }
            if let certificateFile {
                tls.certificateChain = try read(certificateFile, "certificate") { try NIOSSLCertificate.fromPEMFile($0) }
                if tls.certificateChain.isEmpty {
                    throw LoadError(file: certificateFile, description: "\(certificateFile): no certificate in the certificate file")
                }
            }
            if let privateKeyFile {
                tls.privateKey = try read(privateKeyFile, "private key") { try NIOSSLPrivateKey(file: $0, format: .pem) }
            }
            // A key that does not belong to the certificate fails here, not at the first call.
            do {
                _ = try NIOSSLContext(configuration: tls.configuration)
            } catch {
                let file = privateKeyFile ?? certificateFile ?? caFile ?? ""
                throw LoadError(file: file, description: "\(file): the TLS material does not fit together (\(error))")
            }
            return tls
        }

        var configuration: TLSConfiguration {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let trustRoots { configuration.trustRoots = .certificates(trustRoots) }
            configuration.certificateChain = certificateChain.map { .certificate($0) }
            if let privateKey { configuration.privateKey = .privateKey(privateKey) }
            return configuration
        }
    }

    public struct Answer: Sendable {
        public var status: Int
        public var contentType: String?
        public var body: ByteBuffer
        /// The server's `Retry-After` in seconds (the HTTP-date form is not read), when it sent one.
        public var retryAfter: Duration?
    }

    public struct Status: Sendable {
        public var requests: Int
        public var lastSucceeded: Bool?
        public var lastError: String?
    }

    public let configuration: Configuration
    private let clientConfiguration: HTTPClient.Configuration
    private let eventLoopGroup: any EventLoopGroup
    /// Made on first use: AsyncHTTPClient requires every client it makes to be shut down, and a
    /// transport that is prepared but never started (`portage validate`) must not leave one behind.
    private let client = Mutex<HTTPClient?>(nil)
    private let state = Mutex(Status(requests: 0))

    public init(configuration: Configuration, eventLoopGroup: any EventLoopGroup) {
        self.configuration = configuration
        var clientConfiguration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: configuration.connectTimeout, read: configuration.readTimeout),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maxConnections),
            decompression: .disabled)
        clientConfiguration.httpVersion = .http1Only
        if let tls = configuration.tls { clientConfiguration.tlsConfiguration = tls.configuration }
        self.clientConfiguration = clientConfiguration
        self.eventLoopGroup = eventLoopGroup
    }

    private func sharedClient() -> HTTPClient {
        client.withLock { client in
            if let client { return client }
            let made = HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: clientConfiguration)
            client = made
            return made
        }
    }

    /// One POST to the configured address (or to `url`); the answer of any status, or why none came.
    public func post(
        _ body: [UInt8], to url: String? = nil, headers: [(name: String, value: String)], deadline: NIODeadline
    ) async throws(TransportError) -> Answer {
        var request = HTTPClientRequest(url: url ?? configuration.url)
        request.method = .POST
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await execute(request, deadline: deadline)
    }

    /// One GET of any address (`portage import wsdl` fetching a WSDL and its schemas).
    public func get(_ url: String, deadline: NIODeadline) async throws(TransportError) -> Answer {
        try await execute(HTTPClientRequest(url: url), deadline: deadline)
    }

    private func execute(_ request: HTTPClientRequest, deadline: NIODeadline) async throws(TransportError) -> Answer {
        do {
            let response = try await sharedClient().execute(request, deadline: deadline)
            let buffer = try await response.body.collect(upTo: configuration.maximumResponseSize)
            record(nil)
            let retryAfter = response.headers.first(name: "retry-after").flatMap { RetryAfter.parse($0) }
            return Answer(
                status: Int(response.status.code), contentType: response.headers.first(name: "content-type"), body: buffer,
                retryAfter: retryAfter)
        } catch {
            let mapped = Self.transportError(error)
            record(mapped)
            throw mapped
        }
    }

    private func record(_ error: TransportError?) {
        state.withLock { state in
            state.requests += 1
            state.lastSucceeded = error == nil
            if let error { state.lastError = error.description }
        }
    }

    static func transportError(_ error: any Error) -> TransportError {
        if error is NIOTooManyBytesError { return .frameTooLong(-1) }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return .connectTimeout
            case .readTimeout, .deadlineExceeded: return .readTimeout
            case .remoteConnectionClosed: return .closed(receivedBytes: 0)
            case .alreadyShutdown, .cancelled: return .shuttingDown
            default: return .connectFailed(error.description)
            }
        }
        return .connectFailed(String(describing: error))
    }

    public func status() -> Status {
        state.withLock { $0 }
    }

    public func shutdown() async {
        let made = client.withLock { client in
            defer { client = nil }
            return client
        }
        try? await made?.shutdown()
    }
}
