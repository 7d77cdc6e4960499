import CGroupInference
import GroupInference

/// The one place where core errors become C status codes.
extension gi_status {
    init(_ kind: GroupInferenceError.Kind) {
        switch kind {
        case .invalidArgument: self = GI_ERR_ARGUMENT
        case .invalidState: self = GI_ERR_STATE
        case .badScores: self = GI_ERR_SCORES
        case .callbackFailed: self = GI_ERR_CALLBACK
        case .solverFailed: self = GI_ERR_SOLVER
        case .limitExceeded: self = GI_ERR_LIMIT
        case .internalError: self = GI_ERR_INTERNAL
        case .cancelled: self = GI_ERR_CANCELLED
        }
    }
}

/// Errors of the C layer itself: a status and a message.
struct ABIError: Error {
    let status: gi_status
    let message: String

    static func argument(_ m: String) -> ABIError { ABIError(status: GI_ERR_ARGUMENT, message: m) }
    static func version(_ m: String) -> ABIError { ABIError(status: GI_ERR_VERSION, message: m) }
    static func state(_ m: String) -> ABIError { ABIError(status: GI_ERR_STATE, message: m) }
    static func limit(_ m: String) -> ABIError { ABIError(status: GI_ERR_LIMIT, message: m) }

    init(status: gi_status, message: String) {
        self.status = status
        self.message = message
    }

    init(_ error: GroupInferenceError) {
        self.init(status: gi_status(error.kind), message: error.message)
    }
}

/// Runs an entry point's body: clears the last error, turns a thrown error
/// into its status and message (prefixed with the function's name).
func guarded(_ function: StaticString, _ body: () throws(ABIError) -> gi_status) -> gi_status {
    LastError.clear()
    do {
        let status = try body()
        // A host callback may have made a failing call in between.
        if status == GI_OK { LastError.clear() }
        return status
    } catch {
        LastError.set("\(function): \(error.message)")
        return error.status
    }
}

/// Lifts a core call into the C layer's error type.
func core<T>(_ body: () throws(GroupInferenceError) -> T) throws(ABIError) -> T {
    do { return try body() } catch { throw ABIError(error) }
}

func completionStatus(_ c: GroupSession.Completion) -> gi_status {
    if c == .unproven {
        LastError.set("an exact solve stopped at its time limit before proving optimality; the records give the gap")
        return GI_WARNING
    }
    return GI_OK
}
