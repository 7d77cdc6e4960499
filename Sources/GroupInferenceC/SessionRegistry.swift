import CGroupInference
import GroupInference
import Synchronization

/// A live session behind a C handle, with the host's callback contexts.
/// `@unchecked Sendable`: the registry hands it to any thread, but its mutable
/// state is only touched between `enter()` and `leave()`, which exclude each other.
final class SessionHandle: @unchecked Sendable {
    let session: GroupSession
    /// Scorer and denoiser contexts; their destroy hooks run when the handle goes.
    var owners: [CallbackOwner] = []
    var denoiserOwner: CallbackOwner?
    var progressOwner: CallbackOwner?
    private let busy = Atomic<Bool>(false)

    init(_ session: GroupSession) { self.session = session }

    /// Refuses re-entrant calls (from a callback) and concurrent ones.
    func enter() -> Bool {
        busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    func leave() { busy.store(false, ordering: .releasing) }
}

/// Owns a host `user` pointer and calls its destroy hook exactly once.
final class CallbackOwner {
    private let user: UnsafeMutableRawPointer?
    private let destroy: gi_destroy_fn?

    init(_ user: UnsafeMutableRawPointer?, _ destroy: gi_destroy_fn?) {
        self.user = user
        self.destroy = destroy
    }

    deinit { destroy?(user) }
}

/// Handles are never-reused numbers, not addresses: a destroyed or foreign
/// handle is looked up, found missing and refused, never dereferenced.
enum SessionRegistry {
    private struct Table {
        var next: UInt = 0x6769_0000_0010
        var live: [UInt: SessionHandle] = [:]
    }

    private static let table = Mutex(Table())

    static func insert(_ handle: SessionHandle) -> OpaquePointer {
        let key = table.withLock { t in
            let key = t.next
            t.next += 16
            t.live[key] = handle
            return key
        }
        return OpaquePointer(bitPattern: key)!
    }

    static func lookup(_ pointer: OpaquePointer) -> SessionHandle? {
        let key = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(pointer)))
        return table.withLock { $0.live[key] }
    }

    static func remove(_ pointer: OpaquePointer) -> SessionHandle? {
        let key = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(pointer)))
        return table.withLock { $0.live.removeValue(forKey: key) }
    }
}

/// The body of every entry point that takes a session.
func withSession(_ function: StaticString, _ pointer: OpaquePointer?,
                 _ body: (SessionHandle) throws(ABIError) -> gi_status) -> gi_status {
    guarded(function) { () throws(ABIError) -> gi_status in
        guard let pointer else { throw .argument("session is NULL") }
        guard let handle = SessionRegistry.lookup(pointer) else {
            throw ABIError(status: GI_ERR_HANDLE,
                           message: "\(pointer) is not a live session (destroyed, or not made by gi_session_create)")
        }
        guard handle.enter() else {
            throw .state("the session is already in a call: called from one of its own callbacks, or from two threads at once")
        }
        defer { handle.leave() }
        return try body(handle)
    }
}
