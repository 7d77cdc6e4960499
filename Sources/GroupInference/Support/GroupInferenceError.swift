/// Every failure the core reports. The C layer maps `kind` to a status code
/// in one place; `message` is shown to the user as it is, so it names the
/// argument, scorer, candidate or step that was wrong.
public struct GroupInferenceError: Error, Equatable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case invalidArgument
        case invalidState
        case badScores
        case callbackFailed
        case solverFailed
        case limitExceeded
        case internalError
        /// The host's progress handler asked `run()` to stop; the session is intact.
        case cancelled
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static func argument(_ message: String) -> Self { .init(.invalidArgument, message) }
    static func state(_ message: String) -> Self { .init(.invalidState, message) }
    static func scores(_ message: String) -> Self { .init(.badScores, message) }
    static func limit(_ message: String) -> Self { .init(.limitExceeded, message) }
    static func solver(_ message: String) -> Self { .init(.solverFailed, message) }
}

/// Thrown by a host callback (scorer or denoiser) to say it failed; the
/// session wraps it into a `.callbackFailed` error naming the scorer and step.
public struct CallbackFailure: Error, Equatable {
    public let code: Int32
    public init(code: Int32) { self.code = code }
}
