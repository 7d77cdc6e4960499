#if canImport(Glibc)
import Glibc
#endif
import CGroupInference

/// Static C strings for the constant texts of the interface. Written once,
/// never changed or freed, so sharing them across threads is safe.
private enum CStrings {
    nonisolated(unsafe) static let version = strdup(GI_VERSION_STRING)
    nonisolated(unsafe) static let statuses: [Int32: UnsafeMutablePointer<CChar>?] = [
        GI_OK.rawValue: strdup("ok"),
        GI_WARNING.rawValue: strdup("warning: a solve was not proven optimal"),
        GI_ERR_ARGUMENT.rawValue: strdup("invalid argument"),
        GI_ERR_HANDLE.rawValue: strdup("not a live session"),
        GI_ERR_STATE.rawValue: strdup("call out of order"),
        GI_ERR_SCORES.rawValue: strdup("invalid or missing scores"),
        GI_ERR_CALLBACK.rawValue: strdup("a callback failed"),
        GI_ERR_SOLVER.rawValue: strdup("the solver failed"),
        GI_ERR_LIMIT.rawValue: strdup("size beyond the library's limits"),
        GI_ERR_VERSION.rawValue: strdup("unsupported struct size"),
        GI_ERR_INTERNAL.rawValue: strdup("internal error"),
        GI_ERR_CANCELLED.rawValue: strdup("cancelled by the progress hook"),
    ]
    nonisolated(unsafe) static let unknown = strdup("unknown status")
}

@_cdecl("gi_version_number") @implementation
public func gi_version_number() -> Int32 {
    GI_VERSION_MAJOR * 10000 + GI_VERSION_MINOR * 100 + GI_VERSION_PATCH
}

@_cdecl("gi_version_string") @implementation
public func gi_version_string() -> UnsafePointer<CChar>? {
    UnsafePointer(CStrings.version)
}

@_cdecl("gi_status_string") @implementation
public func gi_status_string(_ status: gi_status) -> UnsafePointer<CChar>? {
    UnsafePointer(CStrings.statuses[status.rawValue] ?? CStrings.unknown)
}

@_cdecl("gi_last_error") @implementation
public func gi_last_error() -> UnsafePointer<CChar>? {
    LastError.current
}
