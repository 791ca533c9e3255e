import AsyncHTTPClient
import Foundation
import GatewayHTTP
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test func inFlightRequestsFinishThenListenerAndPoolsClose() async throws {
        let fixture = try await GatewayFixture()
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = fixture.gateway.makeApplication(port: 0, logger: Logger(label: "test")) { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
        }
        let group = ServiceGroup(configuration: .init(services: [application], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let base = "http://127.0.0.1:\(port)"

        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        #expect(try await http.get(url: "\(base)/readyz").get().status == .ok)
        // A slow call (the backend answers after 700 ms) is in flight when shutdown starts.
        let slow = Task { try await http.get(url: "\(base)/v1/notes/SLOW").get() }
        // Wait until the backend holds the call (a loaded machine may take a while to get there).
        var polls = 0
        while fixture.notes.stats.active == 0, polls < 500 {
            try await Task.sleep(for: .milliseconds(10))
            polls += 1
        }
        #expect(fixture.notes.stats.active == 1)
        await group.triggerGracefulShutdown()

        let answer = try await slow.value
        #expect(answer.status == .ok, "the in-flight request finished")
        try await running.value
        #expect(fixture.gateway.readiness.reason == "shutting down")
        await #expect(throws: (any Error).self, "the listener is closed") {
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get().close()
        }
        // The gateway closed its pooled connection to the backend.
        var waited = 0
        while fixture.notes.stats.active > 0, waited < 50 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        #expect(fixture.notes.stats.active == 0)
        try await http.shutdown()
        await fixture.stop()
    }
}
