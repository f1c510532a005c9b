import Foundation
import NIOCore

/// At most `limit` connections at once, and at most `perAddress` from one client address: a
/// classroom's terminals fit easily, and a flood of idle connections — from many machines or from
/// one — cannot take the simulator's memory or file descriptors, nor lock the others out. Connections
/// over a cap are closed at once; the idle timeout closes the ones that say nothing.
final class ConnectionCap: @unchecked Sendable {
    let limit: Int
    let perAddress: Int
    private let lock = NSLock()
    private var open = 0
    private var byAddress: [String: Int] = [:]

    init(limit: Int, perAddress: Int = .max) {
        self.limit = limit
        self.perAddress = perAddress
    }

    var count: Int { lock.withLock { open } }

    /// A handler for one connection's pipeline.
    func handler() -> Handler { Handler(cap: self) }

    /// How many connections one address holds.
    func count(from address: String) -> Int { lock.withLock { byAddress[address] ?? 0 } }

    fileprivate func admit(_ address: String) -> Bool {
        lock.withLock {
            let mine = byAddress[address] ?? 0
            guard open < limit, mine < perAddress else { return false }
            open += 1
            byAddress[address] = mine + 1
            return true
        }
    }

    fileprivate func leave(_ address: String) {
        lock.withLock {
            open -= 1
            let mine = (byAddress[address] ?? 1) - 1
            byAddress[address] = mine > 0 ? mine : nil
        }
    }

    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny
        private let cap: ConnectionCap
        private var admitted = false
        /// The client's address (without its port), as it was admitted.
        private var address = ""

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
                cap.leave(address)
            }
            context.fireChannelInactive()
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            if admitted {
                admitted = false
                cap.leave(address)
            }
        }

        private func admitOrClose(context: ChannelHandlerContext) {
            guard !admitted else { return }
            address = context.channel.remoteAddress?.ipAddress ?? "unknown"
            if cap.admit(address) { admitted = true } else { context.close(promise: nil) }
        }
    }
}
