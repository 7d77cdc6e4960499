#if canImport(Glibc)
import Glibc
#endif
import CGLPK

/// GLPK 5 keeps one environment per thread and never frees it by itself.
/// A thread-specific key with a destructor frees it when a thread that used
/// GLPK through this library ends.
enum GLPKThreadEnvironment {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { _ in _ = glp_free_env() }
        return key
    }()

    static func noteUse() {
        if pthread_getspecific(key) == nil {
            pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
        }
    }
}
