import NIOCore

/// A connection the pool hands out; one exchange at a time.
final class PooledConnection: Sendable {
    let id: Int
    let channel: any Channel

    init(id: Int, channel: any Channel) {
        self.id = id
        self.channel = channel
    }

    var isActive: Bool { channel.isActive }

    func exchange(_ request: ByteBuffer, readDeadline: NIODeadline) async throws(TransportError) -> ByteBuffer {
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        // A write that fails (the channel closed in between) must fail the exchange too, or it
        // would wait forever; completing the promise twice is harmless.
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in promise.fail(TransportError.closed(receivedBytes: 0)) }
        channel.writeAndFlush(Exchange(request: request, promise: promise, readDeadline: readDeadline), promise: written)
        do {
            return try await promise.futureResult.get()
        } catch let error as TransportError {
            throw error
        } catch {
            throw .closed(receivedBytes: 0)
        }
    }

    func close() {
        channel.close(promise: nil)
    }
}
