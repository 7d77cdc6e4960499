#if canImport(Glibc)
import Glibc
#endif

/// Monotonic seconds, without Foundation (the shared library must not pull it in).
struct Stopwatch {
    let start = Stopwatch.now()

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(Stopwatch.useCPU ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    nonisolated(unsafe) static let useCPU = getenv("GI_X_CPUCLOCK") != nil
    var elapsed: Double { Stopwatch.now() - start }
}
