import ArgumentParser
import Foundation
import GatewayCore
import GatewayHTTP
import Logging
import NIOPosix
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the JSON API generated from the adapter declarations.")

    @OptionGroup var directories: DirectoryOptions
    @OptionGroup var cache: CacheOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8080

    @Option(help: "Seconds in-flight requests get to finish on SIGINT/SIGTERM.")
    var shutdownTimeout = 10

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "info"

    func run() async throws {
        let logger = JSONLogHandler.bootstrap(level: logLevel)
        let gateway = try GatewayRunner.load(directories, cacheBytes: try cache.bytes(), logger: logger)
        try await GatewayRunner.run(gateway, host: host, port: port, shutdownTimeout: shutdownTimeout, logger: logger) { bound in
            logger.info("listening", metadata: ["url": "http://\(host):\(bound)"])
        }
    }
}

/// Loading and running shared by `serve` and `demo`.
enum GatewayRunner {
    static func load(_ directories: DirectoryOptions, cacheBytes: Int = Gateway.defaultCacheBytes, logger: Logger) throws -> Gateway {
        do {
            return try Gateway.load(
                adaptersDirectory: directories.adapters, contractsDirectory: directories.contracts,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger, cacheBytes: cacheBytes)
        } catch {
            var message = "portage: refusing to start: \(error.problems.count) problem(s) in the adapter declarations\n"
            for problem in error.problems { message += "  \(problem)\n" }
            FileHandle.standardError.write(Data(message.utf8))
            throw ExitCode(2)
        }
    }

    static func run(
        _ gateway: Gateway, host: String, port: Int, shutdownTimeout: Int, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void
    ) async throws {
        let application = gateway.makeApplication(host: host, port: port, logger: logger) { channel in
            await onServerRunning(channel.localAddress?.port ?? port)
        }
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: application)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(shutdownTimeout)
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            logger.error("gateway stopped", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        logger.info("gateway stopped")
    }
}
