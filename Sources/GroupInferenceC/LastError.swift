#if canImport(Glibc)
import Glibc
#endif

/// The thread-local text behind `gi_last_error()`: a malloc'd C string per
/// thread, freed when the thread ends.
enum LastError {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { free($0) }
        return key
    }()

    // Immutable after initialisation.
    nonisolated(unsafe) private static let empty: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()

    static var current: UnsafePointer<CChar> {
        guard let p = pthread_getspecific(key) else { return UnsafePointer(empty) }
        return UnsafePointer(p.assumingMemoryBound(to: CChar.self))
    }

    /// Every entry point starts here, so the text always describes the last call.
    static func clear() {
        pthread_getspecific(key)?.assumingMemoryBound(to: CChar.self).pointee = 0
    }

    static func set(_ message: String) {
        let old = pthread_getspecific(key)
        pthread_setspecific(key, strdup(message))
        free(old)
    }
}
