import GatewayTesting
import Logging
import NIOCore
import NIOPosix
import Testing
import Transports

@Suite("Pooled TCP transport")
struct TCPTransportTests {
    // Generous defaults: on two cores, CPU-heavy tests running beside these can delay a loopback
    // answer by seconds. Tests about timeouts set their own.
    func transport(_ port: Int, framing: Framing, maxConnections: Int = 4, readTimeout: TimeAmount = .seconds(15)) -> TCPTransport {
        TCPTransport(
            configuration: .init(host: "127.0.0.1", port: port, framing: framing, maxConnections: maxConnections, readTimeout: readTimeout),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test"))
    }

    func deadline(_ milliseconds: Int64 = 15_000) -> NIODeadline { .now() + .milliseconds(milliseconds) }

    @Test(arguments: [Framing.lengthPrefix(bytes: 2), .lengthPrefix(bytes: 4), .line(delimiter: 0x0A), .fixed(responseLength: 5)])
    func everyFramingCarriesRecordsBothWays(framing: Framing) async throws {
        let server = try await RecordServer.start(framing: framing) { request in .record(Array(request.reversed())) }
        let client = transport(server.port, framing: framing)
        for word in ["HELLO", "ABCDE", "12345"] {
            let response = try await client.roundTrip(ByteBuffer(string: word), deadline: deadline())
            #expect(String(buffer: response) == String(word.reversed()))
        }
        #expect(server.stats.accepted == 1, "one connection reused for every exchange")
        await client.shutdown()
        await server.stop()
    }

    @Test func poolNeverOpensMoreThanMaxConnections() async throws {
        let server = try await RecordServer.start(framing: .lengthPrefix(bytes: 4)) { request in
            try? await Task.sleep(for: .milliseconds(30))
            return .record(request)
        }
        let client = transport(server.port, framing: .lengthPrefix(bytes: 4), maxConnections: 2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<12 {
                group.addTask {
                    let response = try await client.roundTrip(ByteBuffer(string: "R\(index)"), deadline: deadline())
                    #expect(String(buffer: response) == "R\(index)")
                }
            }
            try await group.waitForAll()
        }
        #expect(server.stats.maximumActive <= 2)
        #expect(server.stats.requests == 12)
        let status = await client.status()
        #expect(status.open <= 2 && status.connectionsOpened <= 2)
        await client.shutdown()
        await server.stop()
    }

    @Test func callersBeyondThePoolWaitUntilTheirDeadline() async throws {
        let server = try await RecordServer.start(framing: .lengthPrefix(bytes: 4)) { _ in .silence }
        let client = transport(server.port, framing: .lengthPrefix(bytes: 4), maxConnections: 1, readTimeout: .seconds(5))
        let first = Task { try await client.roundTrip(ByteBuffer(string: "A"), deadline: deadline(3000)) }
        // Until the first call holds the only connection.
        var polls = 0
        while await client.status().leased == 0, polls < 200 {
            try await Task.sleep(for: .milliseconds(10))
            polls += 1
        }
        let start = ContinuousClock.now
        await #expect(throws: TransportError.poolExhausted) {
            try await client.roundTrip(ByteBuffer(string: "B"), deadline: deadline(200))
        }
        // Failed at its own deadline, not when the connection came free (about 2.9 s later); the
        // margin is wide because parallel tests on two cores delay timers.
        #expect(ContinuousClock.now - start < .milliseconds(2500))
        await #expect(throws: TransportError.readTimeout) { try await first.value }
        await client.shutdown()
        await server.stop()
    }

    @Test func brokenConnectionsAreDetectedAndReplaced() async throws {
        // The backend closes the connection after every answer, as some CICS listeners do.
        let server = try await RecordServer.start(framing: .lengthPrefix(bytes: 4)) { request in
            .rawThenClose([0, 0, 0, UInt8(request.count)] + request)
        }
        let client = transport(server.port, framing: .lengthPrefix(bytes: 4))
        for index in 0..<5 {
            let response = try await client.roundTrip(ByteBuffer(string: "N\(index)"), deadline: deadline())
            #expect(String(buffer: response) == "N\(index)")
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(server.stats.accepted == 5)
        #expect(await client.status().connectionsOpened == 5)
        await client.shutdown()
        await server.stop()
    }

    @Test func closeMidRecordReportsTheBytesReceived() async throws {
        let server = try await RecordServer.start(framing: .lengthPrefix(bytes: 4)) { _ in .rawThenClose([0, 0, 0, 10, 1, 2, 3]) }
        let client = transport(server.port, framing: .lengthPrefix(bytes: 4))
        await #expect(throws: TransportError.closed(receivedBytes: 3), "record bytes, the 4-byte prefix not counted") {
            try await client.roundTrip(ByteBuffer(string: "X"), deadline: deadline())
        }
        await client.shutdown()
        await server.stop()
    }

    @Test func silentBackendTimesOutAtTheReadDeadline() async throws {
        let server = try await RecordServer.start(framing: .lengthPrefix(bytes: 4)) { _ in .silence }
        let client = transport(server.port, framing: .lengthPrefix(bytes: 4), readTimeout: .milliseconds(150))
        let start = ContinuousClock.now
        await #expect(throws: TransportError.readTimeout) {
            try await client.roundTrip(ByteBuffer(string: "X"), deadline: deadline(5000))
        }
        let elapsed = ContinuousClock.now - start
        // The read timeout (150 ms), not the call's deadline (5 s), ended the wait; the margin is
        // wide because a loaded machine (CI, tests side by side) can be late by seconds.
        #expect(elapsed >= .milliseconds(140) && elapsed < .milliseconds(4500))
        await client.shutdown()
        await server.stop()
    }

    @Test func refusedConnectionIsReportedAndStatusSaysDown() async throws {
        let server = try await RecordServer.start(framing: .lengthPrefix(bytes: 4)) { _ in .close }
        let port = server.port
        await server.stop()
        let client = transport(port, framing: .lengthPrefix(bytes: 4))
        await #expect {
            try await client.roundTrip(ByteBuffer(string: "X"), deadline: deadline())
        } throws: { error in
            if case .connectFailed = error as? TransportError { return true }
            return false
        }
        #expect(await client.status().lastSucceeded == false)
        await client.shutdown()
    }

    @Test func oversizedFrameHeaderIsRefused() async throws {
        let server = try await RecordServer.start(framing: .lengthPrefix(bytes: 4)) { _ in .raw([0x7F, 0xFF, 0xFF, 0xFF]) }
        let client = transport(server.port, framing: .lengthPrefix(bytes: 4))
        await #expect(throws: TransportError.frameTooLong(0x7FFF_FFFF)) {
            try await client.roundTrip(ByteBuffer(string: "X"), deadline: deadline())
        }
        await client.shutdown()
        await server.stop()
    }
}
