import NIOCore

/// One request/response exchange in flight on a connection.
struct Exchange: Sendable {
    var request: ByteBuffer
    var promise: EventLoopPromise<ByteBuffer>
    var readDeadline: NIODeadline
}

/// Frames outbound requests and matches inbound frames to the one exchange in flight.
///
/// A connection carries one exchange at a time (the pool leases it). A late or unsolicited frame,
/// a timeout or an oversized frame closes the connection: its stream position can no longer be trusted.
final class ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Exchange
    typealias OutboundOut = ByteBuffer

    private let framing: Framing
    private let maximumFrameLength: Int
    private var buffer: ByteBuffer?
    private var pending: EventLoopPromise<ByteBuffer>?
    private var timeout: Scheduled<Void>?

    init(framing: Framing, maximumFrameLength: Int) {
        self.framing = framing
        self.maximumFrameLength = maximumFrameLength
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard pending == nil else {
            exchange.promise.fail(TransportError.closed(receivedBytes: 0))
            promise?.fail(TransportError.closed(receivedBytes: 0))
            return
        }
        pending = exchange.promise
        buffer?.clear()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeout = context.eventLoop.scheduleTask(deadline: exchange.readDeadline) {
            let (handler, context) = loopBound.value
            handler.fail(TransportError.readTimeout, context: context)
        }
        let framed = framing.frame(exchange.request, allocator: context.channel.allocator)
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { result in
            let (handler, context) = loopBound.value
            if case .failure = result { handler.fail(TransportError.closed(receivedBytes: 0), context: context) }
        }
        written.futureResult.cascade(to: promise)
        context.writeAndFlush(wrapOutboundOut(framed), promise: written)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil {
            buffer = incoming
        } else {
            buffer!.writeBuffer(&incoming)
        }
        guard pending != nil else {
            // Bytes nobody asked for: the stream is out of step with our requests.
            context.close(promise: nil)
            return
        }
        switch framing.extract(from: &buffer!, maximumLength: maximumFrameLength) {
        case .needMoreData:
            break
        case .tooLong(let length):
            fail(TransportError.frameTooLong(length), context: context)
        case .frame(let frame):
            timeout?.cancel()
            timeout = nil
            let promise = pending
            pending = nil
            if buffer!.readableBytes > 0 {
                // More than one frame for one request: answer the first, then drop the connection.
                context.close(promise: nil)
            }
            buffer!.discardReadBytes()
            promise?.succeed(frame)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(TransportError.closed(receivedBytes: receivedRecordBytes), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(TransportError.closed(receivedBytes: receivedRecordBytes), context: context)
    }

    /// Bytes of the awaited record that arrived, the framing's header not counted.
    private var receivedRecordBytes: Int {
        let received = buffer?.readableBytes ?? 0
        if case .lengthPrefix(let header) = framing { return max(0, received - header) }
        return received
    }

    private func fail(_ error: TransportError, context: ChannelHandlerContext) {
        timeout?.cancel()
        timeout = nil
        if let promise = pending {
            pending = nil
            promise.fail(error)
        }
        if context.channel.isActive { context.close(promise: nil) }
    }
}
