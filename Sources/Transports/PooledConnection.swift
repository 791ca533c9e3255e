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
        channel.writeAndFlush(Exchange(request: request, promise: promise, readDeadline: readDeadline), promise: nil)
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
