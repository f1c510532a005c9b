import NIOCore
import NIOHTTPTypes

/// A whole-request deadline and a minimum transfer rate, for the head and the body alike. The idle
/// timeout alone closes only a connection that sends nothing; one that drips a byte every few seconds
/// (slowloris, through a head or a `Content-Length: 8000` body) would hold a connection, a task and a
/// buffer for ever. Here a request's clock starts at its first byte (the TLS handshake included) and
/// stops when its last part has arrived: past `deadline`, or slower than `minimumBytesPerSecond` after
/// `grace`, the connection is closed. Time the simulator spends answering is not counted, and a
/// connection idle between requests is the idle timeout's.
///
/// Two handlers share one clock: one at the front of the pipeline counts the bytes as they come off
/// the socket, one after the HTTP decoder sees where a request ends. Both run on the channel's event
/// loop, so the clock needs no lock.
final class RequestDeadline {
    struct Limits: Sendable {
        var deadline: TimeAmount
        var minimumBytesPerSecond: Int
        var grace: TimeAmount
        /// How often the clock is looked at.
        var tick: TimeAmount = .milliseconds(500)
    }

    private let limits: Limits
    /// When the request being received began; nil while none is (between requests, or answering one).
    private var started: NIODeadline?
    private var received = 0

    private init(limits: Limits) { self.limits = limits }

    /// The handler to add after the HTTP decoder (it adds the byte counter itself).
    static func handler(_ limits: Limits) -> Parts { Parts(clock: RequestDeadline(limits: limits)) }

    fileprivate func bytesArrived(_ count: Int) {
        if started == nil {
            started = .now()
            received = 0
        }
        received += count
    }

    fileprivate func requestBegan() { if started == nil { bytesArrived(0) } }

    fileprivate func requestEnded() { started = nil }

    /// Why the connection must close now, if it must.
    fileprivate func verdict(now: NIODeadline) -> String? {
        guard let started else { return nil }
        let elapsed = now - started
        if elapsed > limits.deadline { return "the request took more than \(limits.deadline.nanoseconds / 1_000_000) ms" }
        if elapsed > limits.grace {
            let expected = Int64(limits.minimumBytesPerSecond) * elapsed.nanoseconds / 1_000_000_000
            if Int64(received) < expected { return "the request came at less than \(limits.minimumBytesPerSecond) bytes a second" }
        }
        return nil
    }

    /// After the HTTP decoder: a request's head starts the clock (if its bytes have not), its end stops it.
    final class Parts: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        typealias InboundOut = HTTPRequestPart

        fileprivate let clock: RequestDeadline
        private var check: RepeatedTask?

        fileprivate init(clock: RequestDeadline) { self.clock = clock }

        func handlerAdded(context: ChannelHandlerContext) {
            try? context.pipeline.syncOperations.addHandler(Bytes(clock: clock), position: .first)
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            check = context.eventLoop.scheduleRepeatedTask(initialDelay: clock.limits.tick, delay: clock.limits.tick) { task in
                let (handler, context) = bound.value
                // Not active yet (a loaded loop may tick before the channel's activation) is not closed: the
                // check stops in channelInactive or handlerRemoved, never before the connection has lived.
                guard context.channel.isActive else { return }
                if handler.clock.verdict(now: .now()) != nil {
                    task.cancel()
                    context.close(promise: nil)
                }
            }
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            check?.cancel()
            check = nil
        }

        func channelInactive(context: ChannelHandlerContext) {
            check?.cancel()
            check = nil
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head: clock.requestBegan()
            case .body: break
            case .end: clock.requestEnded()
            }
            context.fireChannelRead(data)
        }
    }

    /// At the front of the pipeline: every byte read off the socket.
    final class Bytes: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer

        private let clock: RequestDeadline

        fileprivate init(clock: RequestDeadline) { self.clock = clock }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            clock.bytesArrived(unwrapInboundIn(data).readableBytes)
            context.fireChannelRead(data)
        }
    }
}
