import Foundation
import NIOCore

/// At most `limit` connections at once: a classroom's terminals fit easily, and a flood of idle
/// connections cannot take the simulator's memory or file descriptors. Connections over the cap are
/// closed at once; the idle timeout closes the ones that say nothing.
final class ConnectionCap: @unchecked Sendable {
    let limit: Int
    private let lock = NSLock()
    private var open = 0

    init(limit: Int) { self.limit = limit }

    var count: Int { lock.withLock { open } }

    /// A handler for one connection's pipeline.
    func handler() -> Handler { Handler(cap: self) }

    fileprivate func admit() -> Bool {
        lock.withLock {
            guard open < limit else { return false }
            open += 1
            return true
        }
    }

    fileprivate func leave() { lock.withLock { open -= 1 } }

    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny
        private let cap: ConnectionCap
        private var admitted = false

        init(cap: ConnectionCap) { self.cap = cap }

        func handlerAdded(context: ChannelHandlerContext) {
            if context.channel.isActive { admitOrClose(context: context) }
        }

        func channelActive(context: ChannelHandlerContext) {
            admitOrClose(context: context)
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            if admitted {
                admitted = false
                cap.leave()
            }
            context.fireChannelInactive()
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            if admitted {
                admitted = false
                cap.leave()
            }
        }

        private func admitOrClose(context: ChannelHandlerContext) {
            guard !admitted else { return }
            if cap.admit() { admitted = true } else { context.close(promise: nil) }
        }
    }
}
