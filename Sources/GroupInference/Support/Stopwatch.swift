#if canImport(Glibc)
import Glibc
#endif

/// Monotonic seconds, without Foundation (the shared library must not pull it in).
struct Stopwatch {
    /// When it was made, in `now()` seconds: deadlines are measured from here.
    let start = Stopwatch.now()

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    var elapsed: Double { Stopwatch.now() - start }
}
